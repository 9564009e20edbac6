export const meta = { name: "fixture", description: "a fixture" };

const values = [Math.random(), Math.random(), Math.random()];
return values.every((v) => v >= 0 && v < 1) && new Set(values).size === 3;
