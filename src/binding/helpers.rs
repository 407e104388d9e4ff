//! Synchronous helpers the JS error classes and model helpers call, so the
//! message format and the schema live in one place (`mix-core`).

use mix_core::config::millis;
use mix_core::decode::issues_json;
use mix_core::message::default_error_message;
use mix_core::retry::wait_before;
use mix_core::Invalid;
use mix_core::RetryConfig;
use napi_derive::napi;

use super::options::NativeRetryConfig;

/// How this addon was built, as it says in its bytes: `mix-build-profile=`,
/// the cargo profile (`release`, `ci`, `debug`) and `;`. The packing guard
/// (scripts/prepack.mjs) finds the text in a binary of any platform and
/// refuses to pack any but a release build.
const BUILD_PROFILE_MARK: &str = concat!("mix-build-profile=", env!("MIX_BUILD_PROFILE"), ";");

/// The cargo profile this addon was built with (see [`BUILD_PROFILE_MARK`]).
#[napi]
pub fn build_profile() -> String {
    BUILD_PROFILE_MARK
        .trim_start_matches("mix-build-profile=")
        .trim_end_matches(';')
        .to_owned()
}

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

/// The original's `matchContentType` rule (see `mix_core::operation::media_matches`).
#[napi]
pub fn match_content_type(content_type: Option<String>, pattern: String) -> bool {
    mix_core::operation::media_matches(&pattern, content_type.as_deref())
}

/// The wait before retry `retry_index` (0 for the first) of the public
/// `retry` helper, in milliseconds, or `null` to stop: the same rule the
/// calls use (see `mix_core::retry`). `retry_after` and `date` are the last
/// response's headers, if any.
#[napi]
pub fn retry_wait(
    config: NativeRetryConfig,
    retry_index: u32,
    retry_after: Option<String>,
    date: Option<String>,
    elapsed_ms: f64,
) -> Option<f64> {
    let RetryConfig::Backoff { backoff, .. } = RetryConfig::from(config) else {
        return None;
    };
    wait_before(
        &backoff,
        retry_index,
        retry_after.as_deref(),
        date.as_deref(),
        millis(elapsed_ms),
    )
    .map(|wait| wait.as_secs_f64() * 1000.0)
}

/// The digest of the operation table this addon was built with (see
/// `scripts/generate.mjs`); the JS layer compares it with its own.
#[napi]
pub fn table_digest() -> &'static str {
    mix_core::generated::DIGEST
}

/// The header map of a value that carries headers (flat name, value, …
/// pairs in), as JSON; see `mix_core::operation::header_map`.
#[napi]
pub fn header_map(flat: Vec<String>) -> String {
    mix_core::operation::header_map(&mix_core::operation::headers_from_pairs(&flat))
}
