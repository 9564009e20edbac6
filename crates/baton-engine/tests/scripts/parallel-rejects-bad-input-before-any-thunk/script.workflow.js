export const meta = { name: "fixture", description: "a fixture" };

let ran = 0;
const thunk = () => { ran++; return 1; };
const bad = [ "not an array", null, Promise.resolve([thunk]), [thunk, "x"], [thunk, Promise.resolve(1)], [thunk, , thunk], [thunk, null] ];
const messages = [];
for (const input of bad) {
  try { await parallel(input); messages.push("resolved"); }
  catch (e) { messages.push(e instanceof TypeError && e.message.includes("() => agent(") ? "TypeError" : `other: ${e}`); }
}
const returned = parallel(42);
const isPromise = returned instanceof Promise;
await returned.catch(() => {});
return { messages, ran, isPromise };
