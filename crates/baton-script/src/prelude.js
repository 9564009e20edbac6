// The JavaScript half of the workflow globals (SPEC §3). Evaluated once per run, before the
// script, as a function of `host` (the native half, see globals.rs) and `config`. It installs
// the globals, hardens the sandbox, and returns the hooks Rust uses to drive the run. Nothing
// defined here is reachable from the script except the globals it installs.
(function (host, config) {
  "use strict";
  const MAX_ITEMS = config.maxItems;
  const pendingAgents = new Map();
  const timers = new Map();

  // ---- errors -------------------------------------------------------------------------

  function namedError(name, message) {
    const error = new Error(message);
    Object.defineProperty(error, "name", { value: name, enumerable: false, configurable: true, writable: true });
    return error;
  }

  function describe(value) {
    if (value instanceof Error) return String(value.message);
    if (typeof value === "string") return value;
    return json(value);
  }

  function json(value) {
    if (value === undefined) return "undefined";
    if (typeof value === "function") return `[function ${value.name || "anonymous"}]`;
    if (typeof value === "symbol" || typeof value === "bigint") return String(value);
    try {
      const text = JSON.stringify(value);
      return text === undefined ? String(value) : text;
    } catch (_) {
      return String(value);
    }
  }

  // Lone UTF-16 surrogates cannot cross into Rust strings; they become U+FFFD.
  const toWellFormed = String.prototype.toWellFormed;
  const wellFormed = (text) => toWellFormed.call(text);

  // ---- log, console, phase --------------------------------------------------------------

  function render(values) {
    return wellFormed(values
      .map((v) => (typeof v === "string" ? v : v instanceof Error ? `${v.name}: ${v.message}` : json(v)))
      .join(" "));
  }

  function log(...values) {
    host.log("info", render(values));
  }

  const console = Object.freeze({
    log: (...v) => void host.log("info", render(v)),
    info: (...v) => void host.log("info", render(v)),
    debug: (...v) => void host.log("info", render(v)),
    warn: (...v) => void host.log("warn", render(v)),
    error: (...v) => void host.log("error", "[error] " + render(v)),
  });

  function phase(title) {
    host.phase(wellFormed(String(title)));
  }

  // ---- agent -----------------------------------------------------------------------------

  function agent(prompt, opts) {
    return new Promise((resolve, reject) => {
      if (typeof prompt !== "string") {
        throw new TypeError(`agent(prompt, opts): prompt must be a string, got ${typeof prompt}`);
      }
      if (opts !== undefined && opts !== null && typeof opts !== "object") {
        throw new TypeError(`agent(prompt, opts): opts must be an object, got ${typeof opts}`);
      }
      const started = host.startAgent(wellFormed(prompt), opts == null ? "null" : JSON.stringify(opts));
      if (typeof started === "number") {
        pendingAgents.set(started, { resolve, reject });
      } else {
        reject(namedError(started.name, started.message));
      }
    });
  }

  function settle(id, ok, payload) {
    const pending = pendingAgents.get(id);
    if (!pending) return;
    pendingAgents.delete(id);
    const value = JSON.parse(payload);
    if (ok) pending.resolve(value);
    else pending.reject(namedError(value.name, value.message));
  }

  // ---- parallel and pipeline ----------------------------------------------------------------

  const WRAP_HINT = "wrap each call in a function, e.g. parallel([() => agent(...), () => agent(...)])";

  async function parallel(thunks) {
    if (!Array.isArray(thunks)) {
      throw new TypeError(`parallel() takes an array of functions, got ${kindOf(thunks)}: ${WRAP_HINT}`);
    }
    if (thunks.length > MAX_ITEMS) {
      throw new RangeError(`parallel() takes at most ${MAX_ITEMS} functions, got ${thunks.length}`);
    }
    for (let i = 0; i < thunks.length; i++) {
      if (typeof thunks[i] !== "function") {
        const what = i in thunks ? kindOf(thunks[i]) : "an empty slot";
        throw new TypeError(`parallel(): item ${i} is ${what}, not a function: ${WRAP_HINT}`);
      }
    }
    // The thunks run after parallel() has returned, in index order, all before any finishes.
    await undefined;
    const runs = [];
    for (let i = 0; i < thunks.length; i++) {
      runs.push(
        (async () => {
          try {
            return await thunks[i]();
          } catch (error) {
            log(`parallel[${i}] failed: ${describe(error)}`);
            return null;
          }
        })(),
      );
    }
    return Promise.all(runs);
  }

  async function pipeline(items, ...stages) {
    if (!Array.isArray(items)) {
      throw new TypeError(`pipeline(items, ...stages): items must be an array, got ${kindOf(items)}`);
    }
    stages.forEach((stage, i) => {
      if (typeof stage !== "function") {
        throw new TypeError(`pipeline(): stage ${i + 1} is ${kindOf(stage)}, not a function`);
      }
    });
    if (items.length > MAX_ITEMS) {
      throw new RangeError(`pipeline() takes at most ${MAX_ITEMS} items, got ${items.length}`);
    }
    if (stages.length === 0) return items;
    await undefined;
    // Every item flows through the stages on its own: no barrier between stages.
    return Promise.all(
      items.map(async (entry, index) => {
        try {
          const item = await entry;
          if (item === null) return null;
          let value = item;
          for (const stage of stages) {
            value = await stage(value, item, index);
            if (value === null) return null;
          }
          return value;
        } catch (error) {
          log(`pipeline[${index}] failed: ${describe(error)}`);
          return null;
        }
      }),
    );
  }

  function kindOf(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    if (value instanceof Promise || (typeof value === "object" && typeof value.then === "function")) {
      return "a promise (the call already started)";
    }
    return typeof value === "object" ? "an object" : `a ${typeof value}`;
  }

  // ---- budget ----------------------------------------------------------------------------

  const budget = Object.freeze({
    total: config.budgetTotal,
    spent: () => host.budgetSpent(),
    remaining: () => (config.budgetTotal === null ? Infinity : Math.max(0, config.budgetTotal - host.budgetSpent())),
  });

  // ---- workflow --------------------------------------------------------------------------

  function nestedWorkflow() {
    return Promise.reject(namedError("WorkflowError", "workflow() can nest only one level: a nested workflow cannot start another"));
  }

  async function workflow(nameOrRef, childArgs) {
    const isRef = typeof nameOrRef === "object" && nameOrRef !== null && !Array.isArray(nameOrRef);
    if (typeof nameOrRef !== "string" && !isRef) {
      throw new TypeError(`workflow(nameOrRef, args): expected a workflow name or { scriptPath }, got ${kindOf(nameOrRef)}`);
    }
    const body = host.loadWorkflow(JSON.stringify(nameOrRef));
    return body.call(globalThis, normalizeArgs(childArgs), nestedWorkflow);
  }

  // A string whose trimmed text is a JSON object or array arrives parsed (SPEC §3, args).
  function normalizeArgs(value) {
    if (typeof value !== "string") return value;
    const text = value.trim();
    if (!(text.startsWith("{") || text.startsWith("["))) return value;
    try {
      return JSON.parse(text);
    } catch (_) {
      return value;
    }
  }

  // ---- timers ----------------------------------------------------------------------------

  function setTimeout(callback, ms, ...rest) {
    if (typeof callback !== "function") {
      throw new TypeError("setTimeout(callback, ms): callback must be a function");
    }
    const delay = Number(ms) > 0 ? Number(ms) : 0;
    const id = host.setTimer(delay);
    timers.set(id, () => callback(...rest));
    return id;
  }

  function clearTimeout(id) {
    if (timers.delete(id)) host.clearTimer(id);
  }

  function fireTimer(id) {
    const callback = timers.get(id);
    if (!callback) return;
    timers.delete(id);
    try {
      callback();
    } catch (error) {
      host.log("warn", `uncaught error in a setTimeout callback: ${describe(error)}`);
    }
  }

  // ---- determinism -------------------------------------------------------------------------

  // sfc32, seeded from the run id: the same run id gives the same sequence.
  let [a, b, c, d] = config.seed;
  function random() {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  for (let i = 0; i < 16; i++) random();

  const RealDate = Date;
  function LogicalDate(...parts) {
    if (new.target === undefined) return new RealDate(host.now()).toString();
    return Reflect.construct(RealDate, parts.length === 0 ? [host.now()] : parts, new.target);
  }
  Object.defineProperty(LogicalDate, "prototype", { value: RealDate.prototype });
  Object.defineProperty(RealDate.prototype, "constructor", { value: LogicalDate, writable: true, configurable: true });
  LogicalDate.now = () => host.now();
  LogicalDate.parse = RealDate.parse;
  LogicalDate.UTC = RealDate.UTC;
  Object.defineProperty(LogicalDate, "name", { value: "Date" });

  // ---- the sandbox --------------------------------------------------------------------------

  const noEval = (what) =>
    function () {
      throw new EvalError(`${what} is not allowed in workflow scripts: code cannot be compiled from strings`);
    };
  const FunctionStub = noEval("new Function()");
  Object.defineProperty(FunctionStub, "name", { value: "Function" });
  FunctionStub.prototype = Function.prototype;
  Object.defineProperty(Function.prototype, "constructor", { value: FunctionStub, writable: true, configurable: true });
  for (const sample of [async function () {}, function* () {}, async function* () {}]) {
    const proto = Object.getPrototypeOf(sample);
    const stub = noEval(`${proto.constructor.name}()`);
    stub.prototype = proto;
    Object.defineProperty(proto, "constructor", { value: stub, writable: true, configurable: true });
  }

  for (const name of [
    "WeakRef", "FinalizationRegistry", "SharedArrayBuffer", "Atomics", "queueMicrotask",
    "performance", "DOMException", "btoa", "atob", "fetch", "require", "process", "crypto",
    "setInterval", "clearInterval", "InternalError",
  ]) {
    delete globalThis[name];
  }
  Math.random = random;

  const globals = {
    args: "args" in config ? normalizeArgs(config.args) : undefined,
    agent, parallel, pipeline, phase, log, budget, workflow, console, setTimeout, clearTimeout,
    eval: noEval("eval()"),
    Function: FunctionStub,
    Date: LogicalDate,
  };
  // The host globals are enumerable, as Claude Code's are (`Object.keys(globalThis)` lists
  // them); the replaced standard ones (eval, Function, Date) stay non-enumerable as in V8.
  const replaced = new Set(["eval", "Function", "Date"]);
  for (const [name, value] of Object.entries(globals)) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: !replaced.has(name) });
  }

  // ---- running the script ----------------------------------------------------------------

  // Serializes the returned value with JSON.stringify semantics, refusing what cannot be stored.
  function serializeResult(value) {
    if (value === undefined) return "null";
    if (typeof value === "function") throw new TypeError("the workflow returned a function, which cannot be stored as a result");
    if (typeof value === "symbol") throw new TypeError("the workflow returned a symbol, which cannot be stored as a result");
    let text;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      const cyclic = /circular|cyclic/i.test(String(error && error.message));
      throw new TypeError(cyclic ? "the workflow returned a cyclic structure, which cannot be stored as JSON" : `the workflow's result cannot be stored as JSON: ${describe(error)}`);
    }
    return text === undefined ? "null" : text;
  }

  function failure(error) {
    if (error instanceof Error) {
      return { thrown: "error", name: String(error.name), message: String(error.message), stack: String(error.stack || "") };
    }
    return { thrown: "value", name: "", message: json(error), stack: "" };
  }

  function runMain(body) {
    let promise;
    try {
      // Top-level `this` is `globalThis`, as at a script's top level.
      promise = body.call(globalThis, globals.args, workflow);
    } catch (error) {
      promise = Promise.reject(error);
    }
    Promise.resolve(promise).then(
      (value) => {
        let text;
        try {
          text = serializeResult(value);
        } catch (error) {
          host.finish(false, JSON.stringify(failure(error)));
          return;
        }
        host.finish(true, text);
      },
      (error) => host.finish(false, JSON.stringify(failure(error))),
    );
  }

  return { settle, fireTimer, runMain };
})
