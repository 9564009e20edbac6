export const meta = { name: "fixture", description: "a fixture" };

const out = [];
const impossible = [
  { type: "object", properties: { a: { type: "string", minLength: 5, maxLength: 2 } } },
  { type: "object", properties: { a: { enum: [] } } },
  { type: "object", properties: {}, additionalProperties: false, required: ["a"] },
];
for (const schema of impossible) {
  try { await agent("x", { schema }); out.push("resolved"); } catch (e) { out.push(`${e.name}: ${e.message.includes("no value can satisfy it")}`); }
}
out.push(typeof (await agent("fine", { schema: { type: "object", properties: { n: { type: "integer", minimum: 1, maximum: 1 } }, required: ["n"] } })).n);
return out;
