//! `NativeStream`: the body of one call whose value is a stream (an event
//! stream's events, a download's bytes), handed to JS as it asks for it.
//!
//! JS makes the handle before the call and passes it to
//! `NativeClient.call`. When the response opens, the call's task settles
//! the call (an event stream's value holds the headers) and stays on as the stream's
//! driver: the one owner of the open response, on the I/O thread that
//! opened its connection. Each `next(slot)` from JS is one request for a
//! batch, settled under `slot` through the environment's delivery like a
//! call (so a pending `next` keeps Node alive, as a pending read of a
//! `fetch` body does, and an idle stream does not). Having answered one, the
//! driver makes the next batch while JS works through the last, and then
//! reads nothing more until JS asks: the connection is read at most one
//! batch ahead of the consumer (see `mix_core::events` for a batch's bounds).
//!
//! The stream ends for good, dropping the response (the server sees the
//! connection close at once), when the body ends or fails, when JS calls
//! `close()` (`cancel()`, `break`), when the handle is collected, or when
//! the call's cancellation token fires (the caller's signal, or the
//! environment being torn down).

use std::sync::{Arc, Mutex, OnceLock};

use mix_core::decode::issues_json;
use mix_core::events::Batch;
use mix_core::sse::Parser;
use mix_core::{ClientError, Invalid, OpenStream, ResponseParts};
use napi::{Error, Result, Status};
use napi_derive::napi;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::completions::{Completer, Completions};
use super::outcome::{client_outcome, response_outcome, NativeOutcome, Settled};
use super::text::{Bytes, EventBatch};

/// One request for a batch: settled with a batch (an outcome holding its
/// events or bytes), `""` once the stream has ended, or an error outcome.
type Pull = Completer;

#[napi]
pub struct NativeStream {
    shared: Arc<Shared>,
}

struct Shared {
    pulls: mpsc::UnboundedSender<Pull>,
    /// Taken by the call that opens the stream.
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Pull>>>,
    /// Set by that call: the delivery `next` settles through.
    completions: OnceLock<Completions>,
    /// Cancelled by `close()` or when the handle is dropped.
    closed: CancellationToken,
}

/// What a call needs to drive the stream it opens.
pub struct Attached {
    pulls: mpsc::UnboundedReceiver<Pull>,
    closed: CancellationToken,
}

#[napi]
impl NativeStream {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let (pulls, receiver) = mpsc::unbounded_channel();
        NativeStream {
            shared: Arc::new(Shared {
                pulls,
                receiver: Mutex::new(Some(receiver)),
                completions: OnceLock::new(),
                closed: CancellationToken::new(),
            }),
        }
    }

    /// Asks for the next batch of events, settled under `slot`. Only after
    /// the call that opened the stream has settled.
    #[napi]
    pub fn next(&self, slot: u32) -> Result<()> {
        let Some(completions) = self.shared.completions.get() else {
            return Err(Error::new(
                Status::InvalidArg,
                "the stream's call has not started",
            ));
        };
        let pull = completions.start(slot);
        if let Err(mpsc::error::SendError(pull)) = self.shared.pulls.send(pull) {
            // The driver is gone: the stream has ended.
            pull.finish(Settled::Value(String::new()));
        }
        Ok(())
    }

    /// Ends the stream and closes its connection; idempotent. A pending
    /// `next` settles as the end.
    #[napi]
    pub fn close(&self) {
        self.shared.closed.cancel();
    }
}

impl Drop for NativeStream {
    fn drop(&mut self) {
        self.shared.closed.cancel();
    }
}

impl NativeStream {
    /// Called on the JS thread as the call starts: the pulls it will
    /// answer. `None` when the handle was already used for another call.
    pub fn attach(&self, completions: &Completions) -> Option<Attached> {
        let pulls = self
            .shared
            .receiver
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()?;
        let _ = self.shared.completions.set(completions.clone());
        Some(Attached {
            pulls,
            closed: self.shared.closed.clone(),
        })
    }
}

/// How the driver answers pulls once the stream has ended.
enum Ended {
    /// The body ended, failed, or a misfit event ended it: the end.
    Done,
    /// The caller's signal fired.
    Aborted,
}

/// Answers the stream's pulls until it ends (see the module); `debug` adds
/// the skipped events' types to batches.
pub async fn drive(opened: OpenStream, attached: Attached, cancel: CancellationToken, debug: bool) {
    let Attached { mut pulls, closed } = attached;
    let OpenStream {
        reader,
        response,
        url,
    } = opened;
    let mut reader = Some(reader);
    let mut ended = Ended::Done;
    // The batch made while JS was busy with the last one (see below).
    let mut ahead: Option<Batch> = None;
    loop {
        let pull = tokio::select! {
            biased;
            _ = closed.cancelled() => return,
            _ = cancel.cancelled(), if reader.is_some() => {
                reader = None; // closes the connection now, not at the next pull
                ahead = None;
                ended = Ended::Aborted;
                continue;
            }
            pull = pulls.recv() => match pull {
                Some(pull) => pull,
                None => return,
            },
        };
        let Some(events) = reader.as_mut() else {
            pull.finish(match ended {
                Ended::Done => Settled::Value(String::new()),
                Ended::Aborted => aborted(),
            });
            continue;
        };
        let batch = match ahead.take() {
            Some(batch) => batch,
            None => tokio::select! {
                biased;
                _ = closed.cancelled() => {
                    pull.finish(Settled::Value(String::new()));
                    return;
                }
                _ = cancel.cancelled() => {
                    reader = None;
                    ended = Ended::Aborted;
                    pull.finish(aborted());
                    continue;
                }
                batch = events.next_batch() => batch,
            },
        };
        let more = matches!(batch, Batch::Events { .. } | Batch::Bytes(_));
        // At once: the next batch is made below, while JS reads this one.
        pull.finish_now(settle_batch(batch, &response, &url, debug));
        if !more {
            reader = None;
            continue;
        }
        // One batch ahead: made while JS parses and hands out the one just
        // sent, so the two threads work at once. Bounded (one batch), and
        // still read only as JS asks: it is the answer to the next pull.
        if let Some(events) = reader.as_mut() {
            tokio::select! {
                biased;
                _ = closed.cancelled() => return,
                _ = cancel.cancelled() => {
                    reader = None;
                    ended = Ended::Aborted;
                }
                batch = events.next_batch() => ahead = Some(batch),
            }
        }
    }
}

/// How a batch is handed to JS: its events' tape (with the skipped types
/// when the client logs), `""` at the end, or an error outcome.
fn settle_batch(batch: Batch, response: &ResponseParts, url: &str, debug: bool) -> Settled {
    match batch {
        Batch::Events { events, skipped } => Settled::Events(Box::new(EventBatch {
            tape: events.tape,
            narrow: events.narrow,
            wide: events.wide,
            skipped: (debug && !skipped.is_empty()).then_some(skipped),
        })),
        Batch::Invalid { invalid, raw } => {
            Settled::Full(Box::new(invalid_event(response, url, invalid, raw)))
        }
        Batch::Failed(error) => Settled::Full(Box::new(client_outcome(error))),
        Batch::End => Settled::Value(String::new()),
        Batch::Bytes(bytes) => {
            let mut outcome = NativeOutcome::of_kind("value");
            outcome.chunk = Some(Bytes(bytes));
            Settled::Full(Box::new(outcome))
        }
    }
}

fn aborted() -> Settled {
    Settled::Full(Box::new(client_outcome(ClientError::aborted())))
}

/// A `ResponseValidationError` outcome for a misfit event: the stream's
/// response, with the event as it was framed for its body.
fn invalid_event(
    response: &ResponseParts,
    url: &str,
    invalid: Invalid,
    raw: String,
) -> NativeOutcome {
    let mut outcome = response_outcome(
        "invalidResponse",
        ResponseParts {
            body: raw,
            ..response.clone()
        },
    );
    outcome.issues = Some(match invalid {
        Invalid::NotJson => "[]".to_owned(),
        Invalid::Issues(issues) => issues_json(&issues),
    });
    outcome.url = Some(url.to_owned());
    outcome
}

/// The event-stream framing for a body JS reads itself (the public
/// `EventStream` constructor, given a `ReadableStream` of bytes): the same
/// parser as the SDK's own streams.
#[napi]
pub struct EventFramer {
    parser: Parser,
    failure: Option<String>,
}

#[napi]
impl EventFramer {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        EventFramer {
            parser: Parser::new(mix_core::Limits::default().max_body_bytes),
            failure: None,
        }
    }

    /// Feeds the next bytes; returns the events they complete as a JSON
    /// array of `{ event?, id?, retry?, data? }`. Once an event is longer
    /// than the limit, `failure` says so and nothing more is framed (the
    /// events before it are still returned).
    #[napi]
    pub fn push(&mut self, bytes: &[u8]) -> String {
        let mut events = Vec::new();
        if self.failure.is_none() {
            if let Err(too_long) = self.parser.push(bytes, &mut events) {
                self.failure = Some(format!(
                    "an event of the stream exceeds {} bytes",
                    too_long.limit
                ));
            }
        }
        let mut out = String::from("[");
        for (i, event) in events.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&event.to_json());
        }
        out.push(']');
        out
    }

    /// Why framing stopped, if it did.
    #[napi(getter)]
    pub fn failure(&self) -> Option<String> {
        self.failure.clone()
    }
}
