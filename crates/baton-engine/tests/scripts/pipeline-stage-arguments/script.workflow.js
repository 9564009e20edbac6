export const meta = { name: "fixture", description: "a fixture" };

return await pipeline(["a", "b"], (prev, item, index) => [prev, item, index], (prev, item, index) => ({ prev, item, index }));
