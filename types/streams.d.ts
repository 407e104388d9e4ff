export declare function isReadableStream<T = Uint8Array>(val: unknown): val is ReadableStream<T>;
