export const meta = { name: "fixture", description: "a fixture" };

let ran = 0;
const thunks = Array.from({ length: 4097 }, () => () => ++ran);
let error = null;
try { await parallel(thunks); } catch (e) { error = e.name; }
const ok = await parallel(thunks.slice(0, 4096));
return { error, ranBeforeOk: ok.length, ran };
