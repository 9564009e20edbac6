export const meta = { name: "fixture", description: "a fixture" };
return { items: Array.from({ length: 10000 }, (_, i) => i).length, text: 'x'.repeat(3000000).length };
