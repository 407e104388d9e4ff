declare const __brand: unique symbol;
export type Unrecognized<T> = T & { [__brand]: "unrecognized" };
export type ClosedEnum<T> = T[keyof T];
export type OpenEnum<T> = T[keyof T] | Unrecognized<T[keyof T] extends number ? number : string>;
export declare function catchUnrecognizedEnum<T>(value: T): Unrecognized<T>;
