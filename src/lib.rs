//! Node binding of the Mix client. `mix-core` does all the work; the
//! `binding` module is the only place napi types appear.
#![deny(clippy::all)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod binding;
