// The JavaScript half of `Intl` and the `toLocale*` methods (SPEC §3, Locale-aware built-ins).
// Evaluated once per run before the prelude, as a function of `native` (intl.rs). It reads
// ECMA-402's options, applies V8's defaults, and hands ICU4X-backed formatters (named by a
// number) the resolved values. Formatters are cached by locale and options, so
// `localeCompare` inside a sort builds its collator once.
(function (native, defaultTimeZone) {
  "use strict";
  const DEFAULT_LOCALE = "en-US";
  const cache = new Map();
  const toWellFormed = String.prototype.toWellFormed;
  const text = (value) => toWellFormed.call(String(value));

  function cached(key, make) {
    let handle = cache.get(key);
    if (handle === undefined) {
      handle = make();
      cache.set(key, handle);
    }
    return handle;
  }

  function hidden(target, name, value) {
    Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
  }

  // ---- locales and options ------------------------------------------------------------------

  function canonicalLocales(locales) {
    if (locales === undefined) return [];
    const list = typeof locales === "string" ? [locales] : Array.from(Object(locales));
    const seen = [];
    for (const tag of list) {
      if (typeof tag !== "string" && (typeof tag !== "object" || tag === null)) {
        throw new TypeError("Language ID should be string or object.");
      }
      const canonical = native.canonicalLocale(String(tag));
      if (!seen.includes(canonical)) seen.push(canonical);
    }
    return seen;
  }

  const resolveLocale = (locales) => canonicalLocales(locales)[0] || DEFAULT_LOCALE;

  function optionsObject(options) {
    if (options === undefined) return Object.create(null);
    if (options === null) throw new TypeError("Cannot convert undefined or null to object");
    return Object(options);
  }

  function pick(options, name, allowed, fallback) {
    const value = options[name];
    if (value === undefined) return fallback;
    const chosen = String(value);
    if (allowed && !allowed.includes(chosen)) {
      throw new RangeError(`Value ${chosen} out of range for Intl options property ${name}`);
    }
    return chosen;
  }

  function flag(options, name, fallback) {
    const value = options[name];
    return value === undefined ? fallback : Boolean(value);
  }

  function digits(options, name, min, max, fallback) {
    const value = options[name];
    if (value === undefined) return fallback;
    const n = Math.floor(Number(value));
    if (!(n >= min && n <= max)) throw new RangeError(`${name} value is out of range.`);
    return n;
  }

  function slots(object, kind) {
    const state = object && object[SLOTS];
    if (!state || state.kind !== kind) {
      throw new TypeError(`Method Intl.${kind}.prototype method called on incompatible receiver`);
    }
    return state;
  }
  const SLOTS = Symbol("intl");

  // Defines an Intl constructor whose instances keep their state behind a private symbol.
  function defineClass(name, init, methods, getters) {
    const Class = function (locales, options) {
      if (new.target === undefined && name !== "Collator" && name !== "NumberFormat" && name !== "DateTimeFormat") {
        throw new TypeError(`Constructor Intl.${name} requires 'new'`);
      }
      const self = new.target ? this : Object.create(Class.prototype);
      hidden(self, SLOTS, Object.assign({ kind: name }, init(locales, options)));
      return self;
    };
    Object.defineProperty(Class, "name", { value: name });
    for (const [method, fn] of Object.entries(methods)) {
      hidden(Class.prototype, method, function (...rest) {
        return fn(slots(this, name), ...rest);
      });
    }
    for (const [getter, fn] of Object.entries(getters || {})) {
      Object.defineProperty(Class.prototype, getter, {
        get() {
          const state = slots(this, name);
          if (!state.bound) state.bound = fn(state);
          return state.bound;
        },
        configurable: true,
      });
    }
    Object.defineProperty(Class.prototype, Symbol.toStringTag, { value: `Intl.${name}`, configurable: true });
    hidden(Class, "supportedLocalesOf", (locales) => canonicalLocales(locales));
    return Class;
  }

  // ---- Collator -------------------------------------------------------------------------------

  function collatorState(locales, options) {
    const locale = resolveLocale(locales);
    const o = optionsObject(options);
    const usage = pick(o, "usage", ["sort", "search"], "sort");
    const sensitivity = pick(o, "sensitivity", ["base", "accent", "case", "variant"], "variant");
    const numeric = flag(o, "numeric", /-u(-\w+)*-kn(-true)?(-|$)/.test(locale));
    const handle = cached(`c|${locale}|${numeric}|${sensitivity}`, () => native.collator(locale, numeric, sensitivity));
    return { handle, resolved: { locale, usage, sensitivity, ignorePunctuation: false, collation: "default", numeric, caseFirst: "false" } };
  }

  const compareWith = (handle, a, b) => native.compare(handle, text(a), text(b));

  const Collator = defineClass("Collator", collatorState, {
    resolvedOptions: (s) => ({ ...s.resolved }),
  }, {
    compare: (s) => (a, b) => compareWith(s.handle, a, b),
  });

  let defaultCollator;
  function localeCompare(that, locales, options) {
    if (this == null) throw new TypeError("String.prototype.localeCompare called on null or undefined");
    let handle;
    if (locales === undefined && options === undefined) {
      if (defaultCollator === undefined) defaultCollator = collatorState().handle;
      handle = defaultCollator;
    } else {
      handle = collatorState(locales, options).handle;
    }
    return compareWith(handle, this, that);
  }

  // ---- NumberFormat ---------------------------------------------------------------------------

  function numberState(locales, options) {
    const locale = resolveLocale(locales);
    const o = optionsObject(options);
    const style = pick(o, "style", ["decimal", "percent", "currency"], "decimal");
    let currency = o.currency === undefined ? undefined : String(o.currency).toUpperCase();
    if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) {
      throw new RangeError(`Invalid currency code : ${o.currency}`);
    }
    if (style === "currency" && currency === undefined) {
      throw new TypeError("Currency code is required with currency style.");
    }
    const currencyDisplay = pick(o, "currencyDisplay", ["code", "symbol", "narrowSymbol", "name"], "symbol");
    const minimumIntegerDigits = digits(o, "minimumIntegerDigits", 1, 21, 1);
    const [minDefault, maxDefault] = style === "currency" ? [2, 2] : style === "percent" ? [0, 0] : [0, 3];
    let minimumFractionDigits = digits(o, "minimumFractionDigits", 0, 100, undefined);
    let maximumFractionDigits = digits(o, "maximumFractionDigits", 0, 100, undefined);
    if (minimumFractionDigits === undefined) {
      minimumFractionDigits = Math.min(minDefault, maximumFractionDigits === undefined ? minDefault : maximumFractionDigits);
    }
    if (maximumFractionDigits === undefined) maximumFractionDigits = Math.max(maxDefault, minimumFractionDigits);
    if (minimumFractionDigits > maximumFractionDigits) throw new RangeError("maximumFractionDigits value is out of range.");
    const grouping = o.useGrouping;
    const useGrouping = grouping === undefined || grouping === "auto" ? "auto"
      : grouping === false || grouping === "false" ? "false"
      : grouping === "min2" ? "min2" : "always";
    const resolved = {
      locale, numberingSystem: "latn", style,
      ...(style === "currency" ? { currency, currencyDisplay, currencySign: "standard" } : {}),
      minimumIntegerDigits, minimumFractionDigits, maximumFractionDigits,
      useGrouping: useGrouping === "false" ? false : useGrouping,
      notation: "standard", signDisplay: "auto", roundingMode: "halfExpand",
    };
    const native_ = { style, currency, currencyDisplay, minimumIntegerDigits, minimumFractionDigits, maximumFractionDigits, useGrouping };
    const key = `n|${locale}|${JSON.stringify(native_)}`;
    const handle = cached(key, () => native.numberFormat(locale, JSON.stringify(native_)));
    return { handle, resolved };
  }

  const formatNumber = (handle, value) => native.formatNumber(handle, Number(value));

  const NumberFormat = defineClass("NumberFormat", numberState, {
    resolvedOptions: (s) => ({ ...s.resolved }),
  }, {
    format: (s) => (value) => formatNumber(s.handle, value),
  });

  let defaultNumber;
  function numberToLocaleString(locales, options) {
    const value = Number.prototype.valueOf.call(this);
    if (locales === undefined && options === undefined) {
      if (defaultNumber === undefined) defaultNumber = numberState().handle;
      return formatNumber(defaultNumber, value);
    }
    return formatNumber(numberState(locales, options).handle, value);
  }

  // ---- DateTimeFormat -------------------------------------------------------------------------

  const DATE_FIELDS = ["Y", "YM", "YMD", "YMDE", "MD", "MDE", "D", "DE", "E", "M"];
  const STYLE = ["full", "long", "medium", "short"];

  // `required`/`defaults` follow ECMA-402's ToDateTimeOptions: which fields a bare call shows.
  function dateState(locales, options, required, defaults) {
    const locale = resolveLocale(locales);
    const o = optionsObject(options);
    const weekday = pick(o, "weekday", ["narrow", "short", "long"]);
    const era = pick(o, "era", ["narrow", "short", "long"]);
    let year = pick(o, "year", ["2-digit", "numeric"]);
    let month = pick(o, "month", ["2-digit", "numeric", "narrow", "short", "long"]);
    let day = pick(o, "day", ["2-digit", "numeric"]);
    let hour = pick(o, "hour", ["2-digit", "numeric"]);
    let minute = pick(o, "minute", ["2-digit", "numeric"]);
    let second = pick(o, "second", ["2-digit", "numeric"]);
    const dateStyle = pick(o, "dateStyle", STYLE);
    const timeStyle = pick(o, "timeStyle", STYLE);
    const hourCycle = pick(o, "hourCycle", ["h11", "h12", "h23", "h24"]);
    const hour12 = o.hour12 === undefined ? (hourCycle === undefined ? null : hourCycle === "h11" || hourCycle === "h12") : Boolean(o.hour12);
    const timeZone = o.timeZone === undefined ? defaultTimeZone : native.timeZone(String(o.timeZone));

    let spec;
    if (dateStyle !== undefined || timeStyle !== undefined) {
      if ([weekday, era, year, month, day, hour, minute, second].some((v) => v !== undefined)) {
        throw new TypeError("Can't set option dateStyle or timeStyle together with individual date/time options");
      }
      const length = (s) => (s === "full" || s === "long" ? "long" : s);
      spec = {
        dateFields: dateStyle === undefined ? null : dateStyle === "full" ? "YMDE" : "YMD",
        length: length(dateStyle || timeStyle),
        timePrecision: timeStyle === undefined ? null : timeStyle === "short" ? "minute" : "second",
        fullYear: false,
      };
    } else {
      const hasDate = [weekday, year, month, day].some((v) => v !== undefined);
      const hasTime = [hour, minute, second].some((v) => v !== undefined);
      if (!hasDate && !hasTime) {
        if (defaults !== "time") [year, month, day] = ["numeric", "numeric", "numeric"];
        if (defaults !== "date") [hour, minute, second] = ["numeric", "numeric", "numeric"];
      }
      let fields = (year ? "Y" : "") + (month ? "M" : "") + (day ? "D" : "") + (weekday ? "E" : "");
      if (fields !== "" && !DATE_FIELDS.includes(fields)) fields = weekday ? "YMDE" : "YMD";
      const length = month === "long" || (!month && weekday === "long") ? "long"
        : month === "short" || month === "narrow" || (!month && weekday) ? "medium" : "short";
      spec = {
        dateFields: fields || null,
        length,
        timePrecision: second ? "second" : minute ? "minute" : hour ? "hour" : null,
        fullYear: year === "numeric",
      };
    }
    spec.hour12 = hour12;
    spec.timeZone = timeZone;
    const key = `d|${locale}|${JSON.stringify(spec)}`;
    const handle = cached(key, () => native.dateFormat(locale, JSON.stringify(spec)));
    const resolved = { locale, calendar: "gregory", numberingSystem: "latn", timeZone };
    for (const [name, value] of Object.entries({ hourCycle, hour12: hour12 === null ? undefined : hour12, weekday, era, year, month, day, hour, minute, second, dateStyle, timeStyle })) {
      if (value !== undefined) resolved[name] = value;
    }
    return { handle, resolved };
  }

  function formatDate(handle, date) {
    const ms = date === undefined ? Date.now() : Number(date);
    if (!Number.isFinite(ms)) throw new RangeError("Invalid time value");
    return native.formatDate(handle, ms);
  }

  const DateTimeFormat = defineClass("DateTimeFormat", (l, o) => dateState(l, o, "any", "date"), {
    resolvedOptions: (s) => ({ ...s.resolved }),
  }, {
    format: (s) => (date) => formatDate(s.handle, date),
  });

  const dateDefaults = new Map();
  function dateMethod(defaults) {
    return function (locales, options) {
      const ms = Date.prototype.valueOf.call(this);
      if (Number.isNaN(ms)) return "Invalid Date";
      let handle;
      if (locales === undefined && options === undefined) {
        handle = dateDefaults.get(defaults);
        if (handle === undefined) {
          handle = dateState(undefined, undefined, "any", defaults).handle;
          dateDefaults.set(defaults, handle);
        }
      } else {
        handle = dateState(locales, options, "any", defaults).handle;
      }
      return native.formatDate(handle, ms);
    };
  }

  // ---- PluralRules, ListFormat ----------------------------------------------------------------

  const PluralRules = defineClass("PluralRules", (locales, options) => {
    const locale = resolveLocale(locales);
    const o = optionsObject(options);
    const type = pick(o, "type", ["cardinal", "ordinal"], "cardinal");
    const minimumFractionDigits = digits(o, "minimumFractionDigits", 0, 100, 0);
    const handle = cached(`p|${locale}|${type}`, () => native.pluralRules(locale, type === "ordinal"));
    return { handle, minimumFractionDigits, resolved: { locale, type, minimumIntegerDigits: 1, minimumFractionDigits, maximumFractionDigits: Math.max(3, minimumFractionDigits) } };
  }, {
    select: (s, n) => native.selectPlural(s.handle, Number(n), s.minimumFractionDigits),
    resolvedOptions: (s) => ({ ...s.resolved }),
  });

  const ListFormat = defineClass("ListFormat", (locales, options) => {
    const locale = resolveLocale(locales);
    const o = optionsObject(options);
    const type = pick(o, "type", ["conjunction", "disjunction", "unit"], "conjunction");
    const style = pick(o, "style", ["long", "short", "narrow"], "long");
    const handle = cached(`l|${locale}|${type}|${style}`, () => native.listFormat(locale, type, style));
    return { handle, resolved: { locale, type, style } };
  }, {
    format: (s, list) => {
      const items = [];
      for (const item of list === undefined ? [] : list) {
        if (typeof item !== "string") throw new TypeError(`Iterable yielded ${String(item)} which is not a string`);
        items.push(toWellFormed.call(item));
      }
      return native.formatList(s.handle, items);
    },
    resolvedOptions: (s) => ({ ...s.resolved }),
  });

  // ---- RelativeTimeFormat ---------------------------------------------------------------------

  const RELATIVE_UNITS = ["second", "minute", "hour", "day", "week", "month", "quarter", "year"];

  // V8 reads the value, then the unit; "days" is "day". A unit it does not know goes to the
  // native side as written, which names it in its RangeError (as does a non-finite value).
  function relativeArguments(value, unit) {
    if (typeof value === "bigint") throw new TypeError("Cannot convert a BigInt value to a number");
    const number = +value; // ToNumber: a Symbol is a TypeError too
    const name = `${unit}`;
    const singular = name.endsWith("s") ? name.slice(0, -1) : name;
    return [number, RELATIVE_UNITS.includes(singular) ? singular : name];
  }

  const RelativeTimeFormat = defineClass("RelativeTimeFormat", (locales, options) => {
    const locale = resolveLocale(locales);
    const o = optionsObject(options);
    pick(o, "localeMatcher", ["lookup", "best fit"], "best fit");
    const style = pick(o, "style", ["long", "short", "narrow"], "long");
    const numeric = pick(o, "numeric", ["always", "auto"], "always");
    const handle = cached(`r|${locale}|${style}|${numeric}`, () => native.relativeTimeFormat(locale, style, numeric === "auto"));
    return { handle, resolved: { locale, style, numeric, numberingSystem: "latn" } };
  }, {
    resolvedOptions: (s) => ({ ...s.resolved }),
    format: (s, value, unit) => native.formatRelative(s.handle, ...relativeArguments(value, unit)),
    formatToParts: (s, value, unit) => {
      const [number, name] = relativeArguments(value, unit);
      const flat = native.formatRelativeToParts(s.handle, number, name);
      const parts = [];
      for (let i = 0; i < flat.length; i += 2) {
        parts.push(flat[i] === "literal" ? { type: "literal", value: flat[i + 1] } : { type: flat[i], value: flat[i + 1], unit: name });
      }
      return parts;
    },
  });

  // ---- installing -------------------------------------------------------------------------------

  const Intl = {};
  Object.defineProperty(Intl, Symbol.toStringTag, { value: "Intl", configurable: true });
  for (const [name, value] of Object.entries({ Collator, NumberFormat, DateTimeFormat, PluralRules, ListFormat, RelativeTimeFormat })) {
    hidden(Intl, name, value);
  }
  hidden(Intl, "getCanonicalLocales", (locales) => canonicalLocales(locales));
  hidden(globalThis, "Intl", Intl);

  function caseMap(upper) {
    return function (locales) {
      if (this == null) throw new TypeError("String.prototype.toLocaleUpperCase called on null or undefined");
      return native.caseMap(resolveLocale(locales), text(this), upper);
    };
  }

  function arrayToLocaleString(locales, options) {
    const array = Object(this);
    const parts = [];
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      parts.push(item == null ? "" : String(item.toLocaleString(locales, options)));
    }
    return parts.join(",");
  }

  const methods = [
    [String.prototype, "localeCompare", localeCompare, 1],
    [String.prototype, "toLocaleUpperCase", caseMap(true), 0],
    [String.prototype, "toLocaleLowerCase", caseMap(false), 0],
    [Number.prototype, "toLocaleString", numberToLocaleString, 0],
    [Date.prototype, "toLocaleString", dateMethod("all"), 0],
    [Date.prototype, "toLocaleDateString", dateMethod("date"), 0],
    [Date.prototype, "toLocaleTimeString", dateMethod("time"), 0],
    [Array.prototype, "toLocaleString", arrayToLocaleString, 0],
  ];
  for (const [target, name, fn, length] of methods) {
    Object.defineProperty(fn, "name", { value: name });
    Object.defineProperty(fn, "length", { value: length });
    hidden(target, name, fn);
  }
})
