//! Pure-Rust core of the Mix REST API client.
//!
//! Everything that decides what happens to a call lives here, with no Node
//! types: option resolution ([`config`]), URL joining ([`url`]), the retry
//! policy ([`retry`]), one HTTP attempt ([`transport`]), running a call with
//! its retries and limits ([`engine`]), the operation table and the one call path
//! every operation takes ([`operation`], [`generated`]), response decoding
//! against the generated schemas ([`schema`], [`decode`]), error messages
//! ([`message`]), secret masking for debug logs ([`redact`]), the
//! `text/event-stream` framing and the event streams read with it ([`sse`],
//! [`events`]), and the process-wide connection
//! pools with their trust stores and proxies ([`pool`], [`proxy`]). The
//! napi binding in the parent crate only converts values at the boundary.
#![deny(clippy::all)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod client;
pub mod config;
pub mod decode;
pub mod engine;
pub mod error;
pub mod events;
pub mod generated;
pub mod memory;
pub mod message;
pub mod operation;
pub mod pool;
pub mod proxy;
pub mod redact;
pub mod retry;
pub mod schema;
pub mod sse;
pub mod tape;
pub mod transport;
pub mod upload;
pub mod url;

pub use client::Client;
pub use config::{BackoffConfig, CallOptions, ClientConfig, Limits, RetryConfig};
pub use decode::{Invalid, Issue};
pub use engine::AttemptLog;
pub use error::{ClientError, ClientErrorKind};
pub use operation::{
    CallOutcome, CallResult, Decoded, OpenStream, Request, ResponseParts, Validated,
};
pub use pool::NetworkConfig;
pub use proxy::ProxyConfig;
