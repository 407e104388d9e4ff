export type ExactPartial<T> = { [P in keyof T]?: T[P] | undefined };
export type Remap<Inp, Mapping extends { [k in keyof Inp]?: string | null }> = {
  [k in keyof Inp as Mapping[k] extends string ? Mapping[k] : Mapping[k] extends null ? never : k]: Inp[k];
};
export declare function invariant(condition: unknown, message: string): asserts condition;
export declare function remap<
  Inp extends Record<string, unknown>,
  const Mapping extends { [k in keyof Inp]?: string | null },
>(inp: Inp, mappings: Mapping): Remap<Inp, Mapping>;
export declare function abortSignalAny(signals: AbortSignal[]): AbortSignal;
export declare function combineSignals(...signals: Array<AbortSignal | null | undefined>): AbortSignal | null;
export declare function compactMap<T>(values: Record<string, T | undefined>): Record<string, T>;
export declare function allRequired<V extends Record<string, unknown>>(v: V): { [K in keyof V]: NonNullable<V[K]> } | undefined;
