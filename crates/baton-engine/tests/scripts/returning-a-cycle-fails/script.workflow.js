export const meta = { name: "fixture", description: "a fixture" };
const a = {}; a.self = a; return a;
