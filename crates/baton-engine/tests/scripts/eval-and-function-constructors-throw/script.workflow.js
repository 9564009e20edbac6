export const meta = { name: "fixture", description: "a fixture" };

const out = [];
for (const attempt of [
  () => eval("1 + 1"),
  () => new Function("return 1"),
  () => Function("return 1"),
  () => (async function () {}).constructor("return 1"),
  () => (function* () {}).constructor("yield 1"),
  () => (() => 1).constructor("return 1"),
]) {
  try { attempt(); out.push("compiled"); } catch (e) { out.push(e instanceof EvalError ? "EvalError" : e.name); }
}
return [typeof eval, typeof Function, ...out, (() => 1) instanceof Function];
