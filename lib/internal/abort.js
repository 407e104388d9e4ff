"use strict";
// Bridges callers' AbortSignals to the Rust cancellation handles of their
// calls. Each signal gets exactly one "abort" listener, however many calls
// share it (so 1,000 concurrent calls on one signal raise no
// MaxListenersExceededWarning), and the listener is removed as soon as the
// signal's last pending call settles. The caller's own onabort and listeners
// are never touched.
//
// On abort each call is cancelled in Rust (which drops its request or wakes
// its wait) and settled at once through its `onCallAbort`, without waiting for the
// native side to report back: with 1,000 calls on one signal that round trip,
// queued behind the teardown of 1,000 connections, would put the last
// rejection well over 100 ms after the abort.

/** signal -> { handles: Map<CancelHandle, onCallAbort>, onAbort } */
const watched = new WeakMap();

function watch(signal, handle, onCallAbort) {
  let entry = watched.get(signal);
  if (entry === undefined) {
    const handles = new Map();
    const onAbort = () => {
      watched.delete(signal);
      for (const h of handles.keys()) h.cancel();
      for (const settle of handles.values()) settle();
      handles.clear();
    };
    entry = { handles, onAbort };
    signal.addEventListener("abort", onAbort, { once: true });
    watched.set(signal, entry);
  }
  entry.handles.set(handle, onCallAbort);
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
