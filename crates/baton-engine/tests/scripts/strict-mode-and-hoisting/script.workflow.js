export const meta = { name: "fixture", description: "a fixture" };

let strict;
try { undeclaredVariable = 1; strict = false; } catch (e) { strict = e instanceof ReferenceError; }
return [strict, hoisted(), this === globalThis];
function hoisted() { return "hoisted"; }
