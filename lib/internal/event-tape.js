"use strict";
// Reads a batch of events the Rust core wrote as a tape
// (crates/mix-core/src/tape.rs, which describes the format): the
// generated reader of the stream's union (event-readers.js) asks this one
// for each field's value in declaration order.
//
// Every string is copied out of the batch into a string of its own, so an
// event kept by the caller never keeps its batch alive. Short strings are
// sliced from the batch's one-byte text, which V8 copies below 13
// characters (a `SlicedString` starts there); JavaScriptCore (Bun) shares
// every slice with its base, so there all strings are copied from the
// bytes. A small batch's strings are all sliced (see SMALL_TEXT).

/** The member word of an event written as JSON text. */
const JSON_EVENT = -1;
/** The start word of an absent string, or the word of an absent boolean. */
const ABSENT = -1;
/** Strings shorter than this are sliced from the batch's text. */
const SLICED_BELOW = process.versions.bun === undefined ? 13 : 0;
/**
 * A batch with at most this much one-byte text (a lone event's) has all
 * its strings sliced from its text: what an event then keeps alive is at
 * most this, and a lone event reaches the loop sooner.
 */
const SMALL_TEXT = 1024;

// `buffer.toString(encoding, start, end)` without its argument checks and
// encoding lookup, where the runtime's Buffer has the methods it calls
// (Node, Bun and Deno do): bytes `start` to `end` of the buffer as a string.
const { prototype } = require("node:buffer").Buffer;
const latin1 =
  typeof prototype.latin1Slice === "function"
    ? (buffer, start, end) => buffer.latin1Slice(start, end)
    : (buffer, start, end) => buffer.toString("latin1", start, end);
const utf16 =
  typeof prototype.ucs2Slice === "function"
    ? (buffer, start, end) => buffer.ucs2Slice(start, end)
    : (buffer, start, end) => buffer.toString("utf16le", start, end);

class TapeReader {
  constructor(tape, narrow, wide) {
    this.tape = tape;
    this.at = 0;
    this.narrow = narrow;
    this.wide = wide;
    this.latin1 = latin1(narrow, 0, narrow.length);
    this.sliceBelow = narrow.length <= SMALL_TEXT ? Infinity : SLICED_BELOW;
  }

  /** A string, or undefined for an absent one. */
  text() {
    const start = this.tape[this.at];
    const length = this.tape[this.at + 1];
    this.at += 2;
    if (start >= 0) {
      return length < this.sliceBelow ? this.latin1.slice(start, start + length) : latin1(this.narrow, start, start + length);
    }
    if (start === ABSENT) return undefined;
    const units = -2 - start;
    return utf16(this.wide, 2 * units, 2 * (units + length));
  }

  /** A number (its JSON text on the tape), or undefined. */
  number() {
    const text = this.text();
    return text === undefined ? undefined : Number(text);
  }

  /** A boolean, or undefined. */
  bool() {
    const word = this.tape[this.at++];
    return word === ABSENT ? undefined : word === 1;
  }

  /** An event the schema decoder wrote as JSON text. */
  json() {
    const start = this.tape[this.at];
    const length = this.tape[this.at + 1];
    this.at += 2;
    return JSON.parse(this.latin1.slice(start, start + length));
  }
}

/** The events of `batch` (`[tape, narrow, wide]`), built by `read`. */
function readEvents(batch, read) {
  const reader = new TapeReader(batch[0], batch[1], batch[2]);
  const { tape } = reader;
  const events = [];
  while (reader.at < tape.length) {
    const member = tape[reader.at++];
    events.push(member === JSON_EVENT ? reader.json() : read(member, reader));
  }
  return events;
}

module.exports = { readEvents };
