//! Turning a final response (status, content type, body) into the operation's
//! result, with the original SDK's matching rules:
//!
//! | status | content type | result |
//! |---|---|---|
//! | 200 | `application/json` | the value, or a validation failure |
//! | 500 | `application/json` | an `ErrorResponse`, or a validation failure |
//! | other 4XX/5XX | any | `API error occurred` |
//! | anything else | any | `Unexpected Status or Content-Type` |
//!
//! Content types match case-insensitively, ignoring parameters. Validation
//! problems are reported as zod-style issues (path, code, expected,
//! received, message) so the JS layer can keep the original's `pretty()`.

use std::fmt;

use crate::message::js_number;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The success value: only the documented keys, each only when sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshValue {
    pub message: Option<String>,
    pub status: Option<String>,
}

/// The `error` object of a 500 response.
#[derive(Debug, Clone, PartialEq)]
pub struct RestError {
    pub code: f64,
    pub message: String,
    pub error_type: String,
}

/// The allowed values of `RESTError.type`.
pub const REST_ERROR_TYPES: [&str; 5] = [
    "bad_request",
    "not_found",
    "internal_error",
    "unauthorized",
    "validation_error",
];

/// One schema problem, shaped like a zod issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: Vec<String>,
    /// `invalid_type` or `invalid_enum_value`.
    pub code: &'static str,
    pub expected: String,
    pub received: String,
    pub message: String,
    /// The allowed values, for `invalid_enum_value`.
    pub options: Vec<String>,
}

/// What a final response decodes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    Value(RefreshValue),
    ErrorResponse(RestError),
    /// A 4XX/5XX no other rule took: `API error occurred`.
    ApiError,
    /// No rule matched (e.g. 200 `text/html`, 201, 204).
    Unexpected,
    /// The body does not fit the schema. No issues means it is not JSON.
    Invalid(Vec<Issue>),
}

/// Decodes a final response of `refreshOAuthTokens`.
pub fn decode_refresh(status: u16, content_type: &str, body: &str) -> Decoded {
    let json = is_json_content_type(content_type);
    match status {
        200 if json => match decode_refresh_value(body) {
            Ok(value) => Decoded::Value(value),
            Err(issues) => Decoded::Invalid(issues),
        },
        500 if json => match decode_error_response(body) {
            Ok(error) => Decoded::ErrorResponse(error),
            Err(issues) => Decoded::Invalid(issues),
        },
        400..=599 => Decoded::ApiError,
        _ => Decoded::Unexpected,
    }
}

/// Whether a `Content-Type` value is `application/json`, in any case and
/// with any parameters. A missing type counts as `application/octet-stream`.
pub fn is_json_content_type(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or("").trim();
    media.eq_ignore_ascii_case("application/json")
}

/// Decodes text (UTF-8, invalid sequences replaced, a leading BOM dropped)
/// the way `Response.text()` does.
pub fn decode_text(mut bytes: Vec<u8>) -> String {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    // Valid UTF-8, the usual case, is taken over without a copy.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Parses the 200 body: an object whose `message` and `status` are strings
/// when present. Unknown keys are ignored; a repeated key keeps its last value.
pub fn decode_refresh_value(body: &str) -> Result<RefreshValue, Vec<Issue>> {
    let root = parse_root(body, ValueVisitor)?;
    let fields = match root {
        Root::Object(fields) => fields,
        Root::Other(kind) => return Err(vec![type_issue(&[], "object", kind)]),
    };
    let mut issues = Vec::new();
    let mut value = RefreshValue::default();
    for (name, field, slot) in [
        ("message", fields.message, &mut value.message),
        ("status", fields.status, &mut value.status),
    ] {
        match field {
            None => {}
            Some(Field::Str(s)) => *slot = Some(s),
            Some(other) => issues.push(type_issue(&[name], "string", other.name())),
        }
    }
    if issues.is_empty() {
        Ok(value)
    } else {
        Err(issues)
    }
}

/// Parses the 500 body: `{"error": {"code": int, "message": str, "type": enum}}`.
pub fn decode_error_response(body: &str) -> Result<RestError, Vec<Issue>> {
    let root = parse_root(body, ErrorVisitor)?;
    let error = match root {
        Root::Object(Some(ErrorField::Object(fields))) => fields,
        Root::Object(Some(ErrorField::Other(kind))) => {
            return Err(vec![type_issue(&["error"], "object", kind.name())])
        }
        Root::Object(None) => return Err(vec![type_issue(&["error"], "object", "undefined")]),
        Root::Other(kind) => return Err(vec![type_issue(&[], "object", kind)]),
    };
    let mut issues = Vec::new();
    let code = match error.code {
        Some(Field::Number(n)) if n.fract() == 0.0 => Some(n),
        Some(Field::Number(_)) => {
            issues.push(type_issue(&["error", "code"], "integer", "float"));
            None
        }
        other => {
            issues.push(type_issue(
                &["error", "code"],
                "number",
                received_name(&other),
            ));
            None
        }
    };
    let message = match error.message {
        Some(Field::Str(s)) => Some(s),
        other => {
            issues.push(type_issue(
                &["error", "message"],
                "string",
                received_name(&other),
            ));
            None
        }
    };
    let error_type = match error.error_type {
        Some(Field::Str(s)) if REST_ERROR_TYPES.contains(&s.as_str()) => Some(s),
        Some(Field::Str(s)) => {
            issues.push(enum_issue(format!("'{s}'")));
            None
        }
        Some(Field::Number(n)) => {
            issues.push(enum_issue(format!("'{}'", js_number(n))));
            None
        }
        other => {
            let expected = REST_ERROR_TYPES.map(|t| format!("'{t}'")).join(" | ");
            issues.push(type_issue(
                &["error", "type"],
                &expected,
                received_name(&other),
            ));
            None
        }
    };
    match (code, message, error_type) {
        (Some(code), Some(message), Some(error_type)) if issues.is_empty() => Ok(RestError {
            code,
            message,
            error_type,
        }),
        _ => Err(issues),
    }
}

fn received_name(field: &Option<Field>) -> &'static str {
    field.as_ref().map_or("undefined", Field::name)
}

fn type_issue(path: &[&str], expected: &str, received: &str) -> Issue {
    let message = if received == "undefined" {
        "Required".to_owned()
    } else {
        format!("Expected {expected}, received {received}")
    };
    Issue {
        path: path.iter().map(|s| (*s).to_owned()).collect(),
        code: "invalid_type",
        expected: expected.to_owned(),
        received: received.to_owned(),
        message,
        options: Vec::new(),
    }
}

fn enum_issue(received_quoted: String) -> Issue {
    let allowed = REST_ERROR_TYPES.map(|t| format!("'{t}'")).join(" | ");
    Issue {
        path: vec!["error".to_owned(), "type".to_owned()],
        code: "invalid_enum_value",
        expected: allowed.clone(),
        received: received_quoted.trim_matches('\'').to_owned(),
        message: format!("Invalid enum value. Expected {allowed}, received {received_quoted}"),
        options: REST_ERROR_TYPES.map(str::to_owned).to_vec(),
    }
}

// --- JSON shapes ----------------------------------------------------------

enum Root<T> {
    Object(T),
    /// Not an object: the zod type name of what it was.
    Other(&'static str),
}

/// Parses the whole body with `visitor`; a syntax error or trailing data is
/// a validation failure with no issues (the body is not JSON). Escaped lone
/// surrogates (`"\ud800"`), which `JSON.parse` accepts but a Rust string
/// cannot hold, are read as U+FFFD.
fn parse_root<T, V>(body: &str, visitor: V) -> Result<T, Vec<Issue>>
where
    V: for<'de> Visitor<'de, Value = T> + Copy,
{
    parse_all(body, visitor).or_else(|_| {
        let cleaned = replace_lone_surrogates(body).ok_or_else(Vec::new)?;
        parse_all(&cleaned, visitor).map_err(|_| Vec::new())
    })
}

fn parse_all<T, V>(body: &str, visitor: V) -> Result<T, serde_json::Error>
where
    V: for<'de> Visitor<'de, Value = T>,
{
    let mut de = serde_json::Deserializer::from_str(body);
    let root = de.deserialize_any(visitor)?;
    de.end()?;
    Ok(root)
}

/// Rewrites `\uXXXX` escapes of unpaired surrogates as `\uFFFD`; `None`
/// when there are none.
fn replace_lone_surrogates(body: &str) -> Option<String> {
    fn unit_at(bytes: &[u8], i: usize) -> Option<u16> {
        let hex = bytes.get(i..i + 6)?;
        if hex[0] != b'\\' || hex[1] != b'u' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    }
    let bytes = body.as_bytes();
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit_at(bytes, i) {
            Some(0xD800..=0xDBFF) if matches!(unit_at(bytes, i + 6), Some(0xDC00..=0xDFFF)) => {
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str(&body[copied..i]);
                out.push_str("\\uFFFD");
                i += 6;
                copied = i;
            }
            // Any other escape, including `\\`, is two bytes (or a valid `\u`).
            _ => i += 2,
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&body[copied..]);
    Some(out)
}

/// A value whose type is all we need unless it is a string or number.
enum Field {
    Str(String),
    Number(f64),
    Bool,
    Null,
    Array,
    Object,
}

impl Field {
    /// zod's name for the type of this value.
    fn name(&self) -> &'static str {
        match self {
            Field::Str(_) => "string",
            Field::Number(_) => "number",
            Field::Bool => "boolean",
            Field::Null => "null",
            Field::Array => "array",
            Field::Object => "object",
        }
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
        Ok(Field::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Field, E> {
        Ok(Field::Str(v))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Field, E> {
        Ok(Field::Bool)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Field, E> {
        Ok(Field::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Field, E> {
        Ok(Field::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Field, E> {
        Ok(Field::Number(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Field, E> {
        Ok(Field::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Field::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Object)
    }
}

impl<'de> de::Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
        d.deserialize_any(FieldVisitor)
    }
}

/// Implements the non-object arms of a root visitor.
macro_rules! non_object_root {
    () => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Root::Other("string"))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Root::Other("boolean"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Root::Other("number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Root::Other("number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Root::Other("number"))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Root::Other("null"))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Root::Other("array"))
        }
    };
}

#[derive(Default)]
struct ValueFields {
    message: Option<Field>,
    status: Option<Field>,
}

#[derive(Clone, Copy)]
struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Root<ValueFields>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    non_object_root!();
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = ValueFields::default();
        while let Some(key) = map.next_key::<KeyName>()? {
            match key {
                KeyName::Message => fields.message = Some(map.next_value()?),
                KeyName::Status => fields.status = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Root::Object(fields))
    }
}

enum ErrorField {
    Object(RestErrorFields),
    Other(Field),
}

#[derive(Default)]
struct RestErrorFields {
    code: Option<Field>,
    message: Option<Field>,
    error_type: Option<Field>,
}

#[derive(Clone, Copy)]
struct ErrorVisitor;

impl<'de> Visitor<'de> for ErrorVisitor {
    type Value = Root<Option<ErrorField>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    non_object_root!();
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut error = None;
        while let Some(key) = map.next_key::<KeyName>()? {
            if let KeyName::Error = key {
                error = Some(map.next_value_seed(ErrorFieldSeed)?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Root::Object(error))
    }
}

struct ErrorFieldSeed;

impl<'de> DeserializeSeed<'de> for ErrorFieldSeed {
    type Value = ErrorField;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ErrorField, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ErrorFieldSeed {
    type Value = ErrorField;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    // Anything but an object is only its type: the field visitor says which.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<ErrorField, E> {
        FieldVisitor.visit_str(v).map(ErrorField::Other)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<ErrorField, E> {
        FieldVisitor.visit_bool(v).map(ErrorField::Other)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ErrorField, E> {
        FieldVisitor.visit_i64(v).map(ErrorField::Other)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ErrorField, E> {
        FieldVisitor.visit_u64(v).map(ErrorField::Other)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ErrorField, E> {
        FieldVisitor.visit_f64(v).map(ErrorField::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<ErrorField, E> {
        FieldVisitor.visit_unit().map(ErrorField::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ErrorField, A::Error> {
        FieldVisitor.visit_seq(seq).map(ErrorField::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ErrorField, A::Error> {
        let mut fields = RestErrorFields::default();
        while let Some(key) = map.next_key::<KeyName>()? {
            match key {
                KeyName::Code => fields.code = Some(map.next_value()?),
                KeyName::Message => fields.message = Some(map.next_value()?),
                KeyName::Type => fields.error_type = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(ErrorField::Object(fields))
    }
}

/// The object keys the schemas name; everything else is `Other`.
enum KeyName {
    Message,
    Status,
    Error,
    Code,
    Type,
    Other,
}

impl<'de> de::Deserialize<'de> for KeyName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyName, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyName, E> {
                Ok(match v {
                    "message" => KeyName::Message,
                    "status" => KeyName::Status,
                    "error" => KeyName::Error,
                    "code" => KeyName::Code,
                    "type" => KeyName::Type,
                    _ => KeyName::Other,
                })
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = "application/json";

    #[test]
    fn a_200_json_body_keeps_only_the_documented_keys() {
        let d = decode_refresh(
            200,
            JSON,
            r#"{"message":"ok","status":"success","extra":1}"#,
        );
        assert_eq!(
            d,
            Decoded::Value(RefreshValue {
                message: Some("ok".into()),
                status: Some("success".into())
            })
        );
        assert_eq!(
            decode_refresh(200, JSON, "{}"),
            Decoded::Value(RefreshValue::default())
        );
    }

    #[test]
    fn content_types_match_in_any_case_and_with_parameters() {
        assert!(is_json_content_type("Application/JSON; charset=utf-8"));
        assert!(is_json_content_type(" application/json ;charset=x"));
        assert!(!is_json_content_type("application/problem+json"));
        assert!(!is_json_content_type(""));
        assert!(!is_json_content_type("text/json"));
    }

    #[test]
    fn statuses_and_types_no_rule_takes_are_unexpected_or_api_errors() {
        assert_eq!(
            decode_refresh(200, "text/html", "<html>"),
            Decoded::Unexpected
        );
        assert_eq!(decode_refresh(201, JSON, "{}"), Decoded::Unexpected);
        assert_eq!(decode_refresh(204, "", ""), Decoded::Unexpected);
        assert_eq!(decode_refresh(404, "text/plain", "x"), Decoded::ApiError);
        assert_eq!(decode_refresh(500, "text/plain", "x"), Decoded::ApiError);
        assert_eq!(decode_refresh(503, JSON, "{}"), Decoded::ApiError);
    }

    #[test]
    fn a_wrongly_typed_field_is_an_issue_with_its_path() {
        let d = decode_refresh(200, JSON, r#"{"message":42,"status":null}"#);
        let Decoded::Invalid(issues) = d else {
            panic!("{d:?}")
        };
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].path, vec!["message"]);
        assert_eq!(issues[0].message, "Expected string, received number");
        assert_eq!(issues[1].received, "null");
    }

    #[test]
    fn bodies_that_are_not_json_are_invalid_without_issues() {
        for body in ["", "not json", "{\"message\":\"a\"} trailing", "{"] {
            assert_eq!(
                decode_refresh(200, JSON, body),
                Decoded::Invalid(vec![]),
                "{body:?}"
            );
        }
    }

    #[test]
    fn repeated_keys_keep_the_last_value_and_huge_numbers_elsewhere_are_fine() {
        let d = decode_refresh(200, JSON, r#"{"message":"a","message":"b","n":1e400}"#);
        assert_eq!(
            d,
            Decoded::Value(RefreshValue {
                message: Some("b".into()),
                status: None
            })
        );
    }

    #[test]
    fn a_500_error_body_is_an_error_response() {
        let body = r#"{"error":{"code":500,"message":"down","type":"internal_error"}}"#;
        assert_eq!(
            decode_refresh(500, JSON, body),
            Decoded::ErrorResponse(RestError {
                code: 500.0,
                message: "down".into(),
                error_type: "internal_error".into()
            })
        );
    }

    #[test]
    fn a_500_body_with_an_unknown_type_or_missing_fields_is_invalid() {
        let body = r#"{"error":{"code":1.5,"type":"nope"}}"#;
        let Decoded::Invalid(issues) = decode_refresh(500, JSON, body) else {
            panic!()
        };
        let codes: Vec<_> = issues.iter().map(|i| (i.code, i.path.join("."))).collect();
        assert_eq!(
            codes,
            vec![
                ("invalid_type", "error.code".to_owned()),
                ("invalid_type", "error.message".to_owned()),
                ("invalid_enum_value", "error.type".to_owned())
            ]
        );
        assert_eq!(issues[1].message, "Required");
        let Decoded::Invalid(issues) = decode_refresh(500, JSON, "{}") else {
            panic!()
        };
        assert_eq!(issues[0].path, vec!["error"]);
    }

    #[test]
    fn escaped_lone_surrogates_are_read_as_replacement_characters() {
        let d = decode_refresh(
            200,
            JSON,
            r#"{"message":"a\ud800b","status":"\udc00\\ud800"}"#,
        );
        assert_eq!(
            d,
            Decoded::Value(RefreshValue {
                message: Some("a\u{FFFD}b".into()),
                status: Some("\u{FFFD}\\ud800".into())
            })
        );
        let pair = decode_refresh(200, JSON, r#"{"message":"\ud83d\ude00"}"#);
        assert_eq!(
            pair,
            Decoded::Value(RefreshValue {
                message: Some("😀".into()),
                status: None
            })
        );
    }

    #[test]
    fn text_is_decoded_lossily_without_a_bom() {
        assert_eq!(decode_text(b"\xEF\xBB\xBF{}".to_vec()), "{}");
        assert_eq!(decode_text(b"a\xFFb".to_vec()), "a\u{FFFD}b");
    }

    #[test]
    fn deep_nesting_never_crashes_and_is_skipped_inside_unknown_keys() {
        let body = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(
            decode_refresh(200, JSON, &body),
            Decoded::Invalid(_)
        ));
        let body = format!(
            "{{\"message\":{}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(matches!(
            decode_refresh(200, JSON, &body),
            Decoded::Invalid(_)
        ));
        // Unknown keys are skipped without recursion, as JSON.parse + strip would.
        let body = format!(
            "{{\"x\":{}{},\"status\":\"ok\"}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(
            decode_refresh(200, JSON, &body),
            Decoded::Value(RefreshValue {
                message: None,
                status: Some("ok".into())
            })
        );
    }
}
