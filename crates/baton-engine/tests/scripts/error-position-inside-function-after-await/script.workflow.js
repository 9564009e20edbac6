export const meta = { name: "fixture", description: "a fixture" };

async function check(x) {
  await agent("look");
  if (x) {
      throw new RangeError(`bad`);
  }
}
await check(7);
