export const meta = { name: "fixture", description: "a fixture" };

const out = await pipeline([1, 2, 3],
  async (x) => { if (x === 2) throw new Error(`boom ${x}`); return agent(`step ${x}`).then(() => x); },
  (x) => { if (x === 3) return Promise.reject(new Error("late")); return x + 100; });
return out;
