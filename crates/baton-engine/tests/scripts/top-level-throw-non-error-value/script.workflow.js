export const meta = { name: "fixture", description: "a fixture" };
throw { code: 1, why: 'nope' };
