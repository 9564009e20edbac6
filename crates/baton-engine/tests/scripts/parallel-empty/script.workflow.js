export const meta = { name: "fixture", description: "a fixture" };
return await parallel([]);
