export type Result<T, E = unknown> = { ok: true; value: T; error?: never } | { ok: false; value?: never; error: E };
export declare function OK<V>(value: V): Result<V, never>;
export declare function ERR<E>(error: E): Result<never, E>;
/** The value of an ok Result; throws the error of a failed one. */
export declare function unwrap<T>(r: Result<T, unknown>): T;
export declare function unwrapAsync<T>(pr: Promise<Result<T, unknown>>): Promise<T>;
