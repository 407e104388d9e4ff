"use strict";
// `EventStream`: the `result` of `streaming.streamEvents`, a ReadableStream
// of decoded events that is also async-iterable, as in the original.
//
// The SDK's own streams are fed by the Rust core (src/binding/stream.rs):
// each read that finds nothing buffered asks the core for the next batch of
// events, already framed, validated and decoded; nothing is read from the
// connection until then. The stream has a high-water mark of 0, so it never
// reads ahead of the caller. Iterating with `for await` takes events from
// the batch directly (one promise per event, no stream queue in between),
// with the same locking, ending and cancelling as the platform's iterator.
//
// `new EventStream(body, parse)`, the original's public constructor, still
// works for a ReadableStream of bytes: it is framed by the same Rust parser
// and each message handed to `parse`.

const { EventFramer } = require("./internal/native.js");
const { kSource } = require("./internal/event-source.js");

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

  [Symbol.asyncIterator]() {
    return iterate(this.getReader(), this.#source, this.#controller);
  }
}

/** Fills `source.buffer` until it holds an event; false at the end. */
async function ready(source) {
  while (source.index >= source.buffer.length) {
    if (source.done) return false;
    await source.fill();
  }
  return true;
}

async function pullOne(source, controller) {
  try {
    if (await ready(source)) controller.enqueue(source.buffer[source.index++]);
    else controller.close();
  } catch (err) {
    controller.error(err);
  }
}

/**
 * The async iterator: events already fetched are handed out directly; only
 * when none is left (or when the stream's own queue holds an event, which
 * must come first) does it read through the locked reader.
 */
function iterate(reader, source, controller) {
  let finished = false;
  const end = () => {
    finished = true;
    reader.releaseLock();
  };
  return {
    next() {
      if (finished) return Promise.resolve({ done: true, value: undefined });
      if (source.index < source.buffer.length && controller.desiredSize === 0) {
        return Promise.resolve({ done: false, value: source.buffer[source.index++] });
      }
      return reader.read().then(
        (result) => {
          if (result.done) end();
          return result;
        },
        (err) => {
          end();
          throw err;
        },
      );
    },
    return(value) {
      if (finished) return Promise.resolve({ done: true, value });
      finished = true;
      const cancelled = reader.cancel();
      reader.releaseLock();
      return cancelled.then(() => ({ done: true, value }));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** A source over a byte stream the caller gave (the public constructor). */
function framedSource(responseBody, parse) {
  const upstream = responseBody.getReader();
  const framer = new EventFramer();
  const source = {
    buffer: [],
    index: 0,
    done: false,
    async fill() {
      const chunk = await upstream.read();
      if (chunk.done) {
        source.done = true;
        return;
      }
      const messages = JSON.parse(framer.push(chunk.value));
      const events = [];
      for (const message of messages) {
        const item = parse(message);
        if (item?.value) events.push(item.value);
        else if (item?.done) {
          source.done = true;
          await upstream.cancel("done");
          break;
        }
      }
      source.buffer = events;
      source.index = 0;
    },
    cancel(reason) {
      source.done = true;
      return upstream.cancel(reason);
    },
  };
  return source;
}

module.exports = { EventStream };
