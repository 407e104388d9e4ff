//! How a batch of decoded events reaches JavaScript: as a tape, not as
//! JSON text.
//!
//! `JSON.parse` of a batch cost the JS thread more per event than a whole
//! hand-written SSE client spends (benchmark/README.md), so most events are
//! handed over as values JS can build without parsing anything:
//!
//! - `tape` (`i32`s): per event, the index of its member in the stream's
//!   union, its `id`, then its `data` fields in declaration order;
//! - `narrow`: the text of every string whose characters all fit in one
//!   byte (Latin-1), back to back;
//! - `wide`: the text of the other strings, in UTF-16.
//!
//! A string is two words, `(start, length)`: a start `>= 0` is in `narrow`,
//! `-1` means absent (an optional field not sent), and `-2 - s` is `s` in
//! `wide` (in UTF-16 units). A boolean is one word (`0`, `1`, `-1` absent);
//! a number is a string of its JSON text. The JS reader for each member is
//! generated from the same schema (`lib/internal/event-readers.js`): it
//! copies each string out of the pools into a string of its own, so no
//! event keeps a batch alive.
//!
//! Only members whose `data` is an object of strings, numbers and booleans
//! are written this way ([`flat_fields`]), and only events the fast path
//! below decodes to the very value the schema decoder would: any other
//! event (a `retry` field, a lone surrogate, a key it does not know
//! holding an object or an array, a number with a fraction or an exponent,
//! a repeated key, anything invalid) goes through
//! [`crate::decode`], and its JSON text is written to `narrow` behind the
//! member index `-1`. So the fast path never decides what is valid: it
//! only declines.

use crate::schema::{Field, Schema};

/// The member word of an event written as JSON text.
pub const JSON_EVENT: i32 = -1;
/// The start word of an absent string, or the word of an absent boolean.
pub const ABSENT: i32 = -1;
/// The most fields a flat `data` object may declare (slots on the stack).
const MAX_FIELDS: usize = 16;
/// Digits of a number the fast path takes (exact as an `f64` and an integer).
const MAX_DIGITS: usize = 15;

/// The `data` fields of `member` when its events can be written to the
/// tape: `member` is `{event, id, retry?, data}` with `data` JSON text of
/// an object whose fields are strings, integers, numbers or booleans
/// without defaults. The generator applies the same rule to emit the
/// member's JS reader.
pub fn flat_fields(member: &'static Schema) -> Option<&'static [Field]> {
    let Schema::Object(
        [Field {
            name: "event",
            schema: Schema::Enum(_),
            ..
        }, Field {
            name: "id",
            schema: Schema::String,
            optional: false,
            ..
        }, Field {
            name: "retry",
            schema: Schema::Integer,
            optional: true,
            ..
        }, Field {
            name: "data",
            schema: Schema::JsonText(Schema::Object(fields)),
            optional: false,
            ..
        }],
    ) = member
    else {
        return None;
    };
    let scalar = |f: &Field| {
        f.default.is_none()
            && matches!(
                f.schema,
                Schema::String | Schema::Integer | Schema::Number | Schema::Boolean
            )
    };
    (fields.len() <= MAX_FIELDS && fields.iter().all(scalar)).then_some(*fields)
}

/// One batch being written.
#[derive(Debug, Default)]
pub struct EventTape {
    pub tape: Vec<i32>,
    pub narrow: Vec<u8>,
    pub wide: Vec<u16>,
}

/// A decoded `data` field, before it is written in declaration order.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Absent,
    Text(i32, i32),
    Bool(bool),
}

impl EventTape {
    /// A tape with room for [`EventTape::size`] of another.
    pub fn with_capacity_of(&[tape, narrow, wide]: &[usize; 3]) -> EventTape {
        EventTape {
            tape: Vec::with_capacity(tape),
            narrow: Vec::with_capacity(narrow),
            wide: Vec::with_capacity(wide),
        }
    }

    /// The lengths of its three buffers.
    pub fn size(&self) -> [usize; 3] {
        [self.tape.len(), self.narrow.len(), self.wide.len()]
    }

    /// Bytes of text held (what bounds a batch).
    pub fn text_len(&self) -> usize {
        self.narrow.len() + 2 * self.wide.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tape.is_empty()
    }

    /// Writes an event the schema decoder made: its JSON text, with every
    /// non-ASCII character escaped, so it stays in `narrow`. `false` when a
    /// batch cannot hold it (its offsets would not fit an `i32`).
    pub fn push_json(&mut self, json: &str) -> bool {
        let start = self.narrow.len();
        push_ascii_json(&mut self.narrow, json);
        match (
            i32::try_from(start),
            i32::try_from(self.narrow.len() - start),
        ) {
            (Ok(start), Ok(len)) => {
                self.tape.extend_from_slice(&[JSON_EVENT, start, len]);
                true
            }
            _ => {
                self.narrow.truncate(start);
                false
            }
        }
    }

    /// Writes the event of member `index` (with `fields` from
    /// [`flat_fields`]) from its `id` and `data` text, if the fast path
    /// takes it; otherwise writes nothing and returns `false`.
    pub fn push_flat(&mut self, index: usize, fields: &[Field], id: &str, data: &str) -> bool {
        let (tape, narrow, wide) = (self.tape.len(), self.narrow.len(), self.wide.len());
        let written = self.try_flat(index, fields, id, data).is_some();
        if !written {
            self.tape.truncate(tape);
            self.narrow.truncate(narrow);
            self.wide.truncate(wide);
        }
        written
    }

    fn try_flat(&mut self, index: usize, fields: &[Field], id: &str, data: &str) -> Option<()> {
        if fields.len() > MAX_FIELDS {
            return None;
        }
        let index = i32::try_from(index).ok()?;
        let id = self.plain_text(id)?;
        let mut slots = [Slot::Absent; MAX_FIELDS];
        let mut seen = [false; MAX_FIELDS];
        let mut scan = Scan {
            text: data,
            bytes: data.as_bytes(),
            at: 0,
        };
        scan.blank();
        scan.eat(b'{')?;
        scan.blank();
        if scan.eat(b'}').is_none() {
            loop {
                let key = scan.key()?;
                scan.blank();
                scan.eat(b':')?;
                scan.blank();
                match fields.iter().position(|f| f.wire.as_bytes() == key) {
                    Some(i) => {
                        if std::mem::replace(&mut seen[i], true) {
                            return None; // a repeated key: the decoder's
                        }
                        slots[i] = self.value(&mut scan, fields[i].schema)?;
                    }
                    None => self.skip(&mut scan)?,
                }
                scan.blank();
                if scan.eat(b',').is_some() {
                    scan.blank();
                    continue;
                }
                scan.eat(b'}')?;
                break;
            }
        }
        scan.blank();
        if scan.at != scan.bytes.len() {
            return None;
        }
        if fields.iter().zip(&seen).any(|(f, &s)| !s && !f.optional) {
            return None; // a missing field is an issue: the decoder's
        }
        self.tape.push(index);
        self.tape.extend_from_slice(&[id.0, id.1]);
        for (field, slot) in fields.iter().zip(slots) {
            match (slot, field.schema) {
                (Slot::Bool(b), _) => self.tape.push(i32::from(b)),
                (Slot::Absent, Schema::Boolean) => self.tape.push(ABSENT),
                (Slot::Absent, _) => self.tape.extend_from_slice(&[ABSENT, 0]),
                (Slot::Text(start, len), _) => self.tape.extend_from_slice(&[start, len]),
            }
        }
        Some(())
    }

    /// A value of a declared field, or `None` when the fast path declines.
    fn value(&mut self, scan: &mut Scan<'_>, schema: &Schema) -> Option<Slot> {
        match schema {
            Schema::String => {
                let (start, len) = self.string(scan)?;
                Some(Slot::Text(start, len))
            }
            Schema::Integer | Schema::Number => {
                let digits = scan.integer()?;
                let start = self.narrow.len();
                self.narrow.extend_from_slice(digits);
                Some(Slot::Text(i32::try_from(start).ok()?, digits.len() as i32))
            }
            Schema::Boolean => {
                if scan.word(b"true").is_some() {
                    Some(Slot::Bool(true))
                } else {
                    scan.word(b"false")?;
                    Some(Slot::Bool(false))
                }
            }
            _ => None,
        }
    }

    /// Passes over the value of an undeclared key (dropped, as zod drops
    /// it): a string, number, `true`, `false` or `null`; an object or an
    /// array is left to the decoder.
    fn skip(&mut self, scan: &mut Scan<'_>) -> Option<()> {
        match scan.peek()? {
            b'"' => {
                let (tape, narrow, wide) = (self.tape.len(), self.narrow.len(), self.wide.len());
                self.string(scan)?;
                self.tape.truncate(tape);
                self.narrow.truncate(narrow);
                self.wide.truncate(wide);
                Some(())
            }
            b't' => scan.word(b"true"),
            b'f' => scan.word(b"false"),
            b'n' => scan.word(b"null"),
            _ => scan.integer().map(|_| ()),
        }
    }

    /// Text with no escapes (an `id`) into a pool: its `(start, length)`.
    fn plain_text(&mut self, text: &str) -> Option<(i32, i32)> {
        let mut string = Pooled::start(self);
        string.raw(self, text)?;
        string.end(self)
    }

    /// A JSON string at `scan` (its opening quote) decoded into a pool.
    /// Declines control characters (invalid JSON) and lone surrogates (the
    /// decoder replaces them).
    fn string(&mut self, scan: &mut Scan<'_>) -> Option<(i32, i32)> {
        scan.eat(b'"')?;
        let mut string = Pooled::start(self);
        loop {
            // Printable ASCII, copied as it stands, up to a byte that needs
            // a look.
            let stop = scan.at + plain_run(&scan.bytes[scan.at..]);
            string.ascii(self, &scan.bytes[scan.at..stop]);
            scan.at = stop + 1;
            match *scan.bytes.get(stop)? {
                b'"' => return string.end(self),
                b'\\' => {}
                0..0x20 => return None,
                _ => {
                    let c = scan.text.get(stop..)?.chars().next()?;
                    scan.at = stop + c.len_utf8();
                    string.char(self, c);
                    continue;
                }
            }
            let unit = match scan.peek()? {
                b'"' => u16::from(b'"'),
                b'\\' => u16::from(b'\\'),
                b'/' => u16::from(b'/'),
                b'b' => 0x08,
                b'f' => 0x0C,
                b'n' => u16::from(b'\n'),
                b'r' => u16::from(b'\r'),
                b't' => u16::from(b'\t'),
                b'u' => {
                    let unit = hex4(scan.bytes.get(scan.at + 1..scan.at + 5)?)?;
                    scan.at += 5;
                    if (0xD800..0xDC00).contains(&unit) {
                        // Only a high surrogate followed by a low one.
                        if scan.bytes.get(scan.at..scan.at + 2)? != b"\\u" {
                            return None;
                        }
                        let low = hex4(scan.bytes.get(scan.at + 2..scan.at + 6)?)?;
                        if !(0xDC00..0xE000).contains(&low) {
                            return None;
                        }
                        scan.at += 6;
                        string.unit(self, unit);
                        string.unit(self, low);
                    } else if (0xDC00..0xE000).contains(&unit) {
                        return None;
                    } else {
                        string.unit(self, unit);
                    }
                    continue;
                }
                _ => return None,
            };
            scan.at += 1;
            string.unit(self, unit);
        }
    }
}

/// A string being written: to `narrow` while its characters fit a byte,
/// moved to `wide` at the first that does not.
struct Pooled {
    narrow: usize,
    /// Where it starts in `wide`, once there.
    wide: Option<usize>,
}

impl Pooled {
    fn start(tape: &EventTape) -> Pooled {
        Pooled {
            narrow: tape.narrow.len(),
            wide: None,
        }
    }

    /// Unescaped text; declines control characters.
    fn raw(&mut self, tape: &mut EventTape, text: &str) -> Option<()> {
        let bytes = text.as_bytes();
        if plain_run(bytes) == bytes.len() {
            self.ascii(tape, bytes);
            return Some(());
        }
        if bytes.iter().any(|&b| b < 0x20) {
            return None;
        }
        text.chars().for_each(|c| self.char(tape, c));
        Some(())
    }

    /// ASCII text.
    fn ascii(&mut self, tape: &mut EventTape, ascii: &[u8]) {
        match self.wide {
            None => tape.narrow.extend_from_slice(ascii),
            Some(_) => tape.wide.extend(ascii.iter().map(|&b| u16::from(b))),
        }
    }

    /// One character.
    fn char(&mut self, tape: &mut EventTape, c: char) {
        match (self.wide, u8::try_from(u32::from(c))) {
            (None, Ok(byte)) => tape.narrow.push(byte),
            _ => {
                let mut units = [0u16; 2];
                for &unit in c.encode_utf16(&mut units).iter() {
                    self.unit(tape, unit);
                }
            }
        }
    }

    /// One UTF-16 unit.
    fn unit(&mut self, tape: &mut EventTape, unit: u16) {
        match (self.wide, u8::try_from(unit)) {
            (None, Ok(byte)) => tape.narrow.push(byte),
            (Some(_), _) => tape.wide.push(unit),
            (None, Err(_)) => {
                // Everything so far moves to `wide`.
                self.wide = Some(tape.wide.len());
                tape.wide
                    .extend(tape.narrow[self.narrow..].iter().map(|&b| u16::from(b)));
                tape.narrow.truncate(self.narrow);
                tape.wide.push(unit);
            }
        }
    }

    /// Its `(start, length)` on the tape.
    fn end(self, tape: &EventTape) -> Option<(i32, i32)> {
        match self.wide {
            None => Some((
                i32::try_from(self.narrow).ok()?,
                i32::try_from(tape.narrow.len() - self.narrow).ok()?,
            )),
            Some(start) => Some((
                i32::try_from(start).ok()?.checked_add(2)?.checked_neg()?,
                i32::try_from(tape.wide.len() - start).ok()?,
            )),
        }
    }
}

/// How many bytes at the start are printable ASCII other than `"` and
/// `\\` (what a JSON string holds as it stands), looked at eight at a time:
/// each test below marks, in the high bit of a byte, the bytes it is true
/// of, exactly at least for the first one (a borrow can only mark bytes
/// above a marked one), which is all the count needs.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH;
    let zero = |w: u64| below(w, 1);
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let w = u64::from_le_bytes(eight);
        let special = zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')))
            | below(w, 0x20)
            | (w & HIGH);
        if special != 0 {
            return at + (special.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .take_while(|&&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\')
        .count()
}

/// Four hex digits as a UTF-16 unit.
fn hex4(digits: &[u8]) -> Option<u16> {
    digits.iter().try_fold(0u16, |unit, &d| {
        let value = char::from(d).to_digit(16)?;
        Some(unit << 4 | value as u16)
    })
}

/// A position in a `data` text.
struct Scan<'a> {
    text: &'a str,
    /// `text`'s bytes.
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// JSON whitespace.
    fn blank(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn word(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// A key with no escapes: its bytes between the quotes.
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let rest = self.bytes.get(self.at..)?;
        let end = memchr::memchr(b'"', rest)?;
        let key = &rest[..end];
        if key.iter().any(|&b| b == b'\\' || b < 0x20) {
            return None;
        }
        self.at += end + 1;
        Some(key)
    }

    /// `-?(0|[1-9][0-9]*)` of at most [`MAX_DIGITS`] digits, ending where a
    /// JSON value may end: the only numbers the fast path takes (exact, and
    /// integers, whatever the schema asks of them).
    fn integer(&mut self) -> Option<&'a [u8]> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let digits = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        let count = self.at - digits;
        let first = *self.bytes.get(digits)?;
        // (`-0` too: the decoder's text and this one could differ.)
        let negative = digits > start;
        if count == 0 || count > MAX_DIGITS || (first == b'0' && (count > 1 || negative)) {
            return None;
        }
        match self.peek() {
            Some(b',' | b'}' | b' ' | b'\t' | b'\n' | b'\r') => Some(&self.bytes[start..self.at]),
            _ => None,
        }
    }
}

/// Appends JSON text with every non-ASCII character escaped (`\uXXXX`, a
/// surrogate pair above U+FFFF), which keeps it in the one-byte pool.
/// Valid only for JSON text, where a non-ASCII character can stand only
/// inside a string.
fn push_ascii_json(out: &mut Vec<u8>, json: &str) {
    if json.is_ascii() {
        out.extend_from_slice(json.as_bytes());
        return;
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let mut units = [0u16; 2];
        for &unit in c.encode_utf16(&mut units).iter() {
            out.extend_from_slice(b"\\u");
            for shift in [12, 8, 4, 0] {
                out.push(HEX[usize::from((unit >> shift) & 0xF)]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated::SSE_EVENT_STREAM;

    #[test]
    fn json_events_stay_ascii_with_the_same_meaning() {
        let mut out = Vec::new();
        push_ascii_json(&mut out, r#"{"a":"é 🎉 \u00e9"}"#);
        assert_eq!(out, br#"{"a":"\u00e9 \ud83c\udf89 \u00e9"}"#);
        let back: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(back["a"], "é 🎉 é");
    }

    fn content_fields() -> (usize, &'static [Field]) {
        let Schema::Union { members, .. } = &SSE_EVENT_STREAM else {
            panic!("not a union")
        };
        let index = members.iter().position(|(n, _)| *n == "content").unwrap();
        (index, flat_fields(members[index].1).unwrap())
    }

    /// The tape's strings: `(pool, text)` in order.
    fn strings(tape: &EventTape) -> Vec<(&'static str, String)> {
        tape.tape[1..]
            .chunks(2)
            .map(|pair| match pair[0] {
                ABSENT => ("absent", String::new()),
                s if s >= 0 => {
                    let s = s as usize;
                    let bytes = &tape.narrow[s..s + pair[1] as usize];
                    ("narrow", bytes.iter().map(|&b| char::from(b)).collect())
                }
                s => {
                    let s = (-2 - s) as usize;
                    (
                        "wide",
                        String::from_utf16(&tape.wide[s..s + pair[1] as usize]).unwrap(),
                    )
                }
            })
            .collect()
    }

    #[test]
    fn the_usual_events_are_taken_with_their_strings_in_the_right_pool() {
        let (index, fields) = content_fields();
        let mut tape = EventTape::default();
        let data = r#"{"content":"caf\u00e9 \"q\"\n — ok 😀","type":"content","extra":[1]}"#;
        // An unknown key holding an array: left to the decoder.
        assert!(!tape.push_flat(index, fields, "1", data));
        assert!(tape.tape.is_empty() && tape.narrow.is_empty() && tape.wide.is_empty());
        let data =
            r#" { "type" : "content", "other": null, "content":"café \"q\"\n\u2014 ok 😀" } "#;
        assert!(tape.push_flat(index, fields, "7", data));
        assert_eq!(tape.tape[0], index as i32);
        assert_eq!(
            strings(&tape),
            [
                ("narrow", "7".to_owned()),
                ("wide", "café \"q\"\n— ok 😀".to_owned()),
                ("absent", String::new()),
                ("narrow", "content".to_owned()),
            ]
        );
        let mut tape = EventTape::default();
        assert!(tape.push_flat(
            index,
            fields,
            "é",
            r#"{"content":"ÿ\u00ff","type":"t","parentToolCallId":""}"#
        ));
        assert_eq!(
            strings(&tape),
            [
                ("narrow", "é".to_owned()),
                ("narrow", "ÿÿ".to_owned()),
                ("narrow", String::new()),
                ("narrow", "t".to_owned()),
            ]
        );
    }

    #[test]
    fn anything_unusual_is_left_to_the_decoder() {
        let (index, fields) = content_fields();
        for data in [
            r#"{"content":"a","type":"content","type":"x"}"#, // repeated
            r#"{"content":"a"}"#,                             // missing
            r#"{"content":1,"type":"content"}"#,              // wrong type
            r#"{"content":"\ud800","type":"content"}"#,       // lone surrogate
            "{\"content\":\"a\u{1}\",\"type\":\"content\"}",  // control character
            r#"{"content":"a","type":"content"} x"#,          // trailing text
            r#"{"content":"a","type":"content","n":1.5}"#,    // a number it does not take
            r#"{"cont\u0065nt":"a","type":"content"}"#,       // an escaped key
            r#"["content"]"#,
            r#"{"content":"a","type":"content""#,
        ] {
            let mut tape = EventTape::default();
            assert!(!tape.push_flat(index, fields, "1", data), "{data}");
            assert!(tape.tape.is_empty() && tape.narrow.is_empty() && tape.wide.is_empty());
        }
    }

    proptest::proptest! {
        /// The word-at-a-time count is the byte-at-a-time one, whatever
        /// the bytes (borrows between neighbouring bytes included).
        #[test]
        fn plain_runs_are_counted_exactly(bytes in proptest::collection::vec(proptest::prop_oneof![
            proptest::prelude::any::<u8>(),
            proptest::sample::select(vec![b'"', b'\\', 0x1F, 0x20, 0x21, 0x7F, 0x80, 0, 1, 0xFF, b'a']),
        ], 0..40)) {
            let naive = bytes
                .iter()
                .take_while(|&&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\')
                .count();
            proptest::prop_assert_eq!(plain_run(&bytes), naive);
        }
    }

    #[test]
    fn every_member_of_scalars_is_flat() {
        let Schema::Union { members, .. } = &SSE_EVENT_STREAM else {
            panic!("not a union")
        };
        let flat: Vec<&str> = members
            .iter()
            .filter(|(_, m)| flat_fields(m).is_some())
            .map(|(name, _)| *name)
            .collect();
        // `permission` has a free-form `params`: its events come as JSON.
        let all: Vec<&str> = members.iter().map(|(n, _)| *n).collect();
        let expected: Vec<&str> = all.into_iter().filter(|n| *n != "permission").collect();
        assert_eq!(flat, expected);
    }
}
