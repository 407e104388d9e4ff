// ESM entry: RetryConfig and BackoffStrategy are types only.
export {};
