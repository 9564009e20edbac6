export const meta = { name: "fixture", description: "a fixture" };

console.debug("debug line", { n: 1 });
return {
  keys: Object.keys(globalThis).sort(),
  thisIsGlobal: this === globalThis,
  internalError: typeof InternalError,
  intlHidden: Object.keys(globalThis).includes("Intl"),
};
