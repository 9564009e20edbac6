export const meta = { name: "fixture", description: "a fixture" };

class Finding { constructor(x) { this.x = x; } get twice() { return this.x * 2; } }
const [m, d, f] = await parallel([() => new Map([["a", 1]]), () => new Date(5), () => new Finding(21)]);
const big = await parallel([() => Array.from({ length: 5000 }, (_, i) => i)]);
return [m instanceof Map, m.get("a"), d instanceof Date, f instanceof Finding, f.twice, big[0].length];
