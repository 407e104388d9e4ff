//! The napi surface consumed by `index.js` (generated into `binding.js` /
//! `binding.d.ts`): the client class, the cancellation handle, the event-stream handle, the outcome
//! objects and synchronous helpers; plus the I/O threads the calls run on and
//! the way their outcomes get back to JS. Nothing here decides how a call
//! behaves; it converts values and maps `mix-core` results to plain objects.

pub mod cancel;
pub mod client;
pub mod completions;
pub mod fetch;
pub mod helpers;
pub mod options;
pub mod outcome;
pub mod runtime;
pub mod stream;
pub mod text;
pub mod upload;
