"use strict";
// Small helpers of the original's generated code.

class InvariantError extends Error {
  constructor(message) {
    super(message);
    this.name = "InvariantError";
  }
}

function invariant(condition, message) {
  if (!condition) throw new InvariantError(message);
}

/** Renames keys by `mappings` (`null` drops a key; unmapped keys stay). */
function remap(inp, mappings) {
  if (Object.keys(mappings).length === 0) return inp;
  const out = {};
  for (const [k, v] of Object.entries(inp)) {
    const to = mappings[k];
    if (to === null) continue;
    out[to ?? k] = v;
  }
  return out;
}

/** One signal that aborts when any of `signals` does. */
function abortSignalAny(signals) {
  const controller = new AbortController();
  if (signals.length === 0) return controller.signal;
  if (signals.length === 1) return signals[0] || controller.signal;
  for (const signal of signals) if (signal.aborted) return signal;
  const refs = [];
  function abort() {
    controller.abort(this.reason);
    for (const ref of refs) ref.deref()?.removeEventListener("abort", abort);
  }
  for (const signal of signals) {
    refs.push(new WeakRef(signal));
    signal.addEventListener("abort", abort);
  }
  return controller.signal;
}

/** The given signals combined; `null` when there are none. */
function combineSignals(...signals) {
  const present = signals.filter(Boolean);
  if (present.length <= 1) return present[0] || null;
  return typeof AbortSignal.any === "function" ? AbortSignal.any(present) : abortSignalAny(present);
}

/** `values` without its undefined entries. */
function compactMap(values) {
  const out = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return out;
}

/** `v` itself, or undefined when every value in it is null or undefined. */
function allRequired(v) {
  return Object.values(v).every((x) => x == null) ? undefined : v;
}

module.exports = { invariant, remap, abortSignalAny, combineSignals, compactMap, allRequired };
