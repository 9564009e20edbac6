export const meta = { name: "fixture", description: "a fixture" };
await new Promise(() => {});
