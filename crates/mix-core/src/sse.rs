//! An incremental parser for `text/event-stream` bodies (the framing of the
//! WHATWG HTML standard, "Parsing an event stream"), fed whatever bytes the
//! network delivers. Which events are documented, and how a payload is
//! validated, is decided above it (issue 13's stream decoder).
//!
//! Rules:
//! - lines end at CRLF, LF or CR, also when a CRLF is split between two
//!   reads; a line is decoded as UTF-8 (invalid bytes as U+FFFD) only once it
//!   is whole, so a character split between reads is never broken;
//! - a UTF-8 byte order mark at the very start of the stream is dropped;
//! - a line starting with `:` is a comment; otherwise the field name is the
//!   text before the first `:` and the value the text after it, minus one
//!   leading space (a line without `:` is a field with an empty value);
//! - `data` lines are joined with `\n`; `event`, `id` and `retry` keep their
//!   last value within an event (an `id` holding NUL is ignored, a `retry`
//!   that is not all ASCII digits too, as WHATWG says);
//! - an empty line ends an event; an event made only of comments is no
//!   event; bytes after the last empty line when the stream ends are not an
//!   event (an incomplete event is never delivered).
//!
//! Unlike a browser's `EventSource`, an event is delivered even without a
//! `data` line (its `data` is `None`), and `id` is not carried over from an
//! earlier event: the decoder above must see what the server sent.
//!
//! Memory is bounded: a line, or an event, longer than the parser's limit is
//! an error rather than a buffer that grows with whatever the server sends.

/// One event as the stream framed it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawEvent {
    pub event: Option<String>,
    pub id: Option<String>,
    /// The `data` lines joined with `\n`; `None` when there were none.
    pub data: Option<String>,
    /// The last valid `retry` value, in milliseconds.
    pub retry: Option<u64>,
}

impl RawEvent {
    /// The event as JSON, `{ event?, id?, retry?, data? }` in that order
    /// (what a misfit event's error and the public `EventStream` show).
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        let field = |out: &mut String, name: &str| {
            if out.len() > 1 {
                out.push(',');
            }
            out.push('"');
            out.push_str(name);
            out.push_str("\":");
        };
        if let Some(event) = &self.event {
            field(&mut out, "event");
            crate::decode::write_json_string(&mut out, event);
        }
        if let Some(id) = &self.id {
            field(&mut out, "id");
            crate::decode::write_json_string(&mut out, id);
        }
        if let Some(retry) = self.retry {
            field(&mut out, "retry");
            out.push_str(itoa::Buffer::new().format(retry));
        }
        if let Some(data) = &self.data {
            field(&mut out, "data");
            crate::decode::write_json_string(&mut out, data);
        }
        out.push('}');
        out
    }
}

/// The stream framed an event or a line longer than the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLong {
    pub limit: usize,
}

pub struct Parser {
    /// The bytes of the line being read (its end not seen yet).
    line: Vec<u8>,
    /// The last byte handed in was a CR: an LF starting the next read
    /// belongs to the same line end.
    after_cr: bool,
    /// Bytes of a possible byte order mark at the start of the stream;
    /// `None` once the start is past.
    bom: Option<Vec<u8>>,
    current: RawEvent,
    /// A field line (not only comments) was seen since the last event.
    started: bool,
    /// Bytes held for the current event (its line and fields).
    held: usize,
    limit: usize,
    /// Strings of events handed back ([`Parser::recycle`]), reused for the
    /// fields of the next ones: a stream of small events then allocates
    /// nothing per event.
    spare: Vec<String>,
    /// Their capacity in bytes.
    spare_bytes: usize,
}

/// How many strings [`Parser::recycle`] keeps (enough for the events of a
/// few kilobytes framed at once), and how many bytes in all.
const SPARE_STRINGS: usize = 512;
const SPARE_BYTES: usize = 256 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Parser {
    /// A parser that refuses lines and events over `limit` bytes.
    pub fn new(limit: usize) -> Parser {
        Parser {
            line: Vec::new(),
            after_cr: false,
            bom: Some(Vec::new()),
            current: RawEvent::default(),
            started: false,
            held: 0,
            limit,
            spare: Vec::new(),
            spare_bytes: 0,
        }
    }

    /// Takes back the strings of an event the caller is done with.
    pub fn recycle(&mut self, event: RawEvent) {
        for text in [event.event, event.id, event.data].into_iter().flatten() {
            if self.spare.len() < SPARE_STRINGS && self.spare_bytes + text.capacity() <= SPARE_BYTES
            {
                self.spare_bytes += text.capacity();
                self.spare.push(text);
            }
        }
    }

    /// The longest line or event it takes, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Feeds the next bytes; the events they complete are appended to `out`.
    pub fn push(&mut self, mut bytes: &[u8], out: &mut Vec<RawEvent>) -> Result<(), TooLong> {
        if let Some(start) = self.bom.as_mut() {
            let want = BOM.len() - start.len();
            let take = want.min(bytes.len());
            start.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if start.len() < BOM.len() && BOM.starts_with(start) {
                return Ok(()); // still could be a BOM: wait for more
            }
            let start = self.bom.take().unwrap_or_default();
            if start != BOM {
                self.bytes(&start, out)?;
            }
        }
        self.bytes(bytes, out)
    }

    fn bytes(&mut self, bytes: &[u8], out: &mut Vec<RawEvent>) -> Result<(), TooLong> {
        let mut rest = bytes;
        if rest.is_empty() {
            return Ok(());
        }
        if self.after_cr {
            self.after_cr = false;
            if let [b'\n', tail @ ..] = rest {
                rest = tail;
            }
        }
        while let Some(end) = memchr::memchr2(b'\n', b'\r', rest) {
            if self.line.is_empty() {
                // The whole line is in this read: no copy.
                if self.held + end > self.limit {
                    return Err(TooLong { limit: self.limit });
                }
                self.line_ended(&rest[..end], out)?;
            } else {
                self.extend_line(&rest[..end])?;
                let mut line = std::mem::take(&mut self.line);
                self.line_ended(&line, out)?;
                line.clear();
                self.line = line; // its allocation serves the next split line
            }
            if rest[end] == b'\r' {
                match rest.get(end + 1) {
                    Some(b'\n') => rest = &rest[end + 2..],
                    Some(_) => rest = &rest[end + 1..],
                    None => {
                        self.after_cr = true;
                        rest = &[];
                    }
                }
            } else {
                rest = &rest[end + 1..];
            }
        }
        self.extend_line(rest)
    }

    fn extend_line(&mut self, bytes: &[u8]) -> Result<(), TooLong> {
        if self.held + self.line.len() + bytes.len() > self.limit {
            return Err(TooLong { limit: self.limit });
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    fn line_ended(&mut self, line: &[u8], out: &mut Vec<RawEvent>) -> Result<(), TooLong> {
        if line.is_empty() {
            if std::mem::take(&mut self.started) {
                out.push(std::mem::take(&mut self.current));
            }
            // (Without a field line the event holds nothing to drop.)
            self.held = 0;
            return Ok(());
        }
        if line[0] == b':' {
            return Ok(());
        }
        self.held += line.len();
        if self.held > self.limit {
            return Err(TooLong { limit: self.limit });
        }
        self.started = true;
        // Checked as UTF-8 first (with SIMD): far faster than the lossy
        // decoding, which is only needed when a line is not valid.
        let text = match simdutf8::basic::from_utf8(line) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(line),
        };
        let (field, value) = match memchr::memchr(b':', text.as_bytes()) {
            Some(colon) => {
                let value = &text[colon + 1..];
                (&text[..colon], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (&*text, ""),
        };
        match field {
            "event" => self.set(Field::Event, value),
            "data" => match self.current.data.as_mut() {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.set(Field::Data, value),
            },
            "id" if !value.contains('\0') => self.set(Field::Id, value),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.current.retry = Some(value.parse().unwrap_or(u64::MAX));
            }
            _ => {}
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Field {
    Event,
    Id,
    Data,
}

impl Parser {
    /// Sets a field of the current event to `value`, in a string it
    /// already has or a spare one.
    fn set(&mut self, field: Field, value: &str) {
        let slot = match field {
            Field::Event => &mut self.current.event,
            Field::Id => &mut self.current.id,
            Field::Data => &mut self.current.data,
        };
        let text = slot.get_or_insert_with(|| match self.spare.pop() {
            Some(text) => {
                self.spare_bytes -= text.capacity();
                text
            }
            None => String::new(),
        });
        text.clear();
        text.push_str(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(chunks: &[&[u8]]) -> Vec<RawEvent> {
        let mut parser = Parser::new(1 << 20);
        let mut out = Vec::new();
        for chunk in chunks {
            parser.push(chunk, &mut out).unwrap();
        }
        out
    }

    fn ev(event: Option<&str>, id: Option<&str>, data: Option<&str>) -> RawEvent {
        RawEvent {
            event: event.map(str::to_owned),
            id: id.map(str::to_owned),
            data: data.map(str::to_owned),
            retry: None,
        }
    }

    #[test]
    fn line_ends_comments_fields_and_data_lines() {
        let got = parse_all(&[
            b": hello\r\nevent: content\r\nid: 1\r\ndata: {\"a\":\r\ndata:1}\r\n\r\nevent:x\rdata\r\r:only a comment\n\ndata: last\n",
        ]);
        assert_eq!(
            got,
            vec![
                ev(Some("content"), Some("1"), Some("{\"a\":\n1}")),
                ev(Some("x"), None, Some("")),
            ]
        );
    }

    #[test]
    fn any_split_gives_the_same_events() {
        let stream = "\u{FEFF}event: thinking\nid: é1\ndata: {\"t\":\"ünïcode 😀\"}\n\n\r\nretry: 30\r\nevent: a\r\n\r\nid\ndata: x\n\n".as_bytes();
        let whole = parse_all(&[stream]);
        assert_eq!(whole.len(), 3);
        assert_eq!(whole[0].data.as_deref(), Some("{\"t\":\"ünïcode 😀\"}"));
        assert_eq!(whole[1].retry, Some(30));
        assert_eq!(whole[2], ev(None, Some(""), Some("x")));
        for i in 0..stream.len() {
            for j in i..stream.len() {
                let got = parse_all(&[&stream[..i], &stream[i..j], &stream[j..]]);
                assert_eq!(got, whole, "split at {i} and {j}");
            }
        }
    }

    #[test]
    fn a_bom_only_at_the_start_and_invalid_utf8_as_replacement() {
        assert_eq!(
            parse_all(&[b"\xEF\xBB", b"\xBFdata: a\n\n"]),
            vec![ev(None, None, Some("a"))]
        );
        assert_eq!(
            parse_all(&[b"\xEF", b"data: a\n\n"])[0].data.as_deref(),
            None
        );
        assert_eq!(
            parse_all(&[b"data: \xFFb\n\n"]),
            vec![ev(None, None, Some("\u{FFFD}b"))]
        );
    }

    #[test]
    fn ids_with_nul_and_bad_retries_are_ignored_and_nothing_carries_over() {
        let got = parse_all(&[b"id: 1\nretry: 1x\ndata: a\n\nid: a\0b\ndata: b\n\n"]);
        assert_eq!(
            got,
            vec![ev(None, Some("1"), Some("a")), ev(None, None, Some("b"))]
        );
    }

    #[test]
    fn an_unfinished_event_is_not_delivered_and_long_lines_are_refused() {
        assert!(parse_all(&[b"data: a\n"]).is_empty());
        let mut parser = Parser::new(16);
        let mut out = Vec::new();
        assert_eq!(
            parser.push(b"data: 0123456789abcdef", &mut out),
            Err(TooLong { limit: 16 })
        );
        let mut parser = Parser::new(16);
        assert!(parser
            .push(b"data: 01234\ndata: 56789\n", &mut out)
            .is_err());
    }
}
