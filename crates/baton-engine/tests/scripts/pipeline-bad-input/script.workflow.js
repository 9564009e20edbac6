export const meta = { name: "fixture", description: "a fixture" };

const results = [];
for (const call of [
  () => pipeline("nope", (x) => x),
  () => pipeline([1], (x) => x, "not a stage"),
  () => pipeline(new Array(4097).fill(1), (x) => x),
]) {
  try { await call(); results.push("resolved"); } catch (e) { results.push(e.name); }
}
const none = await pipeline([1, 2]);
const empty = await pipeline([], (x) => x);
return { results, none, empty };
