export const meta = { name: "fixture", description: "a fixture" };

const first = await parallel(Array.from({ length: 1000 }, (_, i) => () => agent(`task ${i}`)));
let error = null;
try { await agent("one too many"); } catch (e) { error = { name: e.name, capMentioned: e.message.includes("1000") }; }
const inParallel = await parallel([() => agent("also too many")]);
return { done: first.filter((x) => x !== null).length, error, inParallel };
