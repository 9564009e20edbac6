export const meta = { name: "fixture", description: "a fixture" };

const out = [];
for (const schema of [{ type: "string" }, { type: "object", properties: { a: { type: "nope" } } }, [1]]) {
  try { await agent("x", { schema }); out.push("resolved"); } catch (e) { out.push(e.name); }
}
return out;
