"use strict";
// RetryConfig and BackoffStrategy are types only (see retries.d.ts); the
// retry engine itself is in Rust (crates/mix-core/src/retry.rs).
module.exports = {};
