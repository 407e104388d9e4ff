/** One server-sent event as framed, before its data is decoded. */
export type SseMessage<T> = {
  data?: T | undefined;
  event?: string | undefined;
  id?: string | undefined;
  retry?: number | undefined;
};

/**
 * A `ReadableStream` of decoded events that is also async-iterable: the
 * `result` of `streaming.streamEvents`. Events are read from the connection
 * only as they are asked for; `cancel()`, `break` or `return()` close it.
 */
export declare class EventStream<T extends SseMessage<unknown>> extends ReadableStream<T> {
  /** Frames a byte stream and hands each message to `parse`. */
  constructor(
    responseBody: ReadableStream<Uint8Array>,
    parse: (x: SseMessage<string>) => IteratorResult<T, undefined>,
  );
  [Symbol.asyncIterator](): AsyncIterableIterator<T>;
}
