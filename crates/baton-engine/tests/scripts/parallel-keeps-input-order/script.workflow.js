export const meta = { name: "fixture", description: "a fixture" };

const out = await parallel([0, 1, 2, 3, 4, 5, 6, 7].map((i) => () => agent(`task ${i}`).then(() => i)));
return out;
