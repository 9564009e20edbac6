export const meta = { name: "fixture", description: "a fixture" };

const order = [];
const p = parallel([() => order.push("thunk 0"), () => order.push("thunk 1")]);
order.push("returned");
await p;
return order;
