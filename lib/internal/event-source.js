"use strict";
// The source behind an SDK `EventStream` (lib/event-streams.js): batches of
// decoded events pulled from the stream's driver in Rust
// (src/binding/stream.rs), one batch per read that finds none left. A
// source is `{ buffer, index, done, error, fill(), cancel() }`: `fill`
// replaces the buffer with the next batch, sets `done` at the end, or throws
// the documented error that ends the stream; `error`, once set, is thrown
// when the events before it have been read.

/** How the SDK hands a source to the `EventStream` constructor. */
const kSource = Symbol("mix.eventSource");

/**
 * A source reading `native` (a `NativeStream`). `pull(native)` asks for a
 * batch and resolves with its outcome; `toError(outcome)` makes an ending
 * outcome the error the stream fails with; `onEnd()` runs once the stream
 * has ended, failed or been cancelled; `logger`, when set, is told of
 * skipped events. `source.fail(err)` ends the stream with `err` at once,
 * dropping the events fetched and not yet read (an abort).
 */
function nativeSource(native, { pull, toError, onEnd, logger }) {
  let ended = false;
  const end = () => {
    source.done = true;
    if (ended) return;
    ended = true;
    native.close();
    onEnd();
  };
  const drop = () => {
    source.buffer = [];
    source.index = 0;
  };
  const take = (text) => {
    if (ended) return; // cancelled or failed meanwhile: nothing more is read
    if (text === "") {
      end();
      return;
    }
    source.buffer = JSON.parse(text);
    source.index = 0;
  };
  const source = {
    buffer: [],
    index: 0,
    done: false,
    error: undefined,
    async fill() {
      const outcome = await pull(native);
      if (source.error !== undefined) throw source.error;
      if (typeof outcome === "string") return take(outcome);
      if (outcome.kind === "value") {
        if (logger !== undefined) logSkipped(logger, outcome.skipped);
        return take(outcome.value);
      }
      end();
      throw toError(outcome);
    },
    cancel() {
      drop();
      end();
    },
    fail(err) {
      if (ended) return;
      source.error = err;
      drop();
      end();
    },
  };
  return source;
}

/** Events of types the SDK does not know, skipped (SURFACE.md D3). */
function logSkipped(logger, skipped) {
  for (const name of skipped ?? []) {
    logger.log(name === "" ? "Skipped an event without a type" : `Skipped an event of unknown type "${name}"`);
  }
}

module.exports = { kSource, nativeSource };
