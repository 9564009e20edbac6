export const meta = { name: "fixture", description: "a fixture" };
return [typeof args, args];
