"use strict";
// The source behind an SDK `EventStream` (lib/event-streams.js) or a
// download's `ReadableStream<Uint8Array>`: batches of decoded events (a
// tape, built into events by event-tape.js), or of bytes, pulled from the
// stream's driver in Rust (src/binding/stream.rs), one batch per read that
// finds none left. A
// source is `{ buffer, index, done, error, fill(), cancel() }`: `fill`
// replaces the buffer with the next batch, sets `done` at the end, or throws
// the documented error that ends the stream; `error`, once set, is thrown
// when the events before it have been read. `filling` is the fill under
// way, if any (see `fillOnce`).

const { readEvents } = require("./event-tape.js");
const readers = require("./event-readers.js");

/** How the SDK hands a source to the `EventStream` constructor. */
const kSource = Symbol("mix.eventSource");

/** The generated builder of the events of operation `op` (an event stream). */
function eventReader(op) {
  const result = op.value.fields.find((field) => field[2]?.events !== undefined);
  return readers[result[2].events.index];
}

/**
 * A source reading `native` (a `NativeStream`). `pull(native)` asks for a
 * batch and resolves with its outcome; `read` builds an event of the
 * stream's union from the tape (see `eventReader`); `toError(outcome)`
 * makes an ending outcome the error the stream fails with; `onEnd()` runs
 * once the stream has ended, failed or been cancelled; `logger`, when set,
 * is told of skipped events. `source.fail(err)` ends the stream with `err`
 * at once, dropping the events fetched and not yet read (an abort).
 */
function nativeSource(native, { pull, read, toError, onEnd, logger }) {
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
  const take = (events) => {
    if (ended) return; // cancelled or failed meanwhile: nothing more is read
    let built;
    try {
      built = readEvents(events, read);
    } catch (err) {
      // Not expected from a batch the core wrote; still the stream's error.
      end();
      throw toError({ kind: "unexpectedClient", detail: `a batch of events could not be read: ${err?.message ?? err}`, cause: err });
    }
    source.buffer = built;
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
      if (typeof outcome === "string") return end(); // "": the end
      if (Array.isArray(outcome)) {
        // A batch of events: [tape, narrow, wide, skipped types].
        if (logger !== undefined) logSkipped(logger, outcome[3]);
        return take(outcome);
      }
      if (outcome.kind === "value" && outcome.chunk != null) {
        if (ended) return;
        const chunk = outcome.chunk;
        source.buffer = [new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)];
        source.index = 0;
        return;
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

/**
 * Fills the source's buffer until it holds an item; false at the end;
 * throws the error that ended the source once its items are read.
 */
async function ready(source) {
  while (source.index >= source.buffer.length) {
    if (source.error !== undefined) throw source.error;
    if (source.done) return false;
    await fillOnce(source);
  }
  return true;
}

/**
 * `source.fill()`, or the fill already under way: a stream's pull and its
 * iterator may both ask, and each batch must be fetched once (a second
 * fill would replace the first's events).
 */
function fillOnce(source) {
  if (source.filling === undefined) {
    const done = () => {
      source.filling = undefined;
    };
    source.filling = source.fill().then(done, (err) => {
      done();
      throw err;
    });
  }
  return source.filling;
}

/** A ReadableStream `pull`: one item of the source, the end, or its error. */
async function pullOne(source, controller) {
  try {
    if (await ready(source)) controller.enqueue(source.buffer[source.index++]);
    else controller.close();
  } catch (err) {
    controller.error(err);
  }
}

/** A download's value: a ReadableStream of the source's Uint8Array chunks,
 * read only as the caller reads (high-water mark 0). */
function byteStream(source) {
  return new ReadableStream(
    { pull: (controller) => pullOne(source, controller), cancel: () => source.cancel() },
    { highWaterMark: 0 },
  );
}

/** Events of types the SDK does not know, skipped (SURFACE.md D3). */
function logSkipped(logger, skipped) {
  for (const name of skipped ?? []) {
    logger.log(name === "" ? "Skipped an event without a type" : `Skipped an event of unknown type "${name}"`);
  }
}

module.exports = { kSource, eventReader, nativeSource, fillOnce, pullOne, byteStream };
