"use strict";
// `EventStream`: the `result` of `streaming.streamEvents`, a ReadableStream
// of decoded events that is also async-iterable, as in the original.
//
// The SDK's own streams are fed by the Rust core (src/binding/stream.rs):
// each read that finds nothing buffered asks the core for the next batch of
// events, already framed, validated and decoded. The stream has a
// high-water mark of 0, so it never reads ahead of the caller. Iterating
// with `for await` takes events from the batch directly (one promise per
// event, no stream queue in between) and otherwise behaves as the
// platform's iterator: it locks the stream, hands out events in order even
// to overlapping `next()` calls, and `return()` cancels the stream unless
// `preventCancel` was asked for.
//
// `new EventStream(body, parse)`, the original's public constructor, still
// works for a ReadableStream of bytes: it is framed by the same Rust parser
// and each message handed to `parse`.

const { EventFramer } = require("./internal/native.js");
const { kSource, fillOnce, pullOne } = require("./internal/event-source.js");

class EventStream extends ReadableStream {
  #source;
  #controller;

  constructor(responseBody, parse) {
    const source = responseBody?.[kSource] ?? framedSource(responseBody, parse);
    let controller;
    super(
      {
        start(c) {
          controller = c;
        },
        pull: (c) => pullOne(source, c),
        cancel: (reason) => source.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    this.#source = source;
    this.#controller = controller;
  }

  values(options) {
    return iterate(this.getReader(), this.#source, this.#controller, Boolean(options?.preventCancel));
  }

  [Symbol.asyncIterator](options) {
    return this.values(options);
  }
}

/**
 * The async iterator. When nothing must come before it (no read of this
 * iterator is pending, and the stream's own queue is empty: its desired
 * size is 0, and `null` once the stream has failed), `next()` takes an
 * event fetched already, or fetches the next batch itself, without the
 * stream's pull and queue in between: a lone event reaches the loop a few
 * promise hops sooner. Otherwise, and for the end and errors, the event
 * comes through the locked reader, whose reads are answered in order. It
 * locks the stream, and `return()` cancels it unless `preventCancel` was
 * asked for, as the platform's iterator does.
 */
function iterate(reader, source, controller, preventCancel) {
  let finished = false;
  let reading = 0;
  // The batch whose events were found free to hand out directly. The check
  // is made once per batch: while a batch lasts nothing can fill the
  // stream's queue (with a high-water mark of 0 it is pulled only for a
  // pending read, and the read takes what is pulled), and failing or
  // cancelling the stream drops the batch.
  let direct;
  const release = () => {
    if (finished) return;
    finished = true;
    reader.releaseLock();
  };
  const readThrough = () => {
    reading++;
    return reader.read().then(
      (result) => {
        reading--;
        if (result.done) release();
        return result;
      },
      (err) => {
        reading--;
        release();
        throw err;
      },
    );
  };
  // Fetches until an event is there, first in line; `null` sends the call
  // to the stream (the source ended, or failed: the stream fails with it).
  const fetchDirect = async () => {
    reading++;
    try {
      while (source.index >= source.buffer.length) {
        if (source.done || source.error !== undefined) return null;
        await fillOnce(source);
      }
      return { done: false, value: source.buffer[source.index++] };
    } catch (err) {
      controller.error(err);
      return null;
    } finally {
      reading--;
    }
  };
  return {
    next() {
      if (finished) return Promise.resolve({ done: true, value: undefined });
      if (reading === 0 && (direct === source.buffer || controller.desiredSize === 0)) {
        if (source.index < source.buffer.length) {
          direct = source.buffer;
          return Promise.resolve({ done: false, value: source.buffer[source.index++] });
        }
        if (!source.done && source.error === undefined) {
          return fetchDirect().then((result) => result ?? readThrough());
        }
      }
      return readThrough();
    },
    return(value) {
      if (finished) return Promise.resolve({ done: true, value });
      const cancelled = preventCancel ? Promise.resolve() : reader.cancel(value);
      release();
      return cancelled.then(() => ({ done: true, value }));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * A source over a byte stream the caller gave (the public constructor). A
 * source is `{ buffer, index, done, error, fill(), cancel() }` (see
 * internal/event-source.js).
 * Messages are handed to `parse` in order; what `parse` throws, or an event
 * longer than the framing limit, fails the stream after the events before
 * it, and cancels the byte stream, as the original does.
 */
function framedSource(responseBody, parse) {
  const upstream = responseBody.getReader();
  const framer = new EventFramer();
  const fail = (err) => {
    source.error = err;
    source.done = true;
    upstream.cancel(err).catch(() => {});
  };
  const source = {
    buffer: [],
    index: 0,
    done: false,
    error: undefined,
    async fill() {
      const chunk = await upstream.read();
      if (chunk.done) {
        source.done = true;
        return;
      }
      const events = [];
      for (const message of JSON.parse(framer.push(chunk.value))) {
        let item;
        try {
          item = parse(message);
        } catch (err) {
          fail(err);
          break;
        }
        if (item?.value) events.push(item.value);
        else if (item?.done) {
          source.done = true;
          await upstream.cancel("done");
          break;
        }
      }
      if (source.error === undefined && framer.failure != null) fail(new Error(framer.failure));
      source.buffer = events;
      source.index = 0;
    },
    cancel(reason) {
      source.done = true;
      source.buffer = [];
      source.index = 0;
      return upstream.cancel(reason);
    },
  };
  return source;
}

module.exports = { EventStream };
