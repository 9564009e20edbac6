export const meta = { name: "fixture", description: "a fixture" };

const out = await parallel([0, 1, 2].map((i) => () =>
  pipeline([i, i + 10], (x) => agent(`a ${x}`).then(() => x), (x) => parallel([() => agent(`b ${x}`).then(() => x * 2)]))));
return out;
