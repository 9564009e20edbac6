export const meta = { name: "fixture", description: "a fixture" };

const t0 = Date.now();
const order = [];
const id = setTimeout(() => order.push("cancelled"), 5);
clearTimeout(id);
await new Promise((resolve) => setTimeout(() => { order.push("fired"); resolve(); }, 20));
setTimeout((a, b) => order.push(a + b), 0, "ar", "gs");
await new Promise((resolve) => setTimeout(resolve, 1));
return [typeof id, order, Date.now() - t0, new Date().getTime() === Date.now(), typeof Date(), new Date(86400000).toISOString()];
