/** The content type for a file name's extension, or `null`. */
export declare function getContentTypeFromFileName(fileName: string): string | null;
/** Reads a stream to its end into one ArrayBuffer. */
export declare function readableStreamToArrayBuffer(readable: ReadableStream<Uint8Array>): Promise<ArrayBuffer>;
