//! The shapes response values are validated against, as static tables the
//! generator writes from `openapi.yaml` (see `generated.rs`).
//!
//! The semantics are the original SDK's zod schemas: objects keep only
//! their declared keys (in declaration order, renamed from their wire name),
//! a declared key that is absent stays absent, `null` is a value only where
//! a schema says [`Schema::Nullable`], enums are closed. Two differences on
//! purpose: a [`Schema::FreeForm`] object keeps every key it arrived with,
//! and date-times are checked here but turned into `Date`s by the JS layer.

/// One shape. Tables reference each other with `&'static`, so a decoder
/// walks them without lookups.
#[derive(Debug)]
pub enum Schema {
    String,
    /// Any JSON number.
    Number,
    /// A number that is an integer (`1.0` and `1e3` are).
    Integer,
    Boolean,
    /// An ISO 8601 date-time string with `Z` or an offset (zod's
    /// `datetime({ offset: true })`); the JS layer makes it a `Date`.
    DateTime,
    /// A string that must be one of these.
    Enum(&'static [&'static str]),
    Object(&'static [Field]),
    /// An object declared without properties: kept whole.
    FreeForm,
    Array(&'static Schema),
    /// `{ [key: string]: T }`: keys kept as sent, values validated.
    Record(&'static Schema),
    /// `T | null`.
    Nullable(&'static Schema),
    /// A string holding the JSON text of a value of the inner schema (an
    /// event stream's `data` field); text that is not JSON is an issue.
    JsonText(&'static Schema),
    /// One of several object schemas, chosen by the string at key `tag`
    /// (`event` for the stream's events): `(tag value, schema)` pairs.
    Union {
        tag: &'static str,
        members: &'static [(&'static str, &'static Schema)],
    },
    /// A stream (an event stream's `result`): no JSON value is one, so a
    /// `*FromJSON` of a response type holding one always fails, as in the
    /// original.
    Stream,
    /// A file's content going out (an upload's `ReadableStream`, `Blob`,
    /// `ArrayBuffer` or `Uint8Array`): no JSON value is one either.
    Binary,
}

/// A declared key of an object.
#[derive(Debug)]
pub struct Field {
    /// The caller-side (camelCase) name: the key of the decoded value.
    pub name: &'static str,
    /// The key on the wire: what the server sends, and what issue paths name.
    pub wire: &'static str,
    pub schema: &'static Schema,
    pub optional: bool,
    /// JSON text of the value an absent key gets (request types have some).
    pub default: Option<&'static str>,
}

impl Schema {
    /// What zod names as expected when a value has the wrong type.
    pub fn expected(&self) -> String {
        match self {
            Schema::String | Schema::DateTime | Schema::JsonText(_) => "string".to_owned(),
            Schema::Number | Schema::Integer => "number".to_owned(),
            Schema::Boolean => "boolean".to_owned(),
            Schema::Enum(values) => values
                .iter()
                .map(|v| format!("'{v}'"))
                .collect::<Vec<_>>()
                .join(" | "),
            Schema::Object(_) | Schema::FreeForm | Schema::Record(_) | Schema::Union { .. } => {
                "object".to_owned()
            }
            Schema::Stream => "ReadableStream".to_owned(),
            Schema::Binary => "Blob".to_owned(),
            Schema::Array(_) => "array".to_owned(),
            Schema::Nullable(inner) => inner.expected(),
        }
    }
}
