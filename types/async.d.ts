import type { Result } from "./fp.js";

export type APICall =
  | { status: "complete"; request: Request; response: Response }
  | { status: "request-error"; request: Request; response?: undefined }
  | { status: "invalid"; request?: undefined; response?: undefined };

/** Awaitable like a Promise of `T`; `$inspect()` adds the APICall. */
export declare class APIPromise<T> implements Promise<T> {
  constructor(p: [T, APICall] | Promise<[T, APICall]>);
  readonly [Symbol.toStringTag]: string;
  then<TResult1 = T, TResult2 = never>(
    onfulfilled?: ((value: T) => TResult1 | PromiseLike<TResult1>) | null | undefined,
    onrejected?: ((reason: any) => TResult2 | PromiseLike<TResult2>) | null | undefined,
  ): Promise<TResult1 | TResult2>;
  catch<TResult = never>(
    onrejected?: ((reason: any) => TResult | PromiseLike<TResult>) | null | undefined,
  ): Promise<T | TResult>;
  finally(onfinally?: (() => void) | null | undefined): Promise<T>;
  $inspect(): Promise<[T, APICall]>;
}
