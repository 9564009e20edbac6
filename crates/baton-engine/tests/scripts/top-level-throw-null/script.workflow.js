export const meta = { name: "fixture", description: "a fixture" };
throw null;
