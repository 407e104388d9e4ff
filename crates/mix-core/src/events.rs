//! The values that are streams: an event stream's events, read from the
//! open response body only as the caller asks for them, framed by
//! [`crate::sse`] and decoded against the operation's union of event types
//! (the discriminated `Schema::Union` the generator writes); and a
//! download's bytes ([`BytesReader`]).
//!
//! Rules (SURFACE.md D3):
//! - an event whose `event` names no documented type (or that has none) is
//!   skipped, and reported so the debug logger can show it;
//! - a documented event that does not fit its schema (no `id`, no `data`,
//!   `data` that is not JSON or does not fit) ends the stream with its
//!   issues, after the events before it;
//! - the end of the body ends the stream (an event not finished by then is
//!   not one); a failed read ends it with that error.
//!
//! Flow control: [`EventReader::next_batch`] reads from the connection only
//! until it has at least one event, then takes what has already arrived
//! without waiting, up to a bounded batch. Nothing is read between calls,
//! so a slow consumer holds the server back instead of growing memory, and
//! a lone event is handed on as soon as it arrives.

use std::collections::VecDeque;

use crate::decode::{Decoder, Invalid, Part};
use crate::error::{ClientError, ClientErrorKind};
use crate::schema::{Field, Schema};
use crate::sse::{Parser, RawEvent};
use crate::tape::{flat_fields, EventTape};
use crate::transport::BodyStream;

/// A batch ends once it has taken this many events (decoded or skipped)…
const MAX_EVENTS: usize = 4096;
/// …or this many bytes of text, whichever comes first.
const MAX_TEXT: usize = 1024 * 1024;

/// What one [`EventReader::next_batch`] hands back.
#[derive(Debug)]
pub enum Batch {
    /// Decoded events (maybe none when only skipped events arrived), and
    /// the types of the events skipped since the last batch (`""` for an
    /// event without a type).
    Events {
        events: EventTape,
        skipped: Vec<String>,
    },
    /// The stream ended; every later batch is `End` too.
    End,
    /// A documented event that does not fit its schema.
    Invalid {
        invalid: Invalid,
        /// The event as the stream framed it, as JSON: `{event?, id?, retry?, data?}`.
        raw: String,
    },
    /// Reading failed (the connection was lost, an event too long).
    Failed(ClientError),
    /// Bytes of a download (see [`BytesReader`]).
    Bytes(Vec<u8>),
}

/// The open body a stream operation's value reads from.
/// (Boxed: both are large, and made once per stream.)
pub enum Reader {
    Events(Box<EventReader>),
    Bytes(Box<BytesReader>),
}

impl Reader {
    /// The next batch: events, or bytes.
    pub async fn next_batch(&mut self) -> Batch {
        match self {
            Reader::Events(events) => events.next_batch().await,
            Reader::Bytes(bytes) => bytes.next_batch().await,
        }
    }
}

/// A download's bytes, read as the caller asks: the first piece waited for,
/// then whatever else has already arrived, up to [`MAX_BYTES`] per batch.
/// No limit applies to the whole body.
pub struct BytesReader {
    body: BodyStream,
    ended: bool,
    /// A failure met after a batch's first piece: ends the next batch.
    failed: Option<ClientError>,
}

/// The most bytes one batch of a download holds.
pub const MAX_BYTES: usize = 1024 * 1024;

impl BytesReader {
    pub fn new(body: BodyStream) -> BytesReader {
        BytesReader {
            body,
            ended: false,
            failed: None,
        }
    }

    pub async fn next_batch(&mut self) -> Batch {
        if self.ended {
            return Batch::End;
        }
        if let Some(error) = self.failed.take() {
            self.ended = true;
            return Batch::Failed(error);
        }
        let mut out = match self.body.next().await {
            Ok(Some(piece)) => Vec::from(piece),
            Ok(None) => {
                self.ended = true;
                return Batch::End;
            }
            Err(error) => {
                self.ended = true;
                return Batch::Failed(error);
            }
        };
        while out.len() < MAX_BYTES {
            match self.body.next_ready().await {
                Ok(Some(piece)) => out.extend_from_slice(&piece),
                Ok(None) => break, // nothing more yet
                Err(error) => {
                    self.failed = Some(error); // after the bytes before it
                    break;
                }
            }
        }
        Batch::Bytes(out)
    }
}

/// What one framed event decodes to.
#[derive(Debug, PartialEq)]
pub enum DecodedEvent<'d> {
    /// The event's value as JSON text.
    Value(&'d str),
    /// Not a documented type: its name (`""` when it had none).
    Skipped(String),
    Invalid {
        invalid: Invalid,
        raw: String,
    },
}

/// Decodes one framed event against `union` (a [`Schema::Union`] tagged by
/// `event`): the member its `event` names validates
/// `{event, id, retry?, data}`, `data` being JSON text. The union's tags are
/// the documented types; any other event is skipped.
pub fn decode_event<'d>(
    union: &'static Schema,
    raw: RawEvent,
    decoder: &'d mut Decoder,
) -> DecodedEvent<'d> {
    let Schema::Union { tag, members } = union else {
        // The generator only makes event streams of unions.
        return DecodedEvent::Invalid {
            invalid: Invalid::NotJson,
            raw: raw.to_json(),
        };
    };
    let name = raw.event.as_deref().unwrap_or("");
    let Some(&(name, member)) = members.iter().find(|(n, _)| *n == name) else {
        return DecodedEvent::Skipped(raw.event.unwrap_or_default());
    };
    decode_member(tag, name, member, &raw, decoder)
}

/// [`decode_event`] once the member is known.
fn decode_member<'d>(
    tag: &'static str,
    name: &'static str,
    member: &'static Schema,
    raw: &RawEvent,
    decoder: &'d mut Decoder,
) -> DecodedEvent<'d> {
    let mut parts: [(&'static str, Part<'_>); 4] = [("", Part::Number(0)); 4];
    let mut len = 0;
    parts[len] = (tag, Part::Text(name));
    len += 1;
    if let Some(id) = raw.id.as_deref() {
        parts[len] = ("id", Part::Text(id));
        len += 1;
    }
    if let Some(retry) = raw.retry {
        parts[len] = ("retry", Part::Number(retry));
        len += 1;
    }
    if let Some(data) = raw.data.as_deref() {
        parts[len] = ("data", Part::Text(data));
        len += 1;
    }
    match decoder.decode_parts(member, &parts[..len]) {
        Ok(text) => DecodedEvent::Value(text),
        Err(invalid) => DecodedEvent::Invalid {
            invalid,
            raw: raw.to_json(),
        },
    }
}

pub struct EventReader {
    body: BodyStream,
    parser: Parser,
    /// The union's tag and members, with the `data` fields of those whose
    /// events go on the tape (see [`crate::tape`]).
    tag: &'static str,
    members: Vec<(&'static str, &'static Schema, Option<&'static [Field]>)>,
    decoder: Decoder,
    /// Whether skipped events' types are collected (for the debug log).
    report_skipped: bool,
    /// Bytes read and not yet framed: framed a step at a time, only once
    /// the events framed before are decoded, so a read full of tiny events
    /// never becomes a long queue of them.
    unparsed: bytes::Bytes,
    /// Events framed and not yet decoded.
    framed: VecDeque<RawEvent>,
    /// The lengths of the last batch's buffers.
    last_size: [usize; 3],
    /// How the stream ended, met while a batch was being made: handed out
    /// after that batch's events.
    ending: Option<Batch>,
}

/// Bytes framed per step (see [`EventReader::unparsed`]).
const FRAME_STEP: usize = 16 * 1024;

impl EventReader {
    /// Reads the events of `body`; an event (or a line) over `limit` bytes
    /// ends the stream with an error. `report_skipped` collects the types
    /// of skipped events into the batches.
    pub fn new(
        body: BodyStream,
        union: &'static Schema,
        limit: usize,
        report_skipped: bool,
    ) -> EventReader {
        let (tag, members) = match union {
            Schema::Union { tag, members } => (
                *tag,
                members
                    .iter()
                    .map(|&(name, m)| (name, m, flat_fields(m)))
                    .collect(),
            ),
            _ => ("", Vec::new()),
        };
        EventReader {
            body,
            parser: Parser::new(limit),
            tag,
            members,
            decoder: Decoder::default(),
            report_skipped,
            unparsed: bytes::Bytes::new(),
            framed: VecDeque::new(),
            last_size: [0; 3],
            ending: None,
        }
    }

    /// The next events (see the module's flow control). A batch holds at
    /// most [`MAX_EVENTS`] events, skipped ones counted, so one call's work
    /// is bounded whatever the stream holds.
    pub async fn next_batch(&mut self) -> Batch {
        // Sized like the last batch: a busy stream's batches then grow
        // their buffers once instead of a step at a time.
        let mut events = EventTape::with_capacity_of(&self.last_size);
        let mut handled = 0;
        let mut skipped = Vec::new();
        loop {
            while let Some(raw) = self.framed.pop_front() {
                handled += 1;
                let written = self.write_event(&raw, &mut events);
                self.parser.recycle(raw);
                match written {
                    Written::Event => {}
                    Written::Skipped(name) => {
                        if self.report_skipped {
                            skipped.push(name);
                        }
                    }
                    Written::Ending(ending) => {
                        // Nothing after it is read: the stream ends here.
                        self.framed.clear();
                        self.unparsed.clear();
                        self.ending = Some(ending);
                        break;
                    }
                }
                if handled >= MAX_EVENTS || events.text_len() >= MAX_TEXT {
                    self.last_size = events.size();
                    return Batch::Events { events, skipped };
                }
            }
            if self.ending.is_some() {
                break;
            }
            if events.is_empty() && !skipped.is_empty() {
                break; // report what was skipped without waiting
            }
            if !self.unparsed.is_empty() {
                let step = self.unparsed.split_to(self.unparsed.len().min(FRAME_STEP));
                self.frame(&step);
                continue;
            }
            let piece = if events.is_empty() {
                self.body.next().await
            } else {
                match self.body.next_ready().await {
                    Ok(None) => break, // nothing more has arrived yet
                    other => other,
                }
            };
            match piece {
                Ok(Some(bytes)) => self.unparsed = bytes,
                Ok(None) => self.ending = Some(Batch::End),
                Err(error) => self.ending = Some(Batch::Failed(error)),
            }
        }
        if !events.is_empty() || !skipped.is_empty() {
            self.last_size = events.size();
            return Batch::Events { events, skipped };
        }
        match self.ending.take() {
            // Once ended, always ended.
            Some(ending) => {
                self.ending = Some(Batch::End);
                ending
            }
            None => Batch::End,
        }
    }

    /// Decodes one framed event onto `events`: on the tape when the fast
    /// path takes it, else as the schema decoder's JSON text.
    fn write_event(&mut self, raw: &RawEvent, events: &mut EventTape) -> Written {
        let name = raw.event.as_deref().unwrap_or("");
        let Some(index) = self.members.iter().position(|(n, _, _)| *n == name) else {
            let name = if self.report_skipped {
                name.to_owned()
            } else {
                String::new()
            };
            return Written::Skipped(name);
        };
        let (name, member, flat) = self.members[index];
        if let (Some(fields), Some(id), Some(data), None) = (flat, &raw.id, &raw.data, raw.retry) {
            if events.push_flat(index, fields, id, data) {
                return Written::Event;
            }
        }
        match decode_member(self.tag, name, member, raw, &mut self.decoder) {
            DecodedEvent::Value(json) => {
                if events.push_json(json) {
                    Written::Event
                } else {
                    Written::Ending(Batch::Failed(too_large(self.parser.limit())))
                }
            }
            DecodedEvent::Invalid { invalid, raw } => {
                Written::Ending(Batch::Invalid { invalid, raw })
            }
            DecodedEvent::Skipped(name) => Written::Skipped(name),
        }
    }

    /// Frames `bytes`; an event over the limit ends the stream.
    fn frame(&mut self, bytes: &[u8]) {
        let mut fresh = Vec::new();
        let pushed = self.parser.push(bytes, &mut fresh);
        self.framed.extend(fresh);
        if let Err(too_long) = pushed {
            self.unparsed.clear();
            self.ending = Some(Batch::Failed(too_large(too_long.limit)));
        }
    }
}

/// What [`EventReader::write_event`] did with an event.
enum Written {
    Event,
    Skipped(String),
    /// The stream ends with this, after the events before it.
    Ending(Batch),
}

fn too_large(limit: usize) -> ClientError {
    ClientError::new(
        ClientErrorKind::ResponseTooLarge,
        format!("an event of the stream exceeds the client's limit of {limit} bytes"),
        Some("ERR_MIX_RESPONSE_TOO_LARGE"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{issues_json, Issue};
    use crate::generated::SSE_EVENT_STREAM;

    fn raw(event: Option<&str>, id: Option<&str>, data: Option<&str>) -> RawEvent {
        RawEvent {
            event: event.map(Into::into),
            id: id.map(Into::into),
            data: data.map(Into::into),
            retry: None,
        }
    }

    /// Decodes with a fresh decoder; the value owned.
    fn decode(raw: RawEvent) -> Result<String, DecodedEvent<'static>> {
        let mut decoder = Decoder::default();
        match decode_event(&SSE_EVENT_STREAM, raw, &mut decoder) {
            DecodedEvent::Value(text) => Ok(text.to_owned()),
            DecodedEvent::Skipped(name) => Err(DecodedEvent::Skipped(name)),
            DecodedEvent::Invalid { invalid, raw } => Err(DecodedEvent::Invalid { invalid, raw }),
        }
    }

    fn issues(decoded: Result<String, DecodedEvent<'static>>) -> Vec<Issue> {
        match decoded.expect_err("not invalid") {
            DecodedEvent::Invalid {
                invalid: Invalid::Issues(issues),
                ..
            } => issues,
            other => panic!("not invalid: {other:?}"),
        }
    }

    #[test]
    fn a_documented_event_decodes_in_the_original_key_order() {
        let mut event = raw(
            Some("content"),
            Some("7"),
            Some(r#"{"type":"content","content":"hi","extra":1}"#),
        );
        event.retry = Some(3000);
        assert_eq!(
            decode(event).unwrap(),
            r#"{"event":"content","id":"7","retry":3000,"data":{"content":"hi","type":"content"}}"#
        );
    }

    #[test]
    fn unknown_and_untyped_events_are_skipped() {
        assert_eq!(
            decode(raw(Some("new_kind"), Some("1"), Some("{}"))),
            Err(DecodedEvent::Skipped("new_kind".into()))
        );
        assert_eq!(
            decode(raw(None, Some("1"), Some("{}"))),
            Err(DecodedEvent::Skipped(String::new()))
        );
    }

    #[test]
    fn misfit_events_list_their_issues() {
        let found = issues(decode(raw(Some("connected"), None, Some("{}"))));
        let paths: Vec<String> = found.iter().map(Issue::path_text).collect();
        assert_eq!(paths, ["id", "data.sessionId"]);
        let found = issues(decode(raw(Some("heartbeat"), Some("1"), Some("{nope"))));
        assert_eq!(found.len(), 1);
        assert!(issues_json(&found)
            .contains(r#""code":"custom","message":"malformed json: SyntaxError: "#));
        let found = issues(decode(raw(Some("heartbeat"), Some("1"), None)));
        assert_eq!(found[0].path_text(), "data");
        assert_eq!(found[0].message(), "Required");
    }
}
