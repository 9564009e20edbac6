export const meta = { name: "fixture", description: "a fixture" };

const seen = [];
const out = await pipeline([1, 2, null, 3, 4],
  (x) => { seen.push(`s1:${x}`); return x === 2 ? null : x === 3 ? 0 : x === 4 ? undefined : x; },
  (prev, item) => { seen.push(`s2:${item}`); return prev === undefined ? "undef" : prev === 0 ? false : prev * 10; },
  (prev, item) => { seen.push(`s3:${item}`); return prev; });
return { out, seen };
