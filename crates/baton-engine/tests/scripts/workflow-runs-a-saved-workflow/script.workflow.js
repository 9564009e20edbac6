export const meta = { name: "fixture", description: "a fixture" };

const byName = await workflow("child", { n: 2 });
const byPath = await workflow({ scriptPath: ".claude/workflows/child.workflow.js" }, '{"n": 5}');
const nested = await workflow("nester").catch((e) => e.message);
// Saved ones and the built-in ones (sorted by name) are offered.
const unknown = await workflow("nope").catch((e) => /available: .*\bchild, deep-research\b.*\bnester\b/.test(e.message));
const badType = await workflow(42).catch((e) => e.name);
return { byName, byPath, nested, unknown, badType };
