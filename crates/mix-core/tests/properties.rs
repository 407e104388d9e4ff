//! Properties of the pure decoders: what must hold for *any* input a server
//! (or a caller's options) can produce. The case count comes from
//! `PROPTEST_CASES` (proptest's default config reads it): `cargo test` runs
//! the default 256 per property; `scripts/fuzz.sh` runs 1,000,000.

use std::time::{Duration, SystemTime};

use mix_core::config::{millis, BackoffConfig};
use mix_core::decode::{decode_json, decode_text, Invalid};
use mix_core::generated::{ERROR_RESPONSE, OPERATIONS, REFRESH_O_AUTH_TOKENS_RESPONSE};

use mix_core::decode::Decoder;
use mix_core::events::{decode_event, DecodedEvent};
use mix_core::generated::SSE_EVENT_STREAM;
use mix_core::message::{default_error_message, js_trim, MAX_BODY_CHARS};
use mix_core::operation::{content_matches, match_response, ContentPattern, Match};
use mix_core::retry::{backoff_wait, next_step, parse_retry_after, NextStep};
use mix_core::schema::Schema;
use mix_core::sse::{Parser, RawEvent};
use mix_core::tape::{flat_fields, EventTape, ABSENT, JSON_EVENT};
use mix_core::url::{client_base, join, parse_base};
use proptest::prelude::*;
use serde_json::Value;

const OP: &str = "/internal/auth/refresh-tokens";

// --- strategies -------------------------------------------------------------

/// Content types: the ones the rules care about, near misses, and noise.
fn content_type() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("application/json".to_owned()),
        Just("Application/JSON; charset=utf-8".to_owned()),
        Just(" application/json ;x=y".to_owned()),
        Just("application/problem+json".to_owned()),
        Just("text/plain".to_owned()),
        Just(String::new()),
        "[a-zA-Z/+; =-]{0,30}",
        any::<String>(),
    ]
}

/// A status: the interesting ones often, any `u16` otherwise.
fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        4 => prop::sample::select(vec![200u16, 500, 201, 204, 400, 404, 429, 503, 599, 600, 100, 0]),
        1 => any::<u16>(),
    ]
}

/// Object keys the schemas name, plus others.
fn key() -> BoxedStrategy<String> {
    prop_oneof![
        Just("message".to_owned()),
        Just("status".to_owned()),
        Just("error".to_owned()),
        Just("code".to_owned()),
        Just("type".to_owned()),
        "[a-z]{0,6}",
        any::<String>(),
    ]
    .boxed()
}

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // non-finite become null
        (-1000i64..1000).prop_map(Value::from),
        prop::sample::select(vec![
            "bad_request",
            "not_found",
            "internal_error",
            "unauthorized",
            "validation_error",
            "nope",
        ])
        .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ]
    .boxed()
}

/// Arbitrary JSON documents, keys biased towards the schema's.
fn json_value() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..6)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
        .boxed()
}

/// Bodies shaped like the documented ones, with every field possibly wrong.
fn shaped_body() -> BoxedStrategy<Value> {
    let field = prop_oneof![3 => any::<String>().prop_map(Value::String), 1 => json_value()];
    let error = (
        prop::option::of(prop_oneof![
            (-1000i64..1000).prop_map(Value::from),
            json_leaf()
        ]),
        prop::option::of(field.clone()),
        prop::option::of(json_leaf()),
    )
        .prop_map(|(code, message, t)| {
            let mut m = serde_json::Map::new();
            code.map(|v| m.insert("code".into(), v));
            message.map(|v| m.insert("message".into(), v));
            t.map(|v| m.insert("type".into(), v));
            Value::Object(m)
        });
    prop_oneof![
        (
            prop::option::of(field.clone()),
            prop::option::of(field),
            prop::option::of(json_value())
        )
            .prop_map(|(message, status, extra)| {
                let mut m = serde_json::Map::new();
                message.map(|v| m.insert("message".into(), v));
                status.map(|v| m.insert("status".into(), v));
                extra.map(|v| m.insert("x".into(), v));
                Value::Object(m)
            }),
        (error, prop::option::of(json_value())).prop_map(|(error, extra)| {
            let mut m = serde_json::Map::new();
            m.insert("error".into(), error);
            extra.map(|v| m.insert("x".into(), v));
            Value::Object(m)
        }),
    ]
    .boxed()
}

/// Body bytes: raw noise, valid JSON, JSON with a byte changed, cut JSON,
/// deep nesting, duplicate keys and out-of-range numbers.
fn body_bytes() -> BoxedStrategy<Vec<u8>> {
    let json = prop_oneof![shaped_body(), json_value()].prop_map(|v| v.to_string().into_bytes());
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..256),
        4 => json.clone(),
        2 => (json.clone(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(mut b, i, byte)| {
            if !b.is_empty() {
                let at = i.index(b.len());
                b[at] = byte;
            }
            b
        }),
        1 => (json.clone(), any::<prop::sample::Index>()).prop_map(|(b, i)| {
            let cut = i.index(b.len() + 1);
            b[..cut].to_vec()
        }),
        1 => (1usize..3000, prop::bool::ANY, "[\\[{]").prop_map(|(depth, under_key, open)| {
            let (o, c) = if open == "[" { ("[", "]") } else { ("{\"a\":", "}") };
            let nested = format!("{}1{}", o.repeat(depth), c.repeat(depth));
            let body = if under_key { format!("{{\"x\":{nested},\"status\":\"ok\"}}") } else { nested };
            body.into_bytes()
        }),
        1 => (any::<String>(), any::<String>(), "-?[0-9]{1,3}e[+-]?[0-9]{1,4}").prop_map(|(a, b, n)| {
            serde_json::json!({"message": a}).to_string().replace('}', &format!(",\"message\":{},\"n\":{n}}}", Value::String(b))).into_bytes()
        }),
    ]
    .boxed()
}

fn finite_or_odd_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.0f64..100_000.0,
        1 => prop::sample::select(vec![0.0, -0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN_POSITIVE, 1e308, 5e-324]),
        2 => any::<f64>(),
    ]
}

fn backoff() -> impl Strategy<Value = BackoffConfig> {
    (
        finite_or_odd_f64(),
        finite_or_odd_f64(),
        finite_or_odd_f64(),
        finite_or_odd_f64(),
    )
        .prop_map(
            |(initial_interval_ms, max_interval_ms, exponent, max_elapsed_time_ms)| BackoffConfig {
                initial_interval_ms,
                max_interval_ms,
                exponent,
                max_elapsed_time_ms,
            },
        )
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        3 => (0u64..1_000_000).prop_map(Duration::from_millis),
        1 => (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        1 => Just(Duration::MAX),
        1 => Just(Duration::ZERO),
    ]
}

/// URL-like strings: every part optional and possibly odd, plus noise.
fn url_like() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "http://", "https://", "HTTP://", "ftp://", "file://", "foo://", "foo:", "mailto:", "",
    ]);
    let host = prop_oneof![
        "[a-z0-9.-]{0,12}",
        Just("127.0.0.1".to_owned()),
        Just("[::1]".to_owned()),
        any::<String>()
    ];
    let port = prop::option::of(prop_oneof![
        (0u32..70_000).prop_map(|p| p.to_string()),
        "[0-9a-z]{0,6}"
    ]);
    let path = prop_oneof![
        "(/[a-zA-Z0-9%._~-]{0,6}){0,4}/{0,3}",
        "[/\\\\.%a-z2e]{0,16}",
        any::<String>()
    ];
    let query = prop::option::of(prop_oneof!["[a-z=&%0-9]{0,12}", any::<String>()]);
    let fragment = prop::option::of("[a-z#?/]{0,6}");
    prop_oneof![
        4 => (scheme, host, port, path, query, fragment).prop_map(|(s, h, p, path, q, f)| {
            let mut url = format!("{s}{h}");
            if let Some(p) = p {
                url.push(':');
                url.push_str(&p);
            }
            url.push_str(&path);
            if let Some(q) = q {
                url.push('?');
                url.push_str(&q);
            }
            if let Some(f) = f {
                url.push('#');
                url.push_str(&f);
            }
            url
        }),
        1 => any::<String>(),
    ]
}

/// Strings a `Retry-After` header might carry.
fn retry_after_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,5}",
        "[0-9]{15,40}",
        " *-?[0-9]{1,8}(\\.[0-9]{1,3})? *",
        (0u64..253_402_300_800)
            .prop_map(|s| httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(s))),
        "[A-Za-z0-9 ,:-]{0,32}",
        any::<String>(),
    ]
}

/// The inside of a JSON string literal and the UTF-16 units it stands for:
/// plain characters, `\"` and `\\`, characters written as `\uXXXX`, and
/// surrogates (paired or not) written as `\uXXXX`.
fn json_string_units() -> impl Strategy<Value = (String, Vec<u16>)> {
    let piece = prop_oneof![
        // Characters that must be escaped in JSON become plain letters.
        3 => any::<char>()
            .prop_map(|c| if c.is_control() || c == '"' || c == '\\' { 'x' } else { c })
            .prop_map(|c| (c.to_string(), c.encode_utf16(&mut [0; 2]).to_vec())),
        1 => Just(("\\\\u0041".to_owned(), vec![u16::from(b'\\'), u16::from(b'u'), 0x30, 0x30, 0x34, 0x31])),
        1 => Just(("\\\"".to_owned(), vec![u16::from(b'"')])),
        2 => (0xD800u16..=0xDFFF, any::<bool>()).prop_map(|(u, upper)| {
            (if upper { format!("\\u{u:04X}") } else { format!("\\u{u:04x}") }, vec![u])
        }),
        1 => any::<char>().prop_map(|c| {
            let units = c.encode_utf16(&mut [0; 2]).to_vec();
            (units.iter().map(|u| format!("\\u{u:04x}")).collect(), units)
        }),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| {
        let mut text = String::new();
        let mut units = Vec::new();
        for (t, u) in pieces {
            text.push_str(&t);
            units.extend(u);
        }
        (text, units)
    })
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

fn is_js_ws(c: char) -> bool {
    js_trim(&c.to_string()).is_empty()
}

/// One line of an event stream: a field, a comment, or the empty line that
/// ends an event.
#[derive(Debug, Clone)]
enum SseLine {
    Field(&'static str, String),
    Comment(String),
    Blank,
}

fn sse_lines() -> impl Strategy<Value = Vec<(SseLine, &'static str)>> {
    // Values: any text without CR, LF or NUL (emoji and accents included).
    let value = "[^\r\n\x00]{0,12}";
    let line = prop_oneof![
        3 => (prop::sample::select(vec!["event", "data", "id", "retry", "other"]), value).prop_map(|(f, v)| SseLine::Field(f, v)),
        1 => value.prop_map(SseLine::Comment),
        2 => Just(SseLine::Blank),
    ];
    prop::collection::vec(
        (line, prop::sample::select(vec!["\n", "\r", "\r\n"])),
        0..24,
    )
}

/// The events a list of lines stands for, by the rules in `sse.rs`.
fn sse_model(lines: &[(SseLine, &'static str)]) -> Vec<RawEvent> {
    let mut events = Vec::new();
    let mut current = RawEvent::default();
    let mut started = false;
    for (line, _) in lines {
        match line {
            SseLine::Blank => {
                if started {
                    events.push(std::mem::take(&mut current));
                }
                current = RawEvent::default();
                started = false;
            }
            SseLine::Comment(_) => {}
            SseLine::Field(field, value) => {
                started = true;
                match *field {
                    "event" => current.event = Some(value.clone()),
                    "id" => current.id = Some(value.clone()),
                    "data" => {
                        current.data = Some(match current.data.take() {
                            Some(d) => format!("{d}\n{value}"),
                            None => value.clone(),
                        })
                    }
                    "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                        current.retry = Some(value.parse().unwrap_or(u64::MAX))
                    }
                    _ => {}
                }
            }
        }
    }
    events
}

/// The members of the event stream's union.
fn sse_members() -> &'static [(&'static str, &'static Schema)] {
    match &SSE_EVENT_STREAM {
        Schema::Union { members, .. } => members,
        _ => unreachable!("the event stream is a union"),
    }
}

/// A JSON value of one `data` field: strings with every kind of escape and
/// character, numbers of every form, booleans, null, nested values.
fn data_value() -> BoxedStrategy<String> {
    prop_oneof![
        4 => json_string_units().prop_map(|(text, _)| format!("\"{text}\"")),
        2 => "[ -~]{0,8}".prop_map(|t| serde_json::to_string(&t).unwrap()),
        1 => "[^\"\\\\]{0,6}".prop_map(|t| format!("\"{t}\"")),
        1 => prop::sample::select(vec!["\"\\n\\t\\r\\b\\f\\/\"", "\"é—😀\"", "\"\u{7f}\u{80}\u{ff}\u{100}\"", "\"a\u{1}b\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\u00e9\\u2014\"", "\"\\x\"", "\"unterminated"]).prop_map(str::to_owned),
        2 => prop::sample::select(vec!["0", "-0", "7", "-12", "123456789012345", "1234567890123456", "01", "1.0", "1e3", "-", "2.5", "1E400", "true", "false", "null", "tru", "{}", "[]", "{\"a\":1}", "[1,\"x\"]"]).prop_map(str::to_owned),
        1 => any::<i64>().prop_map(|n| n.to_string()),
    ]
    .boxed()
}

/// `data` text for a member with `fields`: its keys (sometimes missing,
/// repeated or unknown), any values, any whitespace, sometimes not an
/// object or followed by more text.
fn data_text(fields: &'static [mix_core::schema::Field]) -> BoxedStrategy<String> {
    let names: Vec<String> = fields
        .iter()
        .map(|f| f.wire.to_owned())
        .chain(["other".to_owned(), "".to_owned(), "t\\u0079pe".to_owned()])
        .collect();
    let entry = (
        prop::sample::select(names),
        data_value(),
        prop::sample::select(vec!["", " ", "\n\t ", "\r\n"]),
    );
    let entries = prop::collection::vec(entry, 0..(fields.len() + 3));
    let required: Vec<String> = fields
        .iter()
        .filter(|f| !f.optional)
        .map(|f| f.wire.to_owned())
        .collect();
    (
        entries,
        any::<bool>(),
        prop::sample::select(vec!["", " ", "x", "}", " \n"]),
        any::<u8>(),
    )
        .prop_map(move |(mut entries, fill, tail, shape)| {
            if fill {
                // Mostly valid objects: every required key with a string.
                for name in &required {
                    entries.push((name.clone(), "\"v\"".to_owned(), ""));
                }
            }
            let body: Vec<String> = entries
                .iter()
                .map(|(k, v, ws)| format!("{ws}\"{k}\"{ws}:{ws}{v}{ws}"))
                .collect();
            let text = format!("{{{}}}", body.join(","));
            match shape % 8 {
                0 => format!("{text}{tail}"),
                1 => format!("  {text}\n"),
                _ => text,
            }
        })
        .boxed()
}

/// `data` text that fits: each field once (optional ones maybe not), in
/// any order, with a value of its type, and unknown keys with scalars.
fn fitting_data_text(fields: &'static [mix_core::schema::Field]) -> BoxedStrategy<String> {
    let values: Vec<BoxedStrategy<Option<String>>> = fields
        .iter()
        .map(|f| {
            let value: BoxedStrategy<String> = match f.schema {
                Schema::Boolean => any::<bool>().prop_map(|b| b.to_string()).boxed(),
                Schema::Integer | Schema::Number => prop_oneof![
                    (-999_999_999_999_999i64..=999_999_999_999_999).prop_map(|n| n.to_string()),
                    Just("0".to_owned()),
                ]
                .boxed(),
                _ => prop_oneof![
                    json_string_units().prop_map(|(t, _)| format!("\"{t}\"")),
                    "[^\"\\\\\u{0}-\u{1f}]{0,40}".prop_map(|t| format!("\"{t}\"")),
                ]
                .boxed(),
            };
            if f.optional {
                prop::option::of(value).boxed()
            } else {
                value.prop_map(Some).boxed()
            }
        })
        .collect();
    let extra = prop::collection::vec(
        (
            "[a-z]{1,5}",
            prop::sample::select(vec!["1", "\"x\"", "true", "null", "-3"]),
        ),
        0..2,
    );
    (values, extra, any::<prop::sample::Index>())
        .prop_map(move |(values, extra, rotate)| {
            let mut entries: Vec<String> = fields
                .iter()
                .zip(values)
                .filter_map(|(f, v)| v.map(|v| format!("\"{}\":{v}", f.wire)))
                .chain(
                    extra
                        .into_iter()
                        .filter(|(k, _)| !fields.iter().any(|f| f.wire == k.as_str()))
                        .map(|(k, v)| format!("\"{k}\": {v}")),
                )
                .collect();
            if !entries.is_empty() {
                let by = rotate.index(entries.len());
                entries.rotate_left(by);
            }
            format!("{{{}}}", entries.join(","))
        })
        .boxed()
}

/// The event a tape holds, as the generated JS reader would build it.
fn read_tape(tape: &EventTape, fields: &[mix_core::schema::Field], name: &str) -> Value {
    let words = &tape.tape;
    let text = |at: usize| -> Option<String> {
        let (start, len) = (words[at], words[at + 1] as usize);
        if start == ABSENT {
            None
        } else if start >= 0 {
            let start = start as usize;
            Some(
                tape.narrow[start..start + len]
                    .iter()
                    .map(|&b| char::from(b))
                    .collect(),
            )
        } else {
            let start = (-2 - start) as usize;
            Some(String::from_utf16(&tape.wide[start..start + len]).expect("no lone surrogates"))
        }
    };
    let mut data = serde_json::Map::new();
    let mut at = 3;
    for field in fields {
        let value = match field.schema {
            Schema::Boolean => {
                at += 1;
                match words[at - 1] {
                    ABSENT => None,
                    b => Some(Value::Bool(b == 1)),
                }
            }
            Schema::Integer | Schema::Number => {
                at += 2;
                text(at - 2).map(|t| Value::from(t.parse::<f64>().expect("a number")))
            }
            _ => {
                at += 2;
                text(at - 2).map(Value::String)
            }
        };
        if let Some(value) = value {
            data.insert(field.name.to_owned(), value);
        }
    }
    assert_eq!(at, words.len(), "the reader takes every word");
    serde_json::json!({ "event": name, "id": text(1).expect("an id"), "data": data })
}

/// Numbers as `f64`, as JavaScript sees every number.
fn as_js(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::from(n.as_f64().expect("finite")),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, as_js(v))).collect()),
        other => other,
    }
}

// --- properties -------------------------------------------------------------

proptest! {

    /// The tape's fast path never decides anything the schema decoder would
    /// not: for any `data` text, an event it writes is the decoder's value
    /// (keys, strings to the UTF-16 unit, numbers, booleans, absent
    /// optionals), and anything it cannot take it leaves untouched for the
    /// decoder. A JSON event written after a declined one reads back too.
    #[test]
    fn events_on_the_tape_are_what_the_schema_decoder_makes(
        (member, data) in prop::sample::select((0..sse_members().len()).filter(|&m| flat_fields(sse_members()[m].1).is_some()).collect::<Vec<_>>())
            .prop_flat_map(|m| {
                let fields = flat_fields(sse_members()[m].1).unwrap_or_default();
                (Just(m), prop_oneof![data_text(fields), fitting_data_text(fields)])
            }),
        id in prop_oneof!["[0-9]{1,6}", any::<String>()],
    ) {
        let (name, schema) = sse_members()[member];
        let fields = flat_fields(schema).unwrap_or_default();
        let mut tape = EventTape::default();
        let taken = tape.push_flat(member, fields, &id, &data);
        let raw = RawEvent { event: Some(name.to_owned()), id: Some(id.clone()), data: Some(data.clone()), retry: None };
        let mut decoder = Decoder::default();
        let decoded = decode_event(&SSE_EVENT_STREAM, raw, &mut decoder);
        if taken {
            prop_assert_eq!(tape.tape[0], member as i32);
            let DecodedEvent::Value(json) = decoded else {
                return Err(TestCaseError::fail(format!("taken, but the decoder refuses {data:?}: {decoded:?}")));
            };
            let expected = as_js(serde_json::from_str(json).unwrap());
            prop_assert_eq!(as_js(read_tape(&tape, fields, name)), expected, "{}", data);
        } else {
            prop_assert!(tape.tape.is_empty() && tape.narrow.is_empty() && tape.wide.is_empty(), "declined but wrote {:?}", tape);
            if let DecodedEvent::Value(json) = decoded {
                prop_assert!(tape.push_json(json));
                prop_assert_eq!(tape.tape[0], JSON_EVENT);
                let (start, len) = (tape.tape[1] as usize, tape.tape[2] as usize);
                let text = std::str::from_utf8(&tape.narrow[start..start + len]).unwrap();
                prop_assert!(text.is_ascii());
                prop_assert_eq!(serde_json::from_str::<Value>(text).unwrap(), serde_json::from_str::<Value>(json).unwrap());
            }
        }
    }
    /// Any status, content type and body bytes meet exactly one matcher of
    /// the refresh operation, chosen by the table in `operation.rs`; valid
    /// documents decode to what `JSON.parse` + the schema would give.
    #[test]
    fn refresh_responses_always_yield_a_documented_outcome(status in status(), ct in content_type(), bytes in body_bytes()) {
        let op = OPERATIONS.iter().find(|op| op.id == "refreshOAuthTokens").unwrap();
        let body = decode_text(bytes.clone());
        let json = content_matches(ContentPattern::Media("application/json"), Some(&ct));
        let matched = match_response(op, status, Some(&ct));
        let expected = match status {
            200 if json => Match::Success,
            500 if json => Match::ErrorResponse,
            400..=599 => Match::ApiError,
            _ => Match::Unexpected,
        };
        prop_assert_eq!(matched, expected);
        // The oracle: a document serde_json parses must decode to exactly
        // the fitting value, or fail with issues.
        if let Ok(Value::Object(root)) = serde_json::from_str::<Value>(&body) {
            let decoded = decode_json(&REFRESH_O_AUTH_TOKENS_RESPONSE, &body);
            let field = |k: &str| match root.get(k) {
                None => Some(None),
                Some(Value::String(s)) => Some(Some(s.clone())),
                Some(_) => None,
            };
            match (field("message"), field("status")) {
                (Some(message), Some(st)) => {
                    let mut want = serde_json::Map::new();
                    if let Some(m) = message { want.insert("message".into(), Value::String(m)); }
                    if let Some(s) = st { want.insert("status".into(), Value::String(s)); }
                    let got: Value = serde_json::from_str(&decoded.unwrap()).unwrap();
                    prop_assert_eq!(got, Value::Object(want));
                }
                _ => prop_assert!(matches!(decoded, Err(Invalid::Issues(ref i)) if !i.is_empty())),
            }
            let decoded = decode_json(&ERROR_RESPONSE, &body);
            let fits = root.get("error").and_then(Value::as_object).is_some_and(|e| {
                e.get("code").and_then(Value::as_f64).is_some_and(|c| c.fract() == 0.0)
                    && e.get("message").is_some_and(Value::is_string)
                    && e.get("type").and_then(Value::as_str).is_some_and(|t| {
                        ["bad_request", "not_found", "internal_error", "unauthorized", "validation_error"].contains(&t)
                    })
            });
            prop_assert_eq!(decoded.is_ok(), fits, "{}", body);
        }
    }

    /// Strings with `\uXXXX` escapes of any UTF-16 units — surrogate pairs,
    /// lone surrogates, escaped or plain characters — decode as `JSON.parse`
    /// would, with each unpaired surrogate then read as U+FFFD.
    #[test]
    fn escaped_utf16_units_decode_as_json_parse_then_utf8_would(
        message in json_string_units(),
        status in json_string_units(),
    ) {
        let body = format!("{{\"message\":\"{}\",\"status\":\"{}\"}}", message.0, status.0);
        let got: Value = serde_json::from_str(&decode_json(&REFRESH_O_AUTH_TOKENS_RESPONSE, &body).unwrap()).unwrap();
        prop_assert_eq!(got["message"].as_str().unwrap(), String::from_utf16_lossy(&message.1), "{}", body);
        prop_assert_eq!(got["status"].as_str().unwrap(), String::from_utf16_lossy(&status.1), "{}", body);
    }

    /// Any event stream, with any line ends, split into any reads (inside
    /// CRLFs and UTF-8 characters included), gives the events of the model.
    #[test]
    fn sse_parsing_matches_the_model_for_any_split(lines in sse_lines(), bom in any::<bool>(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let mut text = String::new();
        if bom {
            text.push('\u{FEFF}');
        }
        let mut previous_end = "";
        let mut kept = Vec::new();
        for (line, end) in &lines {
            let body = match line {
                SseLine::Field(f, v) => format!("{f}: {v}"),
                SseLine::Comment(c) => format!(":{c}"),
                SseLine::Blank => String::new(),
            };
            // A CR then an empty line ended by LF would read as one CRLF.
            let end = if previous_end == "\r" && body.is_empty() && *end == "\n" { "\r" } else { *end };
            text.push_str(&body);
            text.push_str(end);
            previous_end = end;
            kept.push((line.clone(), end));
        }
        let expected = sse_model(&kept);
        let bytes = text.as_bytes();
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        points.sort_unstable();
        let mut parser = Parser::new(1 << 20);
        let mut got = Vec::new();
        let mut at = 0;
        for p in points.into_iter().chain([bytes.len()]) {
            parser.push(&bytes[at..p], &mut got).unwrap();
            at = p;
        }
        prop_assert_eq!(got, expected, "{:?}", text);
    }

    /// `Retry-After`: never panics; digits alone always mean that many
    /// seconds (saturating); anything else is a wait only when it is an
    /// HTTP date.
    #[test]
    fn parse_retry_after_reads_digits_and_dates_only(value in retry_after_value(), date in prop::option::of(retry_after_value()), now_s in 0u64..253_402_300_800) {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now_s);
        let parsed = parse_retry_after(&value, date.as_deref(), now);
        let trimmed = value.trim();
        let digits = !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit());
        if digits {
            let expected = trimmed.parse::<u64>().unwrap_or(u64::MAX);
            prop_assert_eq!(parsed, Some(Duration::from_secs(expected)));
        } else {
            let is_date = httpdate::parse_http_date(trimmed).is_ok();
            prop_assert_eq!(parsed.is_some(), is_date, "{:?} -> {:?}", value, parsed);
        }
        if let Some(d) = parsed {
            prop_assert_eq!(d.subsec_nanos(), 0);
        }
    }

    /// URL joining: never panics; every joined URL ends with the operation
    /// path after exactly one `/`, keeps the base's query and drops fragments.
    #[test]
    fn joined_urls_end_with_the_operation_path_and_keep_the_query(input in url_like()) {
        // The client's base: trailing slashes collapse into exactly one `/`.
        if let Ok(base) = client_base(&input) {
            let url = join(&base, OP);
            prop_assert!(url.path().ends_with(OP), "{:?} -> {}", input, url);
            prop_assert_eq!(url.query(), base.query());
            prop_assert_eq!(url.fragment(), None);
            let prefix = &url.path()[..url.path().len() - OP.len()];
            prop_assert!(!prefix.ends_with('/'), "{:?} -> {}", input, url);
            prop_assert_eq!(url.host_str(), base.host_str());
            prop_assert_eq!(url.port(), base.port());
        }
        // A per-call base keeps its path as given (as the original does):
        // the operation path follows it after one `/` unless it ends in one.
        if let Ok(base) = parse_base(&input) {
            let url = join(&base, OP);
            prop_assert!(url.path().ends_with(OP), "{:?} -> {}", input, url);
            let sep = if base.path().ends_with('/') { "" } else { "/" };
            let expected = format!("{}{}{}", base.path(), sep, &OP[1..]);
            if matches!(url.scheme(), "http" | "https") {
                prop_assert_eq!(url.path(), expected.as_str(), "{:?}", input);
            }
            prop_assert_eq!(url.query(), base.query());
            prop_assert_eq!(url.fragment(), None);
        }
    }

    /// `MixDefaultError` messages: never panic; start with the prefix; name
    /// the status; keep at most 10,000 UTF-16 units of the body plus a
    /// constant, and say how many were cut.
    #[test]
    fn default_error_messages_are_bounded_and_name_the_status(
        prefix in prop_oneof![Just("API error occurred".to_owned()), Just("Unexpected Status or Content-Type".to_owned()), any::<String>()],
        status in prop_oneof![3 => (0u16..1000).prop_map(f64::from), 1 => any::<f64>()],
        ct in prop::option::of(content_type()),
        body in prop_oneof![
            3 => any::<String>(),
            1 => (".{0,2}", 9_990usize..10_012).prop_map(|(c, n)| c.repeat(n)),
            1 => prop::collection::vec(any::<char>(), 9_995..10_010).prop_map(|v| v.into_iter().collect::<String>()),
            1 => "[a-z\u{1F600}]{0,20}".prop_map(|s| s.repeat(700)),
        ],
    ) {
        let message = default_error_message(&prefix, status, ct.as_deref(), &body);
        let lead = prefix.trim_start_matches(is_js_ws);
        prop_assert!(message.starts_with(lead));
        if status.fract() == 0.0 && (0.0..1000.0).contains(&status) {
            let named = format!("Status {}", status as u16);
            prop_assert!(message.contains(&named));
        } else {
            prop_assert!(message.contains("Status "));
        }
        let ct_units = ct.as_deref().map_or(0, utf16_len);
        let bound = utf16_len(&prefix) + ct_units + MAX_BODY_CHARS + 128;
        prop_assert!(utf16_len(&message) <= bound, "{} > {}", utf16_len(&message), bound);
        let units = utf16_len(&body);
        if units > MAX_BODY_CHARS {
            let tail = format!("...and {} more chars", units - MAX_BODY_CHARS);
            prop_assert!(message.ends_with(&tail));
        } else if !body.is_empty() {
            prop_assert!(message.contains(js_trim(&body)));
        }
    }

    /// Backoff: never panics for any numbers; a wait never exceeds the cap.
    #[test]
    fn backoff_waits_never_exceed_the_max_interval(b in backoff(), n in any::<u32>(), jitter in any::<f64>()) {
        let wait = backoff_wait(&b, n, jitter);
        prop_assert!(wait <= millis(b.max_interval_ms), "{:?} > {}", wait, b.max_interval_ms);
    }

    /// The policy step: never panics; it waits only when the wait fits the
    /// budget and the deadline, never longer than the cap, and gives up
    /// whenever elapsed + wait would pass the budget.
    #[test]
    fn next_step_never_overruns_the_budget_or_the_deadline(
        b in backoff(),
        n in any::<u32>(),
        retry_after in prop::option::of(duration()),
        elapsed in duration(),
        left in prop::option::of(duration()),
        jitter in prop_oneof![0.0f64..1.0, any::<f64>()],
    ) {
        let step = next_step(&b, n, retry_after, elapsed, left, jitter);
        let cap = millis(b.max_interval_ms);
        let budget = millis(b.max_elapsed_time_ms);
        // A zero Retry-After is no hint: the computed wait applies.
        let wait = match retry_after.filter(|asked| !asked.is_zero()) {
            Some(asked) => asked.min(cap),
            None => backoff_wait(&b, n, jitter),
        };
        // Sums saturate: a budget of `Duration::MAX` (e.g. Infinity ms) is
        // never overrun.
        if elapsed.saturating_add(wait) > budget {
            prop_assert_eq!(step, NextStep::GiveUp);
        }
        if let NextStep::Wait(w) = step {
            prop_assert_eq!(w, wait);
            prop_assert!(w <= cap);
            prop_assert!(elapsed.saturating_add(w) <= budget);
            prop_assert!(!matches!(left, Some(l) if w >= l));
        }
    }
}
