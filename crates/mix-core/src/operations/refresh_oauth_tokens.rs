//! `refreshOAuthTokens`: `POST {base}/internal/auth/refresh-tokens`, no body.
//! 200 JSON is the value; 500 JSON the `ErrorResponse`; see [`crate::decode`].

use std::sync::LazyLock;

use reqwest::header::HeaderMap;
use reqwest::Method;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::client::Client;
use crate::config::{effective_retry, effective_timeout, CallOptions, DEFAULT_RETRY_CODES};
use crate::decode::{decode_refresh, decode_text, Decoded};
use crate::engine::{execute, Final, Policy, Prepared};
use crate::operations::{content_type, header_pairs, CallOutcome, CallResult, ResponseParts};
use crate::retry::RetryCodes;

pub const PATH: &str = "/internal/auth/refresh-tokens";

/// The statuses retried when a call names none, parsed once.
static DEFAULT_CODES: LazyLock<RetryCodes> =
    LazyLock::new(|| RetryCodes::parse(&DEFAULT_RETRY_CODES));

impl Client {
    /// Runs the operation. `started` is when the caller made the call: the
    /// time limit counts from there, not from when the runtime got to it.
    pub async fn refresh_oauth_tokens(
        &self,
        call: CallOptions,
        cancel: Option<CancellationToken>,
        started: Instant,
    ) -> CallResult {
        // Declared first, so dropped last: after everything the call freed.
        let _in_flight = crate::memory::InFlight::enter();
        let mut attempts = Vec::new();
        let log = self.debug.then_some(&mut attempts);
        let prepared = self.url(&call, PATH).and_then(|url| {
            Ok(Prepared {
                method: Method::POST,
                url,
                headers: self.headers(&call.headers)?,
                tag: call.tag,
            })
        });
        let (mut url, request_headers) = match (&prepared, call.keep_response) {
            (Ok(request), true) => (
                Some(request.url.to_string()),
                Some(header_pairs(&request.headers)),
            ),
            _ => (None, None),
        };
        let outcome = match prepared {
            Err(error) => CallOutcome::Client(error),
            Ok(request) => {
                let policy = Policy {
                    retry: effective_retry(call.retry, self.retry),
                    codes: match &call.retry_codes {
                        Some(codes) => RetryCodes::parse(codes),
                        None => *DEFAULT_CODES,
                    },
                    deadline: effective_timeout(call.timeout_ms, self.timeout_ms)
                        .and_then(|limit| started.checked_add(limit)),
                };
                match execute(&self.transport, &request, &policy, cancel.as_ref(), log).await {
                    Final::Failed(error) => CallOutcome::Client(error),
                    Final::Response {
                        status,
                        headers,
                        body,
                    } => {
                        let outcome = decode(status, &headers, body, call.keep_response);
                        // An error's `rawResponse.url` names the request URL.
                        if url.is_none() && matches!(outcome, CallOutcome::Http { .. }) {
                            url = Some(request.url.to_string());
                        }
                        outcome
                    }
                }
            }
        };
        CallResult {
            outcome,
            attempts,
            url,
            request_headers,
        }
    }
}

/// Decodes the final response. The header pairs, which only errors and
/// `$inspect()` need, are built only then: a value needs just the content type.
fn decode(status: u16, headers: &HeaderMap, body: Vec<u8>, keep_response: bool) -> CallOutcome {
    let content_type = content_type(headers);
    let body = decode_text(body);
    let decoded = decode_refresh(status, content_type.as_deref().unwrap_or(""), &body);
    let response = |body| ResponseParts {
        status,
        headers: header_pairs(headers),
        content_type,
        body,
    };
    match decoded {
        Decoded::Value(value) => CallOutcome::Value {
            value,
            response: keep_response.then(|| response(body)),
        },
        decoded => CallOutcome::Http {
            response: response(body),
            decoded,
        },
    }
}
