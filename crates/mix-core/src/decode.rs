//! Validating a JSON body against a [`Schema`] and writing the decoded value
//! as JSON text, in one pass over the body.
//!
//! The output is what the original SDK's zod schema would return, as JSON:
//! unknown keys dropped at every depth, declared keys renamed to their
//! caller-side names and written in declaration order, absent keys absent.
//! The JS layer parses it (`JSON.parse` is the fastest way to make many
//! small objects in V8) and turns date-time strings into `Date`s.
//!
//! Failures are zod's issues, in zod's order (declaration order within an
//! object, element order within an array), with wire-name paths; see
//! [`issues_json`] for their exact layout. Invariants:
//! - no input makes this panic or recurse without bound: serde_json refuses
//!   nesting deeper than 128, and such a body counts as not JSON;
//! - a repeated key counts once, with its last value (as `JSON.parse`);
//! - escaped lone surrogates (`"\ud800"`), which `JSON.parse` accepts but a
//!   Rust string cannot hold, are read as U+FFFD.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::message::js_number;
use crate::schema::{Field, Schema};

/// One step of an issue's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(Cow<'static, str>),
    Index(usize),
}

/// What is wrong at one place of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// The value has the wrong type; `received` is zod's type name
    /// (`undefined` for a missing required key).
    Type {
        expected: String,
        received: &'static str,
    },
    /// A number that must be an integer is not.
    Integer,
    /// A value outside a closed enum; `received` is the value as JSON.
    Enum {
        received: String,
        options: &'static [&'static str],
    },
    /// A string that is not an ISO 8601 date-time.
    DateTime,
}

/// One schema problem, shaped like a zod issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: Vec<Seg>,
    pub kind: IssueKind,
}

impl Issue {
    /// zod's `code`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            IssueKind::Type { .. } | IssueKind::Integer => "invalid_type",
            IssueKind::Enum { .. } => "invalid_enum_value",
            IssueKind::DateTime => "invalid_string",
        }
    }

    /// zod's `message`.
    pub fn message(&self) -> String {
        match &self.kind {
            IssueKind::Type {
                received: "undefined",
                ..
            } => "Required".to_owned(),
            IssueKind::Type { expected, received } => {
                format!("Expected {expected}, received {received}")
            }
            IssueKind::Integer => "Expected integer, received float".to_owned(),
            IssueKind::Enum { received, options } => {
                let shown =
                    serde_json::from_str::<String>(received).unwrap_or_else(|_| received.clone());
                format!(
                    "Invalid enum value. Expected {}, received '{shown}'",
                    quoted(options)
                )
            }
            IssueKind::DateTime => "Invalid datetime".to_owned(),
        }
    }

    /// The path joined with `.`, for tests and logs.
    pub fn path_text(&self) -> String {
        self.path
            .iter()
            .map(|s| match s {
                Seg::Key(k) => k.to_string(),
                Seg::Index(i) => i.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
    }
}

fn quoted(options: &[&str]) -> String {
    options
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Why a body did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// Not JSON at all (or nested deeper than 128).
    NotJson,
    /// JSON that does not fit the schema.
    Issues(Vec<Issue>),
}

/// Decodes `body` against `schema`; `Ok` is the decoded value as JSON text.
pub fn decode_json(schema: &'static Schema, body: &str) -> Result<String, Invalid> {
    match decode_all(schema, body) {
        Ok(result) => result,
        Err(_) => {
            let cleaned = replace_lone_surrogates(body).ok_or(Invalid::NotJson)?;
            decode_all(schema, &cleaned).unwrap_or(Err(Invalid::NotJson))
        }
    }
}

fn decode_all(
    schema: &'static Schema,
    body: &str,
) -> Result<Result<String, Invalid>, serde_json::Error> {
    let mut state = State {
        out: String::with_capacity(body.len()),
        scratch: String::new(),
        issues: Vec::new(),
        path: Vec::new(),
    };
    let mut de = serde_json::Deserializer::from_str(body);
    Node {
        schema,
        state: &mut state,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(if state.issues.is_empty() {
        Ok(state.out)
    } else {
        Err(Invalid::Issues(state.issues))
    })
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

/// The issues as zod would list them in a `ZodError`, as JSON: each object's
/// keys in zod's order, so `JSON.stringify` of the parsed list matches the
/// original's error messages byte for byte.
pub fn issues_json(issues: &[Issue]) -> String {
    let mut out = String::from("[");
    for (i, issue) in issues.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let mut path = String::from("[");
        for (j, seg) in issue.path.iter().enumerate() {
            if j > 0 {
                path.push(',');
            }
            match seg {
                Seg::Key(k) => write_json_string(&mut path, k),
                Seg::Index(n) => path.push_str(&n.to_string()),
            }
        }
        path.push(']');
        let mut message = String::new();
        write_json_string(&mut message, &issue.message());
        let _ = match &issue.kind {
            IssueKind::Type { expected, received } => {
                let mut e = String::new();
                write_json_string(&mut e, expected);
                write!(
                    out,
                    r#"{{"code":"invalid_type","expected":{e},"received":"{received}","path":{path},"message":{message}}}"#
                )
            }
            IssueKind::Integer => write!(
                out,
                r#"{{"code":"invalid_type","expected":"integer","received":"float","message":{message},"path":{path}}}"#
            ),
            IssueKind::Enum { received, options } => {
                let mut o = String::from("[");
                for (j, v) in options.iter().enumerate() {
                    if j > 0 {
                        o.push(',');
                    }
                    write_json_string(&mut o, v);
                }
                o.push(']');
                write!(
                    out,
                    r#"{{"received":{received},"code":"invalid_enum_value","options":{o},"path":{path},"message":{message}}}"#
                )
            }
            IssueKind::DateTime => write!(
                out,
                r#"{{"validation":"datetime","code":"invalid_string","message":{message},"path":{path}}}"#
            ),
        };
    }
    out.push(']');
    out
}

// --- the decoder ------------------------------------------------------------

struct State {
    out: String,
    /// Where an object's fields are put in declaration order; reused.
    scratch: String,
    issues: Vec<Issue>,
    path: Vec<Seg>,
}

impl State {
    fn issue(&mut self, kind: IssueKind) {
        self.issues.push(Issue {
            path: self.path.clone(),
            kind,
        });
    }

    fn wrong_type(&mut self, schema: &Schema, received: &'static str) {
        self.issue(IssueKind::Type {
            expected: schema.expected(),
            received,
        });
    }
}

/// Decodes one value against `schema`, appending it to `state.out`.
struct Node<'s> {
    schema: &'static Schema,
    state: &'s mut State,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Node<'_> {
    /// The schema with `Nullable` looked through (null is handled apart).
    fn inner(&self) -> &'static Schema {
        match self.schema {
            Schema::Nullable(inner) => inner,
            other => other,
        }
    }

    fn number(self, n: f64, text: &str) {
        match self.inner() {
            Schema::Number => self.state.out.push_str(text),
            Schema::Integer if n.is_finite() && n.fract() == 0.0 => self.state.out.push_str(text),
            Schema::Integer => self.state.issue(IssueKind::Integer),
            Schema::Enum(options) => self.state.issue(IssueKind::Enum {
                received: js_number(n),
                options,
            }),
            other => self.state.wrong_type(other, "number"),
        }
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        match self.inner() {
            Schema::Boolean => self.state.out.push_str(if v { "true" } else { "false" }),
            other => self.state.wrong_type(other, "boolean"),
        }
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.number(v as f64, itoa::Buffer::new().format(v));
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.number(v as f64, itoa::Buffer::new().format(v));
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.number(v, ryu::Buffer::new().format_finite(v));
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        let state = self.state;
        match self.schema {
            Schema::String | Schema::Nullable(Schema::String) => {
                write_json_string(&mut state.out, v)
            }
            Schema::DateTime | Schema::Nullable(Schema::DateTime) => {
                if is_datetime(v) {
                    write_json_string(&mut state.out, v)
                } else {
                    state.issue(IssueKind::DateTime)
                }
            }
            Schema::Enum(options) | Schema::Nullable(Schema::Enum(options)) => {
                if options.contains(&v) {
                    write_json_string(&mut state.out, v)
                } else {
                    let mut received = String::new();
                    write_json_string(&mut received, v);
                    state.issue(IssueKind::Enum { received, options })
                }
            }
            other => state.wrong_type(other, "string"),
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        match self.schema {
            Schema::Nullable(_) => self.state.out.push_str("null"),
            other => self.state.wrong_type(other, "null"),
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let item = match self.inner() {
            Schema::Array(item) => *item,
            other => {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                self.state.wrong_type(other, "array");
                return Ok(());
            }
        };
        let state = self.state;
        state.out.push('[');
        let mut index = 0;
        loop {
            if index > 0 {
                state.out.push(',');
            }
            state.path.push(Seg::Index(index));
            let more = seq
                .next_element_seed(Node {
                    schema: item,
                    state: &mut *state,
                })?
                .is_some();
            state.path.pop();
            if !more {
                if index > 0 {
                    state.out.pop();
                }
                break;
            }
            index += 1;
        }
        state.out.push(']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        match self.inner() {
            Schema::Object(fields) => object(fields, self.state, map),
            Schema::Record(value) => record(value, self.state, map),
            Schema::FreeForm => {
                let state = self.state;
                Raw(&mut state.out).visit_map(map)
            }
            other => {
                let mut map = map;
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                self.state.wrong_type(other, "object");
                Ok(())
            }
        }
    }
}

/// Where one declared field's value and issues landed.
#[derive(Clone, Copy)]
struct Slot {
    out: (usize, usize),
    issues: (usize, usize),
}

/// Objects of more fields than this are refused by the generator.
pub const MAX_FIELDS: usize = 64;

fn object<'de, A: MapAccess<'de>>(
    fields: &'static [Field],
    state: &mut State,
    mut map: A,
) -> Result<(), A::Error> {
    let out_start = state.out.len();
    let issues_start = state.issues.len();
    let mut slots = [None::<Slot>; MAX_FIELDS];
    while let Some(found) = map.next_key_seed(FieldKey(fields))? {
        let Some(index) = found else {
            map.next_value::<IgnoredAny>()?;
            continue;
        };
        let field = &fields[index];
        state.path.push(Seg::Key(Cow::Borrowed(field.wire)));
        let (out, issues) = (state.out.len(), state.issues.len());
        map.next_value_seed(Node {
            schema: field.schema,
            state: &mut *state,
        })?;
        state.path.pop();
        // A repeated key: the last value counts, the earlier one is dropped.
        slots[index] = Some(Slot {
            out: (out, state.out.len()),
            issues: (issues, state.issues.len()),
        });
    }
    let missing = fields
        .iter()
        .zip(slots.iter())
        .any(|(f, s)| !f.optional && s.is_none());
    if missing || state.issues.len() > issues_start {
        // Issues in declaration order, as zod walks the shape.
        let found: Vec<Issue> = state.issues.drain(issues_start..).collect();
        for (field, slot) in fields.iter().zip(slots.iter()) {
            match slot {
                Some(slot) => state.issues.extend_from_slice(
                    &found[slot.issues.0 - issues_start..slot.issues.1 - issues_start],
                ),
                None if !field.optional => {
                    let mut path = state.path.clone();
                    path.push(Seg::Key(Cow::Borrowed(field.wire)));
                    state.issues.push(Issue {
                        path,
                        kind: IssueKind::Type {
                            expected: field.schema.expected(),
                            received: "undefined",
                        },
                    });
                }
                None => {}
            }
        }
        // (All of them may have belonged to values a repeated key replaced.)
        if state.issues.len() > issues_start {
            state.out.truncate(out_start);
            return Ok(());
        }
    }
    let mut scratch = std::mem::take(&mut state.scratch);
    scratch.clear();
    scratch.push('{');
    for (field, slot) in fields.iter().zip(slots.iter()) {
        let value = match (slot, field.default) {
            (Some(slot), _) => &state.out[slot.out.0..slot.out.1],
            (None, Some(default)) => default,
            (None, None) => continue,
        };
        if scratch.len() > 1 {
            scratch.push(',');
        }
        scratch.push('"');
        scratch.push_str(field.name);
        scratch.push_str("\":");
        scratch.push_str(value);
    }
    scratch.push('}');
    state.out.truncate(out_start);
    state.out.push_str(&scratch);
    state.scratch = scratch;
    Ok(())
}

fn record<'de, A: MapAccess<'de>>(
    value: &'static Schema,
    state: &mut State,
    mut map: A,
) -> Result<(), A::Error> {
    state.out.push('{');
    let mut first = true;
    while let Some(key) = map.next_key::<Cow<'de, str>>()? {
        if !first {
            state.out.push(',');
        }
        first = false;
        write_json_string(&mut state.out, &key);
        state.out.push(':');
        state.path.push(Seg::Key(Cow::Owned(key.into_owned())));
        map.next_value_seed(Node {
            schema: value,
            state: &mut *state,
        })?;
        state.path.pop();
    }
    state.out.push('}');
    Ok(())
}

/// Reads an object key as the index of the declared field it names.
struct FieldKey(&'static [Field]);

impl<'de> DeserializeSeed<'de> for FieldKey {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for FieldKey {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|f| f.wire == v))
    }
}

/// Copies any JSON value as it is (a free-form object's content).
struct Raw<'s>(&'s mut String);

impl<'de> DeserializeSeed<'de> for Raw<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Raw<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.0.push_str(itoa::Buffer::new().format(v));
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.0.push_str(itoa::Buffer::new().format(v));
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.0.push_str(ryu::Buffer::new().format_finite(v));
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        write_json_string(self.0, v);
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.push_str("null");
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let out = self.0;
        out.push('[');
        let mut first = true;
        loop {
            let mark = out.len();
            if !first {
                out.push(',');
            }
            if seq.next_element_seed(Raw(&mut *out))?.is_none() {
                out.truncate(mark);
                break;
            }
            first = false;
        }
        out.push(']');
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let out = self.0;
        out.push('{');
        let mut first = true;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if !first {
                out.push(',');
            }
            first = false;
            write_json_string(out, &key);
            out.push(':');
            map.next_value_seed(Raw(&mut *out))?;
        }
        out.push('}');
        Ok(())
    }
}

/// Appends `s` as a JSON string literal.
pub fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1F => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04x}", b);
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// zod 3's `datetime({ offset: true })`: `YYYY-MM-DDTHH:MM[:SS[.f+]]` then
/// `Z`, `±HH:MM` or `±HHMM`, with a real calendar date (leap years checked)
/// and hours, minutes and seconds in range. The offset is not range-checked.
pub fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(10) != Some(&b'T') {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days {
        return false;
    }
    let (Some(hour), Some(minute)) = (digits(11..13), digits(14..16)) else {
        return false;
    };
    if b.get(13) != Some(&b':') || hour > 23 || minute > 59 {
        return false;
    }
    let mut i = 16;
    if b.get(i) == Some(&b':') {
        match digits(i + 1..i + 3) {
            Some(second) if second <= 59 => i += 3,
            _ => return false,
        }
        if b.get(i) == Some(&b'.') {
            let fraction = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if fraction == 0 {
                return false;
            }
            i += 1 + fraction;
        }
    }
    match &b[i..] {
        b"Z" => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] | [b'+' | b'-', h1, h2, m1, m2] => {
            [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
        }
        _ => false,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    static REST_ERROR_TYPE: Schema = Schema::Enum(&["bad_request", "internal_error"]);
    static REST_ERROR: Schema = Schema::Object(&[
        Field {
            name: "code",
            wire: "code",
            schema: &Schema::Integer,
            optional: false,
            default: None,
        },
        Field {
            name: "message",
            wire: "message",
            schema: &Schema::String,
            optional: false,
            default: None,
        },
        Field {
            name: "type",
            wire: "type",
            schema: &REST_ERROR_TYPE,
            optional: false,
            default: None,
        },
    ]);
    static ITEM: Schema = Schema::Object(&[
        Field {
            name: "displayName",
            wire: "display_name",
            schema: &Schema::String,
            optional: true,
            default: None,
        },
        Field {
            name: "createdAt",
            wire: "created_at",
            schema: &Schema::DateTime,
            optional: true,
            default: None,
        },
        Field {
            name: "tools",
            wire: "tools",
            schema: &Schema::Nullable(&Schema::Array(&Schema::String)),
            optional: true,
            default: None,
        },
        Field {
            name: "extra",
            wire: "extra",
            schema: &Schema::FreeForm,
            optional: true,
            default: None,
        },
        Field {
            name: "byName",
            wire: "by_name",
            schema: &Schema::Record(&Schema::Boolean),
            optional: true,
            default: None,
        },
    ]);
    static ITEMS: Schema = Schema::Array(&ITEM);

    fn issues(schema: &'static Schema, body: &str) -> Vec<(String, &'static str, String)> {
        match decode_json(schema, body) {
            Err(Invalid::Issues(list)) => list
                .iter()
                .map(|i| (i.path_text(), i.code(), i.message()))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keys_are_renamed_reordered_and_unknown_ones_dropped() {
        let out = decode_json(
            &ITEMS,
            r#"[{"z":1,"tools":null,"display_name":"A","displayName":"x"},{}]"#,
        )
        .unwrap();
        assert_eq!(out, r#"[{"displayName":"A","tools":null},{}]"#);
        assert_eq!(decode_json(&ITEMS, "[]").unwrap(), "[]");
    }

    #[test]
    fn free_form_objects_and_records_keep_their_keys() {
        let out = decode_json(
            &ITEMS,
            r#"[{"extra":{"a":[1,2.5,{"b":null}],"c":"\n"},"by_name":{"k\"":true,"j":false}}]"#,
        )
        .unwrap();
        assert_eq!(
            out,
            r#"[{"extra":{"a":[1,2.5,{"b":null}],"c":"\n"},"byName":{"k\"":true,"j":false}}]"#
        );
    }

    #[test]
    fn issues_follow_declaration_order_with_wire_paths() {
        let got = issues(&REST_ERROR, r#"{"type":"nope","code":1.5}"#);
        assert_eq!(
            got,
            vec![
                (
                    "code".into(),
                    "invalid_type",
                    "Expected integer, received float".into()
                ),
                ("message".into(), "invalid_type", "Required".into()),
                (
                    "type".into(),
                    "invalid_enum_value",
                    "Invalid enum value. Expected 'bad_request' | 'internal_error', received 'nope'"
                        .into()
                ),
            ]
        );
        let got = issues(&ITEMS, r#"[{},{"display_name":5,"created_at":"x"}]"#);
        assert_eq!(got[0].0, "1.display_name");
        assert_eq!(
            got[1],
            (
                "1.created_at".into(),
                "invalid_string",
                "Invalid datetime".into()
            )
        );
    }

    #[test]
    fn a_repeated_key_counts_once_with_its_last_value() {
        let out = decode_json(
            &REST_ERROR,
            r#"{"code":"x","code":2,"message":"m","type":"bad_request"}"#,
        )
        .unwrap();
        assert_eq!(out, r#"{"code":2,"message":"m","type":"bad_request"}"#);
    }

    #[test]
    fn not_json_and_deep_nesting_never_panic() {
        for body in ["", "{", "[1,]", "{} x"] {
            assert_eq!(decode_json(&ITEMS, body), Err(Invalid::NotJson), "{body:?}");
        }
        let deep = format!(
            "[{{\"extra\":{}{}}}]",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(decode_json(&ITEMS, &deep).is_err());
        let skipped = format!("[{{\"x\":{}{}}}]", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(decode_json(&ITEMS, &skipped).unwrap(), "[{}]");
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let out = decode_json(&ITEMS, r#"[{"display_name":"a\ud800b"}]"#).unwrap();
        assert_eq!(out, "[{\"displayName\":\"a\u{FFFD}b\"}]");
    }

    #[test]
    fn date_times_follow_zod() {
        for ok in [
            "2025-01-02T03:04Z",
            "2025-01-02T03:04:05Z",
            "2025-01-02T03:04:05.123456789+05:30",
            "2024-02-29T00:00:00-0800",
            "2025-01-02T03:04:05+25:00",
        ] {
            assert!(is_datetime(ok), "{ok}");
        }
        for bad in [
            "2025-02-29T00:00:00Z",
            "2025-01-02 03:04:05Z",
            "2025-01-02T24:00:00Z",
            "2025-01-02T03:04:05",
            "2025-01-02T03:04:05.Z",
            "2025-01-02T03:04:05+05",
            "2025-01-02t03:04:05z",
            "2025-13-02T03:04:05Z",
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
    }

    #[test]
    fn issues_are_listed_as_zod_lays_them_out() {
        let Err(Invalid::Issues(list)) = decode_json(&REST_ERROR, r#"{"code":1.5,"type":3}"#)
        else {
            panic!()
        };
        assert_eq!(
            issues_json(&list),
            r#"[{"code":"invalid_type","expected":"integer","received":"float","message":"Expected integer, received float","path":["code"]},{"code":"invalid_type","expected":"string","received":"undefined","path":["message"],"message":"Required"},{"received":3,"code":"invalid_enum_value","options":["bad_request","internal_error"],"path":["type"],"message":"Invalid enum value. Expected 'bad_request' | 'internal_error', received '3'"}]"#
        );
    }

    #[test]
    fn text_is_decoded_lossily_without_a_bom() {
        assert_eq!(decode_text(b"\xEF\xBB\xBF{}".to_vec()), "{}");
        assert_eq!(decode_text(b"a\xFFb".to_vec()), "a\u{FFFD}b");
    }
}
