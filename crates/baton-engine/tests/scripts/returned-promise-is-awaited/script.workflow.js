export const meta = { name: "fixture", description: "a fixture" };
return agent('x').then(() => 'after');
