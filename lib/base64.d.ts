export declare function bytesToBase64(u8arr: Uint8Array): string;
export declare function bytesFromBase64(encoded: string): Uint8Array;
export declare function stringToBytes(str: string): Uint8Array;
export declare function stringFromBytes(u8arr: Uint8Array): string;
export declare function stringToBase64(str: string): string;
export declare function stringFromBase64(b64str: string): string;
