export const meta = { name: "fixture", description: "a fixture" };

const out = await parallel([
  () => 1,
  () => { throw new Error("bad"); },
  async () => { throw new TypeError("worse"); },
  () => Promise.reject(new Error("rejected")),
  () => undefined,
]);
return out.map((v) => (v === undefined ? "undefined" : v));
