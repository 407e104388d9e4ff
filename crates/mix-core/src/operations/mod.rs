//! The API operations, one module each. An operation builds its request,
//! hands it to the engine and decodes what comes back.

pub mod refresh_oauth_tokens;

use reqwest::header::{HeaderMap, CONTENT_TYPE};

use crate::decode::{Decoded, RefreshValue};
use crate::engine::{latin1, AttemptLog};
use crate::error::ClientError;

/// A final response as the JS `Response` and error classes need it.
#[derive(Debug, Clone)]
pub struct ResponseParts {
    pub status: u16,
    /// Names lowercase, values as `fetch` shows them, in arrival order.
    pub headers: Vec<(String, String)>,
    /// All `Content-Type` values joined with `, `, as `Headers.get` does.
    pub content_type: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone)]
pub enum CallOutcome {
    /// The value; the response too when the call asked to keep it.
    Value {
        value: RefreshValue,
        response: Option<ResponseParts>,
    },
    /// A response that decodes to an error.
    Http {
        response: ResponseParts,
        decoded: Decoded,
    },
    Client(ClientError),
}

/// What a call hands to the binding.
#[derive(Debug, Clone)]
pub struct CallResult {
    pub outcome: CallOutcome,
    /// Every attempt, when the client logs for debugging.
    pub attempts: Vec<AttemptLog>,
    /// The request URL, when the call kept its response or got an error response.
    pub url: Option<String>,
    /// The request headers as sent, when the call asked to keep the response.
    pub request_headers: Option<Vec<(String, String)>>,
}

/// Header pairs as `fetch` shows them.
pub(crate) fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), header_text(value)))
        .collect()
}

/// All `Content-Type` values joined with `, `, as `Headers.get` does.
pub(crate) fn content_type(headers: &HeaderMap) -> Option<String> {
    let values: Vec<String> = headers
        .get_all(CONTENT_TYPE)
        .iter()
        .map(header_text)
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn header_text(value: &reqwest::header::HeaderValue) -> String {
    latin1(value.as_bytes()).trim().to_owned()
}
