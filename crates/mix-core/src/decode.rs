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
use std::collections::HashMap;
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
    /// A union's tag names none of its members.
    Discriminator { options: Vec<&'static str> },
    /// A check of the original's own (zod's `custom` issue), with its message.
    Custom(String),
    /// The value is not an instance of this JS class (zod's `instanceof`, a
    /// fatal `custom` issue). No JSON value is one.
    Instance(&'static str),
    /// No member of a union fits: each member's issues.
    Union(Vec<Vec<Issue>>),
}

/// The classes a file's content may be an instance of ([`Schema::Binary`]).
const BINARY_CLASSES: [&str; 4] = ["ReadableStream", "Blob", "ArrayBuffer", "Uint8Array"];

impl IssueKind {
    /// The issue of a value (or of its absence: JSON has no instance of a
    /// class) where `schema` wants an instance of a JS class, if it does.
    fn not_an_instance(schema: &Schema, path: &[Seg]) -> Option<IssueKind> {
        match schema {
            Schema::Stream => Some(IssueKind::Instance("ReadableStream")),
            Schema::Binary => Some(IssueKind::Union(
                BINARY_CLASSES
                    .iter()
                    .map(|class| {
                        vec![Issue {
                            path: path.to_vec(),
                            kind: IssueKind::Instance(class),
                        }]
                    })
                    .collect(),
            )),
            _ => None,
        }
    }
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
            IssueKind::Discriminator { .. } => "invalid_union_discriminator",
            IssueKind::Custom(_) | IssueKind::Instance(_) => "custom",
            IssueKind::Union(_) => "invalid_union",
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
            IssueKind::Discriminator { options } => {
                format!("Invalid discriminator value. Expected {}", quoted(options))
            }
            IssueKind::Custom(message) => message.clone(),
            IssueKind::Instance(class) => format!("Input not instance of {class}"),
            IssueKind::Union(_) => "Invalid input".to_owned(),
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

/// Decodes `body` against `schema`; `Ok` is the decoded value as JSON text
/// (see [`decode_framed`] for its form when the schema holds date-times).
pub fn decode_json(schema: &'static Schema, body: &str) -> Result<String, Invalid> {
    decode_framed(schema, body, "", "")
}

/// Decodes `body` against `schema` and writes the value between `before`
/// and `after` (which the caller makes the value part of a larger JSON
/// value). When `schema` can hold date-times, the text is
/// `[<before><value><after>,[<t0>,<t1>,…]]`: each date-time in the value is
/// the index of its time in the list (milliseconds since the epoch, or the
/// date string itself when `Date` cannot represent it). The JS layer makes
/// the `Date`s from the list: V8 then allocates no string per date-time, and
/// the fields keep one representation (benchmark/README.md).
pub fn decode_framed(
    schema: &'static Schema,
    body: &str,
    before: &str,
    after: &str,
) -> Result<String, Invalid> {
    match decode_all(schema, body, before, after) {
        Ok(result) => result,
        Err(_) => {
            let cleaned = replace_lone_surrogates(body).ok_or(Invalid::NotJson)?;
            decode_all(schema, &cleaned, before, after).unwrap_or(Err(Invalid::NotJson))
        }
    }
}

/// Whether values of `schema` can hold a date-time.
pub fn has_dates(schema: &Schema) -> bool {
    match schema {
        Schema::DateTime => true,
        Schema::Object(fields) => fields.iter().any(|f| has_dates(f.schema)),
        Schema::Array(inner)
        | Schema::Record(inner)
        | Schema::Nullable(inner)
        | Schema::JsonText(inner) => has_dates(inner),
        Schema::Union { members, .. } => members.iter().any(|(_, m)| has_dates(m)),
        _ => false,
    }
}

fn decode_all(
    schema: &'static Schema,
    body: &str,
    before: &str,
    after: &str,
) -> Result<Result<String, Invalid>, serde_json::Error> {
    run(schema, body.len(), before, after, |node| {
        let mut de = serde_json::Deserializer::from_str(body);
        node.deserialize(&mut de)?;
        de.end()
    })
}

/// One value of an object given as parts rather than as JSON text.
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    Text(&'a str),
    Number(u64),
}

/// Decodes an object given as `(wire name, value)` parts (an event the
/// stream framed) against `schema`, as [`decode_json`] decodes text.
pub fn decode_parts(
    schema: &'static Schema,
    parts: &[(&'static str, Part<'_>)],
) -> Result<String, Invalid> {
    run(schema, 256, "", "", |node| {
        node.deserialize(de::value::MapDeserializer::<_, serde_json::Error>::new(
            parts.iter().copied(),
        ))
    })
    .unwrap_or(Err(Invalid::NotJson))
}

impl<'de> de::IntoDeserializer<'de, serde_json::Error> for Part<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for Part<'de> {
    type Error = serde_json::Error;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Part::Text(text) => visitor.visit_borrowed_str(text),
            Part::Number(n) => visitor.visit_u64(n),
        }
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Runs `feed` with the root node of a decode of `schema`, and frames its
/// result (see [`decode_framed`]).
fn run(
    schema: &'static Schema,
    capacity: usize,
    before: &str,
    after: &str,
    feed: impl FnOnce(Node<'_>) -> Result<(), serde_json::Error>,
) -> Result<Result<String, Invalid>, serde_json::Error> {
    let mut state = State::default();
    state.out.reserve(capacity + before.len() + after.len() + 2);
    Ok(run_in(&mut state, schema, before, after, feed)?.map(|()| state.out))
}

/// [`run`] in a state that may hold buffers from earlier decodes; the value
/// is left in `state.out`.
fn run_in(
    state: &mut State,
    schema: &'static Schema,
    before: &str,
    after: &str,
    feed: impl FnOnce(Node<'_>) -> Result<(), serde_json::Error>,
) -> Result<Result<(), Invalid>, serde_json::Error> {
    state.reset();
    let dated = has_dates(schema);
    if dated {
        state.out.push('[');
    }
    state.out.push_str(before);
    feed(Node {
        schema,
        state: &mut *state,
    })?;
    if !state.issues.is_empty() || state.overflow {
        return Ok(Err(Invalid::Issues(std::mem::take(&mut state.issues))));
    }
    state.out.push_str(after);
    if dated {
        state.out.push_str(",[");
        let State { out, dates, .. } = &mut *state;
        out.push_str(dates);
        out.push_str("]]");
    }
    Ok(Ok(()))
}

/// A decoder for many small values in a row (a stream's events): its
/// buffers, and its memory of each object's key order, are kept from one
/// value to the next instead of made anew for each.
#[derive(Default)]
pub struct Decoder {
    state: State,
}

impl Decoder {
    /// [`decode_parts`], the value's JSON text valid until the next call.
    pub fn decode_parts(
        &mut self,
        schema: &'static Schema,
        parts: &[(&'static str, Part<'_>)],
    ) -> Result<&str, Invalid> {
        let fed = run_in(&mut self.state, schema, "", "", |node| {
            node.deserialize(de::value::MapDeserializer::<_, serde_json::Error>::new(
                parts.iter().copied(),
            ))
        });
        match fed {
            Ok(Ok(())) => Ok(&self.state.out),
            Ok(Err(invalid)) => Err(invalid),
            Err(_) => Err(Invalid::NotJson),
        }
    }
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
                let o = string_list(options);
                write!(
                    out,
                    r#"{{"received":{received},"code":"invalid_enum_value","options":{o},"path":{path},"message":{message}}}"#
                )
            }
            IssueKind::DateTime => write!(
                out,
                r#"{{"validation":"datetime","code":"invalid_string","message":{message},"path":{path}}}"#
            ),
            IssueKind::Discriminator { options } => {
                let o = string_list(options);
                write!(
                    out,
                    r#"{{"code":"invalid_union_discriminator","options":{o},"path":{path},"message":{message}}}"#
                )
            }
            IssueKind::Custom(_) => write!(
                out,
                r#"{{"code":"custom","message":{message},"path":{path}}}"#
            ),
            IssueKind::Instance(_) => write!(
                out,
                r#"{{"code":"custom","message":{message},"fatal":true,"path":{path}}}"#
            ),
            IssueKind::Union(members) => {
                let errors: Vec<String> = members
                    .iter()
                    .map(|issues| {
                        format!(r#"{{"issues":{},"name":"ZodError"}}"#, issues_json(issues))
                    })
                    .collect();
                write!(
                    out,
                    r#"{{"code":"invalid_union","unionErrors":[{}],"path":{path},"message":{message}}}"#,
                    errors.join(",")
                )
            }
        };
    }
    out.push(']');
    out
}

/// A JSON list of strings.
fn string_list(items: &[&str]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_string(&mut out, item);
    }
    out.push(']');
    out
}

// --- the decoder ------------------------------------------------------------

#[derive(Default)]
struct State {
    /// Per object schema met so far (by the address of its fields), the
    /// declared field each input key position held last time: the objects
    /// of a list share one key order, so one comparison usually finds a
    /// key's field.
    orders: Vec<(usize, Vec<u8>)>,
    out: String,
    /// Where an object's fields are put in declaration order; reused.
    scratch: String,
    issues: Vec<Issue>,
    path: Vec<Seg>,
    /// The slots of the objects being decoded, innermost last (one stack
    /// for all, so no object allocates its own).
    slots: Vec<Option<Slot>>,
    /// The times of the date-times met so far, as JSON list items.
    dates: String,
    date_count: usize,
    /// Set when issues past [`MAX_ISSUES`] were left out: the value is
    /// invalid whatever is left in `issues`.
    overflow: bool,
}

/// The most issues one decode lists. A hostile body can hold millions (a
/// 1.4 MB list of empty objects has five million missing fields), and their
/// text alone would not fit in a JS string.
pub const MAX_ISSUES: usize = 1_000;

impl State {
    /// Empties the state for another value; the key-order memory stays.
    fn reset(&mut self) {
        self.out.clear();
        self.scratch.clear();
        self.issues.clear();
        self.path.clear();
        self.slots.clear();
        self.dates.clear();
        self.date_count = 0;
        self.overflow = false;
    }

    fn issue(&mut self, kind: IssueKind) {
        if self.issues.len() >= MAX_ISSUES {
            self.overflow = true;
            return;
        }
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
        if let Some(kind) = IssueKind::not_an_instance(self.schema, &self.state.path) {
            d.deserialize_ignored_any(IgnoredAny)?;
            self.state.issue(kind);
            return Ok(());
        }
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
            // The index of its time in the date list (see `decode_framed`).
            Schema::DateTime | Schema::Nullable(Schema::DateTime) => match parse_datetime(v) {
                Some(time) => {
                    if state.date_count > 0 {
                        state.dates.push(',');
                    }
                    match time {
                        Some(ms) => state.dates.push_str(itoa::Buffer::new().format(ms)),
                        None => write_json_string(&mut state.dates, v),
                    }
                    state
                        .out
                        .push_str(itoa::Buffer::new().format(state.date_count));
                    state.date_count += 1;
                }
                None => state.issue(IssueKind::DateTime),
            },
            Schema::JsonText(inner) => json_text(inner, v, state),
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
            Schema::Union { tag, members } => union(tag, members, self.state, map),
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

/// A string holding JSON text (see [`Schema::JsonText`]): its value is
/// decoded in place, its issues under the string's path; text that is not
/// JSON is one issue, the original's `malformed json: …`.
fn json_text(inner: &'static Schema, text: &str, state: &mut State) {
    let (out, issues) = (state.out.len(), state.issues.len());
    let parsed = |text: &str, state: &mut State| {
        let mut de = serde_json::Deserializer::from_str(text);
        Node {
            schema: inner,
            state,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end())
    };
    let mut result = parsed(text, state);
    if result.is_err() {
        // `JSON.parse` reads escaped lone surrogates; a Rust string cannot.
        if let Some(cleaned) = replace_lone_surrogates(text) {
            state.out.truncate(out);
            state.issues.truncate(issues);
            result = parsed(&cleaned, state);
        }
    }
    if let Err(e) = result {
        state.out.truncate(out);
        state.issues.truncate(issues);
        state.issue(IssueKind::Custom(format!(
            "malformed json: SyntaxError: {e}"
        )));
    }
}

/// A union (see [`Schema::Union`]): the object is read whole first, since
/// its tag may come after the fields it decides.
fn union<'de, A: MapAccess<'de>>(
    tag: &'static str,
    members: &'static [(&'static str, &'static Schema)],
    state: &mut State,
    map: A,
) -> Result<(), A::Error> {
    use serde::Deserialize as _;
    let object = serde_json::Map::<String, serde_json::Value>::deserialize(
        de::value::MapAccessDeserializer::new(map),
    )?;
    let member = object
        .get(tag)
        .and_then(serde_json::Value::as_str)
        .and_then(|value| members.iter().find(|(name, _)| *name == value));
    match member {
        Some((_, schema)) => Node { schema, state }
            .deserialize(serde_json::Value::Object(object))
            .map_err(de::Error::custom),
        None => {
            state.path.push(Seg::Key(Cow::Borrowed(tag)));
            state.issue(IssueKind::Discriminator {
                options: members.iter().map(|(name, _)| *name).collect(),
            });
            state.path.pop();
            Ok(())
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
    let base = state.slots.len();
    state.slots.resize(base + fields.len(), None);
    let key = fields.as_ptr() as usize;
    let order = match state.orders.iter().position(|(f, _)| *f == key) {
        Some(i) => i,
        None => {
            state.orders.push((key, Vec::new()));
            state.orders.len() - 1
        }
    };
    let mut position = 0;
    loop {
        let guess = state.orders[order].1.get(position).copied();
        let Some(found) = map.next_key_seed(FieldKey { fields, guess })? else {
            break;
        };
        let memory = &mut state.orders[order].1;
        let mark = found.map_or(u8::MAX, |i| i as u8);
        if position < memory.len() {
            memory[position] = mark;
        } else if memory.len() < MAX_FIELDS * 2 {
            memory.push(mark);
        }
        position += 1;
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
        state.slots[base + index] = Some(Slot {
            out: (out, state.out.len()),
            issues: (issues, state.issues.len()),
        });
    }
    finish_object(fields, state, base, out_start, issues_start);
    state.slots.truncate(base);
    Ok(())
}

/// Ends an object whose fields' slots are `state.slots[base..]`: issues put
/// in declaration order (with the missing required keys), or, when there
/// are none, the fields written in declaration order with their caller-side
/// names over what the object wrote from `out_start`.
fn finish_object(
    fields: &'static [Field],
    state: &mut State,
    base: usize,
    out_start: usize,
    issues_start: usize,
) {
    let State {
        out,
        scratch,
        issues,
        path,
        slots,
        overflow,
        ..
    } = state;
    let slots = &slots[base..];
    let missing = fields
        .iter()
        .zip(slots)
        .any(|(f, s)| !f.optional && s.is_none());
    if missing || issues.len() > issues_start || *overflow {
        // Issues in declaration order, as zod walks the shape.
        let found: Vec<Issue> = issues.drain(issues_start..).collect();
        for (field, slot) in fields.iter().zip(slots) {
            match slot {
                Some(slot) => issues.extend_from_slice(
                    &found[slot.issues.0 - issues_start..slot.issues.1 - issues_start],
                ),
                None if !field.optional && issues.len() >= MAX_ISSUES => *overflow = true,
                None if !field.optional => {
                    let mut path = path.clone();
                    path.push(Seg::Key(Cow::Borrowed(field.wire)));
                    // (An absent instance fails its `instanceof` check.)
                    let kind =
                        IssueKind::not_an_instance(field.schema, &path).unwrap_or_else(|| {
                            IssueKind::Type {
                                expected: field.schema.expected(),
                                received: "undefined",
                            }
                        });
                    issues.push(Issue { path, kind });
                }
                None => {}
            }
        }
        // (All of them may have belonged to values a repeated key replaced.)
        if issues.len() > issues_start || *overflow {
            out.truncate(out_start);
            return;
        }
    }
    scratch.clear();
    scratch.push('{');
    for (field, slot) in fields.iter().zip(slots) {
        let value = match (slot, field.default) {
            (Some(slot), _) => &out[slot.out.0..slot.out.1],
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
    out.truncate(out_start);
    out.push_str(scratch);
}

fn record<'de, A: MapAccess<'de>>(
    value: &'static Schema,
    state: &mut State,
    mut map: A,
) -> Result<(), A::Error> {
    let out_start = state.out.len();
    let issues_start = state.issues.len();
    // Each key's place (first seen) and where its last value's text and
    // issues landed.
    let mut entries: Vec<RecordEntry> = Vec::new();
    let mut places: HashMap<String, usize> = HashMap::new();
    let mut repeated = false;
    state.out.push('{');
    while let Some(key) = map.next_key::<Cow<'de, str>>()? {
        if !entries.is_empty() {
            state.out.push(',');
        }
        write_json_string(&mut state.out, &key);
        state.out.push(':');
        state.path.push(Seg::Key(Cow::Owned(key.to_string())));
        let (out, issues) = (state.out.len(), state.issues.len());
        map.next_value_seed(Node {
            schema: value,
            state: &mut *state,
        })?;
        state.path.pop();
        let entry = RecordEntry {
            key: key.to_string(),
            out: (out, state.out.len()),
            issues: (issues, state.issues.len()),
        };
        match places.get(entry.key.as_str()) {
            Some(&place) => {
                repeated = true;
                entries[place].out = entry.out;
                entries[place].issues = entry.issues;
            }
            None => {
                places.insert(entry.key.clone(), entries.len());
                entries.push(entry);
            }
        }
    }
    state.out.push('}');
    if repeated {
        // As `JSON.parse`: a repeated key keeps its first place and its last
        // value; the values (and issues) it replaced are dropped.
        let found: Vec<Issue> = state.issues.drain(issues_start..).collect();
        let mut text = String::from("{");
        for entry in &entries {
            if text.len() > 1 {
                text.push(',');
            }
            write_json_string(&mut text, &entry.key);
            text.push(':');
            text.push_str(&state.out[entry.out.0..entry.out.1]);
            state.issues.extend_from_slice(
                &found[entry.issues.0 - issues_start..entry.issues.1 - issues_start],
            );
        }
        text.push('}');
        state.out.truncate(out_start);
        state.out.push_str(&text);
    }
    Ok(())
}

/// A key of a record being decoded (see [`record`]).
struct RecordEntry {
    key: String,
    out: (usize, usize),
    issues: (usize, usize),
}

/// Reads an object key as the index of the declared field it names,
/// trying `guess` (a field index, or `u8::MAX` for an unknown key) first.
struct FieldKey {
    fields: &'static [Field],
    guess: Option<u8>,
}

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
        if let Some(guess) = self.guess {
            if let Some(field) = self.fields.get(usize::from(guess)) {
                if field.wire == v {
                    return Ok(Some(usize::from(guess)));
                }
            }
        }
        Ok(self.fields.iter().position(|f| f.wire == v))
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
    // Most strings need no escape: one pass the compiler can vectorise.
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
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
/// and hours, minutes and seconds in range; the offset is not range-checked.
/// `None` when `s` is not one; else the milliseconds since the
/// epoch that `new Date(s)` gives (fraction cut to milliseconds), or
/// `Some(None)` when that is an invalid Date (an offset past 23:59).
pub fn parse_datetime(s: &str) -> Option<Option<i64>> {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(10) != Some(&b'T') {
        return None;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days {
        return None;
    }
    let (hour, minute) = (digits(11..13)?, digits(14..16)?);
    if b.get(13) != Some(&b':') || hour > 23 || minute > 59 {
        return None;
    }
    let mut i = 16;
    let mut second = 0;
    let mut millis = 0;
    if b.get(i) == Some(&b':') {
        second = digits(i + 1..i + 3).filter(|s| *s <= 59)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            let fraction = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if fraction == 0 {
                return None;
            }
            // Milliseconds: the first three digits, padded (`.5` is 500).
            millis = (0..3).fold(0, |n, k| {
                n * 10
                    + b.get(i + 1 + k)
                        .filter(|_| k < fraction)
                        .map_or(0, |d| i64::from(d - b'0'))
            });
            i += 1 + fraction;
        }
    }
    let offset_minutes = match &b[i..] {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            if ![h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()) {
                return None;
            }
            let hours = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let minutes = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if hours > 23 || minutes > 59 {
                return Some(None);
            }
            let total = hours * 60 + minutes;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(Some(seconds * 1_000 + millis))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
    static EVENT: Schema = Schema::Object(&[
        Field {
            name: "title",
            wire: "title",
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
            name: "updatedAt",
            wire: "updated_at",
            schema: &Schema::DateTime,
            optional: true,
            default: None,
        },
    ]);
    static EVENTS: Schema = Schema::Array(&EVENT);
    static EVENTS_REQUIRED: Schema = Schema::Array(&Schema::Object(&[Field {
        name: "title",
        wire: "title",
        schema: &Schema::String,
        optional: false,
        default: None,
    }]));

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
        let got = issues(&EVENTS, r#"[{},{"title":5,"created_at":"x"}]"#);
        assert_eq!(got[0].0, "1.title");
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
    fn issues_stop_at_the_cap_and_the_value_stays_invalid() {
        let body = format!("[{}{{}}]", "{},".repeat(5_000));
        let Err(Invalid::Issues(list)) = decode_json(&EVENTS_REQUIRED, &body) else {
            panic!()
        };
        assert_eq!(list.len(), MAX_ISSUES);
        assert_eq!(list[0].path_text(), "0.title");
        assert_eq!(list[999].path_text(), "999.title");
    }

    #[test]
    fn a_repeated_record_key_keeps_its_first_place_and_last_value() {
        let out = decode_json(&ITEMS, r#"[{"by_name":{"a":5,"b":true,"a":false}}]"#).unwrap();
        assert_eq!(out, r#"[{"byName":{"a":false,"b":true}}]"#);
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
            assert!(parse_datetime(ok).is_some(), "{ok}");
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
            assert!(parse_datetime(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn date_times_are_indexes_into_a_list_of_their_times() {
        let out = decode_json(
            &EVENTS,
            r#"[{"updated_at":"1970-01-01T00:00:01Z","created_at":"1970-01-01T00:00Z"},{"created_at":"2025-01-02T03:04:05+25:00"}]"#,
        )
        .unwrap();
        assert_eq!(
            out,
            r#"[[{"createdAt":1,"updatedAt":0},{"createdAt":2}],[1000,0,"2025-01-02T03:04:05+25:00"]]"#
        );
        assert_eq!(decode_json(&EVENTS, "[]").unwrap(), "[[],[]]");
        assert_eq!(
            decode_framed(&EVENTS, "[]", r#"{"a":"#, "}").unwrap(),
            r#"[{"a":[]},[]]"#
        );
        assert_eq!(decode_framed(&ITEMS, "[]", "<", ">").unwrap(), "<[]>");
    }

    #[test]
    fn date_times_become_the_milliseconds_date_gives() {
        assert_eq!(parse_datetime("1970-01-01T00:00Z"), Some(Some(0)));
        assert_eq!(
            parse_datetime("2025-01-02T03:04:05.6789+01:30"),
            Some(Some(1_735_781_645_678))
        );
        assert_eq!(
            parse_datetime("2024-02-29T23:59:59.5-0000"),
            Some(Some(1_709_251_199_500))
        );
        assert_eq!(parse_datetime("1969-12-31T23:59:59.999Z"), Some(Some(-1)));
        assert_eq!(
            parse_datetime("0000-03-01T00:00Z"),
            Some(Some(-62_162_035_200_000))
        );
        assert_eq!(parse_datetime("2025-01-02T03:04:05+25:00"), Some(None));
        assert_eq!(parse_datetime("2025-01-02T03:04:05"), None);
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

    #[test]
    fn unions_pick_their_member_by_tag_and_json_text_is_decoded_in_place() {
        use crate::generated::SSE_EVENT_STREAM;
        let body = r#"{"data":"{\"sessionId\":\"s\",\"x\":1}","id":"1","event":"connected"}"#;
        assert_eq!(
            decode_json(&SSE_EVENT_STREAM, body).unwrap(),
            r#"{"event":"connected","id":"1","data":{"sessionId":"s"}}"#
        );
        // The tag names no member.
        let found = issues(
            &SSE_EVENT_STREAM,
            r#"{"event":"nope","id":"1","data":"{}"}"#,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "event");
        assert_eq!(found[0].1, "invalid_union_discriminator");
        // JSON text that is not JSON, and a payload that does not fit.
        let found = issues(
            &SSE_EVENT_STREAM,
            r#"{"event":"heartbeat","id":"1","data":"{"}"#,
        );
        assert_eq!(found[0].1, "custom");
        assert!(found[0].2.starts_with("malformed json: SyntaxError: "));
        let found = issues(
            &SSE_EVENT_STREAM,
            r#"{"event":"heartbeat","id":"1","data":"{\"type\":5}"}"#,
        );
        assert_eq!(
            found,
            vec![(
                "data.type".to_owned(),
                "invalid_type",
                "Expected string, received number".to_owned()
            )]
        );
    }

    #[test]
    fn a_stream_is_never_a_json_value() {
        static WITH_STREAM: Schema = Schema::Object(&[Field {
            name: "result",
            wire: "Result",
            schema: &Schema::Stream,
            optional: false,
            default: None,
        }]);
        let found = issues(&WITH_STREAM, r#"{"Result":{}}"#);
        assert_eq!(
            found,
            vec![(
                "Result".to_owned(),
                "custom",
                "Input not instance of ReadableStream".to_owned()
            )]
        );
    }

    #[test]
    fn a_file_content_is_never_a_json_value_present_or_not() {
        static FILE: Schema = Schema::Object(&[Field {
            name: "content",
            wire: "content",
            schema: &Schema::Binary,
            optional: false,
            default: None,
        }]);
        let expected = r#"[{"code":"invalid_union","unionErrors":[{"issues":[{"code":"custom","message":"Input not instance of ReadableStream","fatal":true,"path":["content"]}],"name":"ZodError"},{"issues":[{"code":"custom","message":"Input not instance of Blob","fatal":true,"path":["content"]}],"name":"ZodError"},{"issues":[{"code":"custom","message":"Input not instance of ArrayBuffer","fatal":true,"path":["content"]}],"name":"ZodError"},{"issues":[{"code":"custom","message":"Input not instance of Uint8Array","fatal":true,"path":["content"]}],"name":"ZodError"}],"path":["content"],"message":"Invalid input"}]"#;
        for body in [r#"{"content":{}}"#, "{}"] {
            match decode_json(&FILE, body) {
                Err(Invalid::Issues(found)) => assert_eq!(issues_json(&found), expected),
                other => panic!("{other:?}"),
            }
        }
    }
}
