//! Synchronous helpers the JS error classes and model helpers call, so the
//! message format and the schema live in one place (`mix-core`).

use mix_core::decode::decode_refresh_value;
use mix_core::message::default_error_message;
use napi_derive::napi;

use super::outcome::{issue, NativeIssue, NativeValue};

/// The message of a `MixDefaultError` (see `mix_core::message`).
#[napi]
pub fn format_default_error_message(
    prefix: String,
    status: f64,
    content_type: Option<String>,
    body: String,
) -> String {
    default_error_message(&prefix, status, content_type.as_deref(), &body)
}

#[napi(object)]
pub struct NativeDecodedValue {
    pub value: Option<NativeValue>,
    /// Present when the text is not a valid value; empty when not JSON.
    pub issues: Option<Vec<NativeIssue>>,
}

/// Decodes a `RefreshOAuthTokensResponse` from JSON text.
#[napi]
pub fn decode_refresh_value_json(text: String) -> NativeDecodedValue {
    match decode_refresh_value(&text) {
        Ok(v) => NativeDecodedValue {
            value: Some(NativeValue {
                message: v.message,
                status: v.status,
            }),
            issues: None,
        },
        Err(issues) => NativeDecodedValue {
            value: None,
            issues: Some(issues.into_iter().map(issue).collect()),
        },
    }
}
