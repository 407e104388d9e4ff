export declare function unpackHeaders(headers: Headers): Record<string, string[]>;
