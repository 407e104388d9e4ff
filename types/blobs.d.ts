export declare function isBlobLike(val: unknown): val is Blob;
