//! Pure-Rust core of the Mix REST API client.
//!
//! Everything that decides what happens to a call lives here, with no Node
//! types: option resolution ([`config`]), URL joining ([`url`]), the retry
//! policy ([`retry`]), one HTTP attempt ([`transport`]), running a call with
//! its retries and limits ([`engine`]), response decoding ([`decode`]), error
//! messages ([`message`]), secret masking for debug logs ([`redact`]) and the
//! operations themselves ([`operations`]), and the process-wide connection
//! pools with their trust stores and proxies ([`pool`], [`proxy`]). The
//! napi binding in the parent crate only converts values at the boundary.
#![deny(clippy::all)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod client;
pub mod config;
pub mod decode;
pub mod engine;
pub mod error;
pub mod memory;
pub mod message;
pub mod operations;
pub mod pool;
pub mod proxy;
pub mod redact;
pub mod retry;
pub mod transport;
pub mod url;

pub use client::Client;
pub use config::{BackoffConfig, CallOptions, ClientConfig, Limits, RetryConfig};
pub use decode::{Decoded, Issue, RefreshValue, RestError};
pub use engine::AttemptLog;
pub use error::{ClientError, ClientErrorKind};
pub use operations::{CallOutcome, CallResult, ResponseParts};
pub use pool::NetworkConfig;
pub use proxy::ProxyConfig;
