//! The object a call resolves with. `kind` names the result; only the fields
//! that kind needs are set, so the success path builds one small object.
//!
//! | kind | JS result |
//! |---|---|
//! | `value` | `value` (a batch of a stream's events: `skipped` too; of a download: `chunk`) |
//! | `errorResponse` | `ErrorResponse` |
//! | `apiError`, `unexpectedResponse` | `MixDefaultError` |
//! | `invalidResponse` | `ResponseValidationError` |
//! | `connection`, `timeout`, `aborted`, `invalidRequest`, `tooLarge`, `unexpectedClient` | the `HTTPClientError` of that name |

use mix_core::decode::issues_json;
use mix_core::{
    AttemptLog, CallOutcome, CallResult, ClientError, ClientErrorKind, Decoded, Invalid,
    ResponseParts, Validated,
};
use napi_derive::napi;

#[napi(object)]
pub struct NativeAttempt {
    pub method: String,
    pub url: String,
    /// Flat name, value, … pairs; secrets already masked.
    pub request_headers: Vec<String>,
    /// The request body, secret fields masked.
    pub request_body: Option<String>,
    pub status: Option<u32>,
    pub response_headers: Option<Vec<String>>,
    pub response_body: Option<String>,
    pub error: Option<String>,
}

#[napi(object, object_from_js = false)]
pub struct NativeOutcome {
    pub kind: String,
    /// The value as JSON text (`""`: no value).
    pub value: Option<String>,
    pub status: Option<u32>,
    /// Flat name, value, … pairs in arrival order.
    pub headers: Option<Vec<String>>,
    pub content_type: Option<String>,
    pub body: Option<String>,
    /// The `ErrorResponse` data as JSON text.
    pub error: Option<String>,
    /// zod-style issues as JSON text; `"[]"` when the body is not JSON.
    pub issues: Option<String>,
    /// For a misfit `{ headers, result }` value: the header map, as JSON.
    pub header_map: Option<String>,
    /// Set when the misfit body was an `ErrorResponse` body.
    pub error_body: Option<bool>,
    /// The cause's message, for client errors.
    pub detail: Option<String>,
    /// The cause's Node-style code, for client errors.
    pub code: Option<String>,
    pub attempts: Option<Vec<NativeAttempt>>,
    /// The request URL, for a kept response or an error response.
    pub url: Option<String>,
    /// The request method and flat header pairs, when the call kept its response.
    pub request_method: Option<String>,
    pub request_headers: Option<Vec<String>>,
    /// For a batch of a stream's events, when the client logs: the types
    /// of the events skipped since the last batch (`""`: no type).
    pub skipped: Option<Vec<String>>,
    /// For a batch of a download: its bytes.
    #[napi(ts_type = "Buffer")]
    pub chunk: Option<super::text::Bytes>,
}

impl NativeOutcome {
    pub(crate) fn of_kind(kind: &str) -> Self {
        NativeOutcome {
            kind: kind.to_owned(),
            value: None,
            status: None,
            headers: None,
            content_type: None,
            body: None,
            error: None,
            issues: None,
            header_map: None,
            error_body: None,
            detail: None,
            code: None,
            attempts: None,
            url: None,
            request_method: None,
            request_headers: None,
            skipped: None,
            chunk: None,
        }
    }

    /// For a call whose task ended without a result (it panicked): settles
    /// it as an `UnexpectedClientError` instead of never.
    pub fn lost() -> Self {
        let mut outcome = NativeOutcome::of_kind("unexpectedClient");
        outcome.detail = Some("the call ended without a result (internal error)".to_owned());
        outcome
    }
}

/// How a call's outcome is handed to JS: a plain value as its JSON text
/// (JS parses it), a batch of events as itself, anything else as a
/// [`NativeOutcome`].
pub enum Settled {
    Value(String),
    Events(Box<super::text::EventBatch>),
    /// Boxed: it is the rare, large case.
    Full(Box<NativeOutcome>),
}

impl From<CallResult> for Settled {
    fn from(result: CallResult) -> Self {
        let plain = result.attempts.is_empty() && result.url.is_none() && result.request.is_none();
        match result.outcome {
            CallOutcome::Value {
                value,
                response: None,
            } if plain => Settled::Value(value),
            outcome => Settled::Full(Box::new(NativeOutcome::from(CallResult {
                outcome,
                ..result
            }))),
        }
    }
}

impl From<CallResult> for NativeOutcome {
    fn from(result: CallResult) -> Self {
        let mut outcome = match result.outcome {
            CallOutcome::Value { value, response } => value_outcome(value, response),
            CallOutcome::Http { response, decoded } => http_outcome(response, decoded),
            CallOutcome::Client(error) => client_outcome(error),
        };
        outcome.url = result.url;
        if let Some((method, headers)) = result.request {
            outcome.request_method = Some(method);
            outcome.request_headers = Some(flatten(headers));
        }
        if !result.attempts.is_empty() {
            outcome.attempts = Some(result.attempts.into_iter().map(attempt).collect());
        }
        outcome
    }
}

fn value_outcome(value: String, response: Option<ResponseParts>) -> NativeOutcome {
    let mut outcome = NativeOutcome::of_kind("value");
    outcome.value = Some(value);
    if let Some(response) = response {
        set_response(&mut outcome, response);
    }
    outcome
}

fn http_outcome(response: ResponseParts, decoded: Decoded) -> NativeOutcome {
    let kind = match &decoded {
        Decoded::ErrorResponse(_) => "errorResponse",
        Decoded::ApiError => "apiError",
        Decoded::Unexpected => "unexpectedResponse",
        Decoded::Invalid { .. } => "invalidResponse",
    };
    let mut outcome = NativeOutcome::of_kind(kind);
    match decoded {
        Decoded::ErrorResponse(data) => outcome.error = Some(data),
        Decoded::Invalid { invalid, validated } => {
            outcome.issues = Some(match invalid {
                Invalid::NotJson => "[]".to_owned(),
                Invalid::Issues(issues) => issues_json(&issues),
            });
            match validated {
                Validated::Value => {}
                Validated::WithHeaders(map) => outcome.header_map = Some(map),
                Validated::ErrorBody => outcome.error_body = Some(true),
            }
        }
        _ => {}
    }
    set_response(&mut outcome, response);
    outcome
}

/// An outcome of `kind` for a response.
pub(crate) fn response_outcome(kind: &str, response: ResponseParts) -> NativeOutcome {
    let mut outcome = NativeOutcome::of_kind(kind);
    set_response(&mut outcome, response);
    outcome
}

fn set_response(outcome: &mut NativeOutcome, response: ResponseParts) {
    outcome.status = Some(u32::from(response.status));
    outcome.headers = Some(flatten(response.headers));
    outcome.content_type = response.content_type;
    outcome.body = Some(response.body);
}

pub(crate) fn client_outcome(error: ClientError) -> NativeOutcome {
    let kind = match error.kind {
        ClientErrorKind::Connection => "connection",
        ClientErrorKind::Timeout => "timeout",
        ClientErrorKind::Aborted => "aborted",
        ClientErrorKind::InvalidRequest => "invalidRequest",
        ClientErrorKind::ResponseTooLarge => "tooLarge",
        ClientErrorKind::Unexpected => "unexpectedClient",
    };
    let mut outcome = NativeOutcome::of_kind(kind);
    outcome.detail = Some(error.detail);
    outcome.code = error.code;
    outcome
}

fn attempt(log: AttemptLog) -> NativeAttempt {
    NativeAttempt {
        method: log.method,
        url: log.url,
        request_headers: flatten(log.request_headers),
        request_body: log.request_body,
        status: log.status.map(u32::from),
        response_headers: log.status.map(|_| flatten(log.response_headers)),
        response_body: log.response_body,
        error: log.error,
    }
}

fn flatten(pairs: Vec<(String, String)>) -> Vec<String> {
    pairs
        .into_iter()
        .flat_map(|(name, value)| [name, value])
        .collect()
}
