export const meta = { name: "fixture", description: "a fixture" };

return { date: new Date(0), nan: NaN, inf: -Infinity, gone: undefined, list: [undefined, () => 1], nested: { toJSON() { return "custom"; } } };
