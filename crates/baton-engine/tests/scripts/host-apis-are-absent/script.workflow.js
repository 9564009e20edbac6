export const meta = { name: "fixture", description: "a fixture" };

return [typeof require, typeof fetch, typeof process, typeof performance, typeof crypto, typeof setInterval,
  typeof WeakRef, typeof FinalizationRegistry, typeof SharedArrayBuffer, typeof Atomics, typeof queueMicrotask, typeof meta];
