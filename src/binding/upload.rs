//! An upload's content read from JavaScript (a `Blob` or a
//! `ReadableStream`, see `lib/internal/upload.js`) as the connection sends
//! it: the core asks for the next pieces of an attempt, and the call's read
//! function in JS resolves with a batch of chunks (or nothing at the end).
//!
//! The chunks are not copied: each is held (a reference to its JS memory)
//! until the connection has written it, as `fetch` holds the chunks of a
//! stream body; they are let go of on the JS thread (napi-rs hands the
//! release back to it). A chunk belongs to the reader once a stream has
//! given it, and a Blob's slices are ours alone.
//!
//! The read function is the call's own, made into a weak threadsafe
//! function: the call itself keeps Node alive while it runs, and the
//! function goes when the call's body does.

use std::sync::Arc;

use bytes::Bytes;
use mix_core::upload::{SourceRead, UploadSource};
use napi::bindgen_prelude::{
    Array, FromNapiValue, Function, Promise, TypeName, Uint8Array, ValueType,
};
use napi::threadsafe_function::ThreadsafeFunction;
use napi::{sys, Result, Status};

/// One read's result: the chunks, or `None` at the end.
pub struct Piece(Option<Vec<Bytes>>);

impl TypeName for Piece {
    fn type_name() -> &'static str {
        "Array<Uint8Array> | null"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl FromNapiValue for Piece {
    /// `null`/`undefined`: the end; an array of `Uint8Array`s: the chunks
    /// (anything else in it is an error, which fails the read).
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        let mut kind = 0;
        // SAFETY: on the JS thread (a promise's value is converted there),
        // with a live value.
        napi::check_status!(unsafe { sys::napi_typeof(env, value, &mut kind) })?;
        if kind == sys::ValueType::napi_null || kind == sys::ValueType::napi_undefined {
            return Ok(Piece(None));
        }
        // SAFETY: as above.
        let array = unsafe { Array::from_napi_value(env, value) }?;
        let mut chunks = Vec::with_capacity(array.len() as usize);
        for index in 0..array.len() {
            let chunk: Option<Uint8Array> = array.get(index)?;
            let chunk = chunk.ok_or_else(|| {
                napi::Error::new(Status::InvalidArg, "an upload chunk is missing")
            })?;
            chunks.push(Bytes::from_owner(chunk));
        }
        Ok(Piece(Some(chunks)))
    }
}

/// `(attempt) => Promise<Array<Uint8Array> | null>`: the next chunks of the
/// content for that attempt (a new number starts it again).
pub type ReadFunction = ThreadsafeFunction<u32, Promise<Piece>, u32, Status, false, true>;

/// The content of one call's upload, read through its JS read function.
pub struct JsSource {
    function: Arc<ReadFunction>,
}

impl JsSource {
    /// Must run on the JS thread (it makes the threadsafe function).
    pub fn new(read: Function<u32, Promise<Piece>>) -> Result<JsSource> {
        let function = read
            .build_threadsafe_function()
            .callee_handled::<false>()
            .weak::<true>()
            .build()?;
        Ok(JsSource {
            function: Arc::new(function),
        })
    }
}

impl UploadSource for JsSource {
    fn read(&self, attempt: u32) -> SourceRead {
        let function = Arc::clone(&self.function);
        Box::pin(async move {
            let promise = function
                .call_async_catch(attempt)
                .await
                .map_err(|e| e.reason.clone())?;
            let piece = promise.await.map_err(|e| e.reason.clone())?;
            Ok(piece.0)
        })
    }
}
