export const meta = { name: "fixture", description: "a fixture" };

log("text", 1, { b: 2 }, [1, "x"], null, undefined, true);
console.log("from console");
console.info("info");
console.warn("careful");
console.error("bad", new Error("oops"));
return [log("x"), console.log("y")].map(String);
