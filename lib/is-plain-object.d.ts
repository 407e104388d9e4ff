export declare function isPlainObject(value: unknown): value is object;
