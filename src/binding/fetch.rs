//! Sends attempts through a JavaScript function when the caller gave the
//! client their own `HTTPClient`: the Rust engine still decides retries,
//! waits and limits, and each attempt is one call of the JS function, whose
//! hooks and fetcher then see it.
//!
//! Each attempt carries its call's number (the slot JS settles it under),
//! so JS can hand the error a fetcher threw to that call's error as its
//! `cause`, as the original does.
//!
//! An attempt resolves with the response head; its body is read through the
//! same function piece by piece as the engine asks (so the body limit holds
//! while reading, and an event stream's events arrive while the fetch's
//! body is still open).
//!
//! An attempt the engine gives up on (time limit, abort, worker shutdown),
//! or a body it stops reading, is cancelled in JS too: the same function is
//! called again with the attempt's number and no request, and JS aborts the
//! signal of the `Request` it handed to the fetcher, so the fetch and its
//! socket close at once. One function for all keeps them in order: JS
//! always sees an attempt before its body reads and its cancellation.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use mix_core::engine::latin1;
use mix_core::operation::headers_from_pairs;
use mix_core::transport::{
    Body, ExternalBody, ExternalFuture, ExternalRead, ExternalTransport, RawResponse,
};
use mix_core::{ClientError, ClientErrorKind};
use napi::bindgen_prelude::{Buffer, FnArgs, Promise};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use reqwest::header::HeaderMap;
use reqwest::{Method, Url};

/// What the JS attempt function resolves with: a response head, a piece of
/// its body, or a failure it classified as the original does (`errorKind`
/// `"connection"`, `"timeout"`, `"aborted"` or `"unexpected"`).
#[napi(object)]
pub struct NativeRawResponse {
    pub status: Option<u32>,
    /// Flat name, value, … pairs.
    pub headers: Option<Vec<String>>,
    /// A piece of the body (absent: its end).
    pub chunk: Option<Buffer>,
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
    pub error_code: Option<String>,
}

/// `(id, call, method, url, flat request headers, body, framing)` starts
/// attempt `id` of call `call` and resolves with its response head (an
/// upload's `body` is absent and `framing` holds the multipart framing
/// before and after its content, which JS reads itself);
/// `(id, call, "read", …)` resolves with the next piece of that response's
/// body (`call`: the call waiting for it, null for a stream's read after
/// its call settled); `(id, null, null, …)` cancels the attempt, or gives
/// up its body (its result is ignored).
pub type AttemptArgs = FnArgs<(
    u32,
    Option<u32>,
    Option<String>,
    Option<String>,
    Option<Vec<String>>,
    Option<Buffer>,
    Option<Vec<Buffer>>,
)>;

/// Weak, so a client with a custom HTTP client never keeps Node alive.
pub type AttemptFunction =
    ThreadsafeFunction<AttemptArgs, Promise<NativeRawResponse>, AttemptArgs, Status, false, true>;

pub struct JsFetch {
    function: Arc<AttemptFunction>,
    /// The number of the next attempt (wrapping is harmless: only attempts
    /// in flight need distinct numbers).
    next_id: AtomicU32,
}

impl JsFetch {
    pub fn new(function: AttemptFunction) -> Self {
        JsFetch {
            function: Arc::new(function),
            next_id: AtomicU32::new(0),
        }
    }
}

impl ExternalTransport for JsFetch {
    fn send(
        &self,
        tag: u32,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: &Body,
    ) -> ExternalFuture {
        let flat = headers
            .iter()
            .flat_map(|(name, value)| [name.to_string(), latin1(value.as_bytes())])
            .collect();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (body, framing) = match body {
            Body::Empty => (None, None),
            Body::Bytes(bytes) => (Some(Buffer::from(bytes.to_vec())), None),
            Body::Multipart(multipart) => {
                let (head, tail) = multipart.framing();
                (
                    None,
                    Some(vec![
                        Buffer::from(head.to_vec()),
                        Buffer::from(tail.to_vec()),
                    ]),
                )
            }
        };
        let args = FnArgs::from((
            id,
            Some(tag),
            Some(method.to_string()),
            Some(url.to_string()),
            Some(flat),
            body,
            framing,
        ));
        let function = Arc::clone(&self.function);
        Box::pin(async move {
            // Made in the same poll that queues the attempt: a future
            // dropped before its first poll queued nothing to cancel.
            let mut unfinished = Unfinished {
                function: Arc::clone(&function),
                id,
                settled: false,
            };
            let result = async {
                let promise = function.call_async_catch(args).await.map_err(js_failure)?;
                promise.await.map_err(js_failure)
            }
            .await;
            unfinished.settled = true;
            into_raw_response(result?, function, id)
        })
    }
}

/// The body of a response the JS function returned, read through it.
struct JsBody {
    function: Arc<AttemptFunction>,
    id: u32,
    /// Read to its end: nothing to give up when dropped.
    ended: bool,
}

impl ExternalBody for JsBody {
    fn read(&mut self, call: Option<u32>) -> ExternalRead<'_> {
        let args = FnArgs::from((
            self.id,
            call,
            Some("read".to_owned()),
            None,
            None,
            None,
            None,
        ));
        let function = Arc::clone(&self.function);
        Box::pin(async move {
            let result = async {
                let promise = function.call_async_catch(args).await.map_err(js_failure)?;
                promise.await.map_err(js_failure)
            }
            .await?;
            if let Some(error) = failure(&result) {
                self.ended = true; // JS has let go of it already
                return Err(error);
            }
            match result.chunk {
                Some(chunk) => Ok(Some(chunk.to_vec())),
                None => {
                    self.ended = true;
                    Ok(None)
                }
            }
        })
    }
}

impl Drop for JsBody {
    fn drop(&mut self) {
        if !self.ended {
            // Fails only when the environment is going away, and with it
            // the fetch.
            let _ = self.function.call(
                FnArgs::from((self.id, None, None, None, None, None, None)),
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        }
    }
}

/// Cancels attempt `id` in JS when dropped before it settled.
struct Unfinished {
    function: Arc<AttemptFunction>,
    id: u32,
    settled: bool,
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if !self.settled {
            // Fails only when the environment is going away, and with it
            // the fetch.
            let _ = self.function.call(
                FnArgs::from((self.id, None, None, None, None, None, None)),
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        }
    }
}

fn js_failure(err: napi::Error) -> ClientError {
    ClientError::new(ClientErrorKind::Unexpected, err.reason.clone(), None)
}

/// The failure a JS result reports, if it is one.
fn failure(raw: &NativeRawResponse) -> Option<ClientError> {
    let kind = raw.error_kind.as_deref()?;
    let kind = match kind {
        "connection" => ClientErrorKind::Connection,
        "timeout" => ClientErrorKind::Timeout,
        "aborted" => ClientErrorKind::Aborted,
        _ => ClientErrorKind::Unexpected,
    };
    let mut error = ClientError::new(kind, raw.error_message.clone().unwrap_or_default(), None);
    error.code = raw.error_code.clone();
    Some(error)
}

fn into_raw_response(
    raw: NativeRawResponse,
    function: Arc<AttemptFunction>,
    id: u32,
) -> Result<RawResponse, ClientError> {
    if let Some(error) = failure(&raw) {
        return Err(error);
    }
    // Made first, so that JS lets go of the body however this ends.
    let body: Box<dyn ExternalBody> = Box::new(JsBody {
        function,
        id,
        ended: false,
    });
    let status = raw
        .status
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| {
            ClientError::new(
                ClientErrorKind::Unexpected,
                "the HTTP client returned no valid status",
                None,
            )
        })?;
    Ok(RawResponse {
        status,
        headers: headers_from_pairs(&raw.headers.unwrap_or_default()),
        body,
    })
}
