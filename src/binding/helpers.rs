//! Synchronous helpers the JS error classes and model helpers call, so the
//! message format and the schema live in one place (`mix-core`).

use mix_core::decode::issues_json;
use mix_core::message::default_error_message;
use mix_core::Invalid;
use napi_derive::napi;

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
pub struct NativeDecoded {
    /// The decoded value as JSON text.
    pub value: Option<String>,
    /// zod-style issues as JSON text; `"[]"` when the text is not JSON.
    pub issues: Option<String>,
}

/// Decodes JSON text against schema `index` of `mix_core::generated::SCHEMAS`
/// (the `*FromJSON` helpers).
#[napi]
pub fn decode_json(index: u32, text: String) -> NativeDecoded {
    let Some(schema) = mix_core::generated::SCHEMAS.get(index as usize) else {
        return NativeDecoded {
            value: None,
            issues: Some("[]".to_owned()),
        };
    };
    match mix_core::decode::decode_json(schema, &text) {
        Ok(value) => NativeDecoded {
            value: Some(value),
            issues: None,
        },
        Err(Invalid::NotJson) => NativeDecoded {
            value: None,
            issues: Some("[]".to_owned()),
        },
        Err(Invalid::Issues(issues)) => NativeDecoded {
            value: None,
            issues: Some(issues_json(&issues)),
        },
    }
}
