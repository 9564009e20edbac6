export const meta = { name: "fixture", description: "a fixture" };

const order = [];
await pipeline([0, 1, 2], async (x) => { order.push(`s1:${x}`); return x; }, (x) => { order.push(`s2:${x}`); return x; });
return order.slice(0, 3);
