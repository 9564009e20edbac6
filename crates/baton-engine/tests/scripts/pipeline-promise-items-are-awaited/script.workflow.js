export const meta = { name: "fixture", description: "a fixture" };

return await pipeline([Promise.resolve(1), 2, Promise.resolve(null)], (x, item) => [x, item]);
