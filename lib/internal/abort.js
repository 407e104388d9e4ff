"use strict";
// Bridges callers' AbortSignals to the Rust cancellation handles of their
// calls. Each signal gets exactly one "abort" listener, however many calls
// share it (so 1,000 concurrent calls on one signal raise no
// MaxListenersExceededWarning), and the listener is removed as soon as the
// signal's last pending call settles. The caller's own onabort and listeners
// are never touched.

/** signal -> { handles: Set<CancelHandle>, onAbort } */
const watched = new WeakMap();

function watch(signal, handle) {
  let entry = watched.get(signal);
  if (entry === undefined) {
    const handles = new Set();
    const onAbort = () => {
      watched.delete(signal);
      for (const h of handles) h.cancel();
      handles.clear();
    };
    entry = { handles, onAbort };
    watched.set(signal, entry);
    signal.addEventListener("abort", onAbort, { once: true });
  }
  entry.handles.add(handle);
}

function unwatch(signal, handle) {
  const entry = watched.get(signal);
  if (entry === undefined) return;
  entry.handles.delete(handle);
  if (entry.handles.size === 0) {
    watched.delete(signal);
    signal.removeEventListener("abort", entry.onAbort);
  }
}

module.exports = { watch, unwatch };
