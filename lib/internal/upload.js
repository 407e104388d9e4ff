"use strict";
// The file of an upload (`files.upload`) as the binding takes it: the
// part's file name and content type by the original's rules (SURFACE §7),
// and its content, either bytes (copied once, at the call) or a `Blob` or
// `ReadableStream` read as the connection sends it (src/binding/upload.rs
// asks for the next chunks of an attempt). The multipart framing itself is
// the Rust core's (crates/mix-core/src/upload.rs).
//
// A source is read ahead into a small queue (at most QUEUE_BYTES) while the
// core sends what it took last: each ask takes everything queued, so chunks
// go over in batches when the connection is the slower side and one at a
// time when the source is, with no wait added either way. A `Blob` is read
// a slice at a time (`blob.stream()` of a Blob held in memory is one chunk
// of its whole size: a second copy of it), again from its start for each
// attempt; a stream once (the core makes no further attempt after its
// first read).

const { getContentTypeFromFileName } = require("../files.js");

const OCTET = "application/octet-stream";

/** The most bytes read ahead of what the connection has taken. */
const QUEUE_BYTES = 2 * 1024 * 1024;

/** The size of the slices a `Blob` is read in. */
const SLICE_BYTES = 1024 * 1024;

/** Reads a Blob a slice at a time, with a stream reader's interface. */
class SliceReader {
  #blob;
  #at = 0;
  constructor(blob) {
    this.#blob = blob;
  }
  async read() {
    if (this.#at >= this.#blob.size) return { done: true, value: undefined };
    const end = Math.min(this.#at + SLICE_BYTES, this.#blob.size);
    // A slice of its own: the binding holds it, uncopied, until it is sent.
    const value = new Uint8Array(await this.#blob.slice(this.#at, end).arrayBuffer());
    this.#at = end;
    return { done: false, value };
  }
  cancel() {
    this.#at = Infinity;
    return Promise.resolve();
  }
}

/**
 * A content type as a `Blob` keeps it: lower-cased, or "" when it holds a
 * character outside U+0020–U+007E (the original passes its type through a
 * `Blob`). Empty sends `application/octet-stream`, as `FormData` does.
 */
function partType(type) {
  const text = String(type);
  return (/^[\x20-\x7e]*$/.test(text) ? text.toLowerCase() : "") || OCTET;
}

/**
 * The upload of a validated `file` (a `Blob`, or `{ fileName, content }`):
 * `{ part, read, failure, close }`. `part` is the binding's
 * `NativeMultipart`; `read` its read function (absent for bytes).
 */
function uploadOf(file) {
  if (file instanceof Blob) {
    // `FormData` names a plain Blob "blob" and gives a File named "" no
    // file name at all.
    const filename = file instanceof File ? file.name || undefined : "blob";
    return new Upload({ filename, contentType: file.type || OCTET, size: file.size, replayable: true }, file);
  }
  const { fileName, content } = file;
  // The original puts a name and content into a Blob typed by the name's
  // extension and appends it with the name ("" appends it unnamed: "blob").
  const part = { filename: fileName || "blob", contentType: partType(getContentTypeFromFileName(fileName) || OCTET) };
  if (content instanceof Blob) return new Upload({ ...part, size: content.size, replayable: true }, content);
  if (content instanceof ReadableStream) return new Upload({ ...part, replayable: false }, content);
  // Copied now, as the original copies them into a Blob at the call: later
  // changes to the caller's bytes do not change the upload. The binding and
  // a caller's HTTPClient both send this copy.
  const view = content instanceof ArrayBuffer ? new Uint8Array(content) : content;
  const bytes = Buffer.allocUnsafe(view.byteLength);
  bytes.set(view);
  return new Upload({ ...part, bytes }, undefined);
}

class Upload {
  /** The binding's `NativeMultipart`. */
  part;
  /** What the source threw while read, if it did: the error's `cause`. */
  failure = undefined;
  /** The content: a `Blob`, a `ReadableStream`, or none (bytes). */
  #source;
  #attempt = -1;
  #reader = undefined;
  #queue = [];
  #queued = 0;
  #ended = false;
  #pumping = false;
  /** The binding's pending read, waiting for chunks. */
  #waiting = undefined;
  #closed = false;

  constructor(part, source) {
    this.part = part;
    this.#source = source;
    // The binding calls it unbound, from another thread's request.
    this.read = source === undefined ? undefined : (attempt) => this.#read(attempt);
  }

  /** The content for a call made by a caller's HTTP client: a `Blob`
   * (sized, replayable) or a `ReadableStream`, framed by `head` and `tail`. */
  bodyFor(head, tail) {
    const content = this.#source ?? this.part.bytes;
    if (!(content instanceof ReadableStream)) return new Blob([head, content, tail]);
    const reader = content.getReader();
    let step = 0;
    return new ReadableStream({
      pull: async (controller) => {
        if (step === 0) {
          step = 1;
          controller.enqueue(head);
          return;
        }
        if (step === 1) {
          let read;
          try {
            read = await reader.read();
          } catch (err) {
            this.failure ??= err;
            throw err;
          }
          const { done, value } = read;
          if (!done) {
            controller.enqueue(value);
            return;
          }
          step = 2;
          controller.enqueue(tail);
          return;
        }
        controller.close();
      },
      cancel: (reason) => reader.cancel(reason),
    });
  }

  /** Lets go of the source once the call is over. */
  close() {
    this.#closed = true;
    this.#stop("the upload is over");
  }

  /** The next chunks of attempt `attempt`: a promise of a non-empty array,
   * or of null at the end; rejects when the source fails, the upload is
   * over, or a later attempt has started. Never throws. */
  #read(attempt) {
    if (this.#closed) return Promise.reject(new Error("the upload is over"));
    // A late read of an attempt a newer one replaced (its connection may
    // still be writing): it must not restart the content under the newer.
    if (attempt < this.#attempt) return Promise.reject(new Error("a later attempt took over the upload"));
    if (attempt !== this.#attempt) {
      this.#stop();
      this.#attempt = attempt;
      try {
        const source = this.#source;
        if (source instanceof Blob) this.#reader = new SliceReader(source);
        else if (source.locked) throw new TypeError("the upload's stream is locked (already being read)");
        else this.#reader = source.getReader();
      } catch (err) {
        this.failure ??= err;
        return Promise.reject(err);
      }
      this.#pump(this.#reader);
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#wake();
    });
  }

  /** Hands the queue, the end or the failure to a waiting read. */
  #wake() {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    if (this.#closed) {
      this.#waiting = undefined;
      waiting.reject(new Error("the upload is over"));
    } else if (this.failure !== undefined) {
      this.#waiting = undefined;
      waiting.reject(this.failure);
    } else if (this.#queue.length > 0) {
      this.#waiting = undefined;
      const chunks = this.#queue;
      this.#queue = [];
      this.#queued = 0;
      waiting.resolve(chunks);
      this.#pump(this.#reader);
    } else if (this.#ended) {
      this.#waiting = undefined;
      waiting.resolve(null);
    }
  }

  /** Reads from `reader` until the queue is full or the source ends. */
  async #pump(reader) {
    if (this.#pumping || this.#ended) return;
    this.#pumping = true;
    try {
      while (this.#queued < QUEUE_BYTES && reader === this.#reader) {
        const { done, value } = await reader.read();
        if (reader !== this.#reader) return; // an attempt that is over
        if (done) {
          this.#ended = true;
          break;
        }
        if (!(value instanceof Uint8Array)) throw new TypeError("an upload stream must give Uint8Array chunks");
        if (value.byteLength === 0) continue;
        // The binding sends chunks in place, from another thread: a stream's
        // chunk is the caller's memory (it could be transferred, resized or
        // shared), so it goes as a copy; a Blob's slices are ours alone.
        this.#queue.push(reader instanceof SliceReader ? value : new Uint8Array(value));
        this.#queued += value.byteLength;
        this.#wake();
      }
    } catch (err) {
      if (reader === this.#reader) this.failure ??= err;
    } finally {
      if (reader === this.#reader) this.#pumping = false;
      this.#wake();
    }
  }

  /** Drops the current attempt's reading; its read, if one waits, fails. */
  #stop(why = "a later attempt took over the upload") {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(new Error(why));
    const reader = this.#reader;
    this.#reader = undefined;
    this.#queue = [];
    this.#queued = 0;
    this.#ended = false;
    this.#pumping = false;
    if (reader !== undefined) reader.cancel().catch(() => {});
  }
}

module.exports = { uploadOf };
