export const meta = { name: "fixture", description: "a fixture" };

const order = [];
await parallel([0, 1, 2].map((i) => async () => {
  order.push(`start ${i}`);
  await agent(`work ${i}`);
  order.push(`end ${i}`);
}));
return order.slice(0, 3);
