//! Runs one call: attempts, retries and waits, all bounded by the call's
//! deadline and the caller's cancellation token.
//!
//! Why it is shaped this way:
//! - The deadline and the token are raced against the *whole* attempt loop,
//!   so a time limit or an abort interrupts a connect, a body read or a
//!   backoff sleep alike, and dropping the loop drops the in-flight request
//!   (the server sees the connection close).
//! - A retryable status is decided from the response head; its body is read
//!   only when it is the response we hand back (or for the debug log).
//! - A wait that would end past `maxElapsedTime` or the deadline is never
//!   started: the last result is returned instead.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, DATE, RETRY_AFTER};
use reqwest::{Method, Url};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::config::RetryConfig;
use crate::error::ClientError;
use crate::redact;
use crate::retry::{next_step, parse_retry_after, NextStep, RetryCodes};
use crate::transport::{Body, BodyStream, Head, Transport};

/// A request ready to send. The URL and headers are usually the client's
/// own, borrowed: each attempt hands reqwest a copy anyway.
pub struct Prepared<'a> {
    pub method: Method,
    pub url: Cow<'a, Url>,
    pub headers: Cow<'a, HeaderMap>,
    pub body: Body,
    /// The caller's number for the call (see [`CallOptions::tag`]).
    ///
    /// [`CallOptions::tag`]: crate::config::CallOptions::tag
    pub tag: u32,
}

/// The limits of one call.
pub struct Policy {
    pub retry: RetryConfig,
    pub codes: RetryCodes,
    /// Bounds the call until the response head is final and, unless the
    /// response is kept open (`open_on`), its body read.
    pub deadline: Option<Instant>,
    /// The operation whose success response is not read but handed back
    /// open ([`Final::Open`]): an event stream.
    pub open_on: Option<&'static crate::operation::Operation>,
}

/// What a call ends with before decoding.
pub enum Final {
    Response {
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    },
    /// A response whose body is left to read as a stream (see
    /// [`Policy::open_on`]): the call's time limit no longer applies.
    Open {
        status: u16,
        headers: HeaderMap,
        body: BodyStream,
    },
    Failed(ClientError),
}

/// One attempt as the debug logger shows it, secrets already masked.
#[derive(Debug, Clone, Default)]
pub struct AttemptLog {
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    /// The request body as text, secret fields masked; `None` for no body.
    pub request_body: Option<String>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    pub error: Option<String>,
}

pub async fn execute(
    transport: &Transport,
    request: &Prepared<'_>,
    policy: &Policy,
    cancel: Option<&CancellationToken>,
    log: Option<&mut Vec<AttemptLog>>,
) -> Final {
    if cancel.is_some_and(CancellationToken::is_cancelled) {
        return Final::Failed(ClientError::aborted());
    }
    let cancelled = async {
        match cancel {
            Some(token) => token.cancelled().await,
            None => std::future::pending().await,
        }
    };
    let timed_out = async {
        match policy.deadline {
            Some(deadline) => tokio::time::sleep_until(deadline).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        _ = cancelled => Final::Failed(ClientError::aborted()),
        _ = timed_out => Final::Failed(ClientError::timeout()),
        done = attempts(transport, request, policy, log) => done,
    }
}

async fn attempts(
    transport: &Transport,
    request: &Prepared<'_>,
    policy: &Policy,
    mut log: Option<&mut Vec<AttemptLog>>,
) -> Final {
    let (backoff, retry_connection_errors) = match policy.retry {
        RetryConfig::Backoff {
            backoff,
            retry_connection_errors,
        } => (Some(backoff), retry_connection_errors),
        RetryConfig::None => (None, false),
    };
    let start = Instant::now();
    let mut retry_index = 0u32;
    // The wait before the next retry, or `None` when the policy stops here.
    let plan = |retry_index: u32, retry_after: Option<Duration>| -> Option<Duration> {
        let backoff = backoff.as_ref()?;
        // An upload whose stream has been read cannot be sent again.
        if !request.body.can_resend() {
            return None;
        }
        let now = Instant::now();
        let left = policy.deadline.map(|d| d.saturating_duration_since(now));
        match next_step(
            backoff,
            retry_index,
            retry_after,
            now - start,
            left,
            fastrand::f64(),
        ) {
            NextStep::Wait(wait) => Some(wait),
            NextStep::GiveUp => None,
        }
    };
    loop {
        let mut entry = log.as_ref().map(|_| request_log(request));
        let wait = match transport
            .send(
                request.tag,
                &request.method,
                &request.url,
                &request.headers,
                &request.body,
            )
            .await
        {
            Err(error) => {
                // Only connection failures: an invalid request or an
                // unexpected failure would fail the same way again.
                let wait = (retry_connection_errors && error.is_connection())
                    .then(|| plan(retry_index, None))
                    .flatten();
                push_log(&mut log, entry, |e| e.error = Some(error.detail.clone()));
                match wait {
                    Some(wait) => wait,
                    None => return Final::Failed(error),
                }
            }
            Ok(mut response) => {
                let status = response.status;
                let wait = if backoff.is_some() && policy.codes.matches(status) {
                    plan(retry_index, retry_after(&response.headers))
                } else {
                    None
                };
                match wait {
                    Some(wait) => {
                        if let Some(entry) = entry.as_mut() {
                            log_response(entry, transport, response).await;
                        }
                        push_log(&mut log, entry, |_| {});
                        wait
                    }
                    None => {
                        let headers = std::mem::take(&mut response.headers);
                        if opens(policy, status, &headers) {
                            push_log(&mut log, entry, |e| {
                                e.status = Some(status);
                                e.response_headers = log_headers(&headers);
                                e.response_body =
                                    Some("<stream: read as the caller iterates>".into());
                            });
                            return Final::Open {
                                status,
                                headers,
                                body: response.into_stream(),
                            };
                        }
                        match transport.read_body(response).await {
                            Ok(body) => {
                                push_log(&mut log, entry, |e| {
                                    e.status = Some(status);
                                    e.response_headers = log_headers(&headers);
                                    e.response_body =
                                        Some(redact::body(&String::from_utf8_lossy(&body)));
                                });
                                return Final::Response {
                                    status,
                                    headers,
                                    body,
                                };
                            }
                            Err(error) => {
                                let wait = (retry_connection_errors && error.is_connection())
                                    .then(|| plan(retry_index, None))
                                    .flatten();
                                push_log(&mut log, entry, |e| {
                                    e.status = Some(status);
                                    e.error = Some(error.detail.clone());
                                });
                                match wait {
                                    Some(wait) => wait,
                                    None => return Final::Failed(error),
                                }
                            }
                        }
                    }
                }
            }
        };
        tokio::time::sleep(wait).await;
        retry_index = retry_index.saturating_add(1);
    }
}

/// Whether a final response is the one the call keeps open: its
/// operation's success (see [`crate::operation::match_response`]).
fn opens(policy: &Policy, status: u16, headers: &HeaderMap) -> bool {
    use crate::operation::{content_type, match_response, Match};
    policy.open_on.is_some_and(|op| {
        match_response(op, status, content_type(headers).as_deref()) == Match::Success
    })
}

/// The delay a response's `Retry-After` asks for, if it parses.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    let date = headers.get(DATE).and_then(|d| d.to_str().ok());
    parse_retry_after(value, date, SystemTime::now())
}

fn request_log(request: &Prepared<'_>) -> AttemptLog {
    AttemptLog {
        method: request.method.to_string(),
        url: redact::url(request.url.as_str()),
        request_headers: log_headers(&request.headers),
        request_body: match &request.body {
            Body::Empty => None,
            Body::Bytes(bytes) => Some(redact::body(&String::from_utf8_lossy(bytes))),
            Body::Multipart(multipart) => Some(multipart.describe()),
        },
        ..AttemptLog::default()
    }
}

async fn log_response(entry: &mut AttemptLog, transport: &Transport, response: Head) {
    entry.status = Some(response.status);
    entry.response_headers = log_headers(&response.headers);
    entry.response_body = match transport.read_body(response).await {
        Ok(body) => Some(redact::body(&String::from_utf8_lossy(&body))),
        Err(error) => Some(format!("<body not read: {}>", error.detail)),
    };
}

fn push_log(
    log: &mut Option<&mut Vec<AttemptLog>>,
    entry: Option<AttemptLog>,
    fill: impl FnOnce(&mut AttemptLog),
) {
    if let (Some(log), Some(mut entry)) = (log.as_mut(), entry) {
        fill(&mut entry);
        log.push(entry);
    }
}

fn log_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = latin1(value.as_bytes());
            (
                name.to_string(),
                redact::header_value(name.as_str(), &value).to_owned(),
            )
        })
        .collect()
}

/// Header bytes as the characters `fetch` shows (one per byte).
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}
