//! The value of an event-stream operation: events read from the open
//! response body only as the caller asks for them, framed by [`crate::sse`]
//! and decoded against the operation's union of event types (the
//! discriminated `Schema::Union` the generator writes).
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

use serde_json::{Map, Value};

use crate::decode::{decode_value, Invalid};
use crate::error::{ClientError, ClientErrorKind};
use crate::schema::Schema;
use crate::sse::{Parser, RawEvent};
use crate::transport::BodyStream;

/// A batch ends once it holds this many events…
const MAX_EVENTS: usize = 512;
/// …or this much decoded text, whichever comes first.
const MAX_TEXT: usize = 1024 * 1024;

/// What one [`EventReader::next_batch`] hands back.
#[derive(Debug)]
pub enum Batch {
    /// Decoded events as a JSON array (maybe empty when only skipped events
    /// arrived), and the types of the events skipped since the last batch
    /// (`""` for an event without a type).
    Events { json: String, skipped: Vec<String> },
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
}

/// What one framed event decodes to.
#[derive(Debug, PartialEq)]
pub enum Decoded {
    /// The event's value as JSON text.
    Value(String),
    /// Not a documented type: its name (`""` when it had none).
    Skipped(String),
    Invalid {
        invalid: Invalid,
        raw: String,
    },
}

/// Decodes one framed event against `union` (a [`Schema::Union`] tagged by
/// `event`): the member its `event` names validates
/// `{event, id, retry?, data}`, `data` being JSON text.
pub fn decode_event(union: &'static Schema, raw: RawEvent) -> Decoded {
    let Schema::Union { tag, members } = union else {
        return Decoded::Skipped(raw.event.unwrap_or_default());
    };
    let name = raw.event.as_deref().unwrap_or("");
    let Some((_, member)) = members.iter().find(|(n, _)| *n == name) else {
        return Decoded::Skipped(raw.event.unwrap_or_default());
    };
    let mut fields = Map::new();
    if let Some(event) = raw.event {
        fields.insert((*tag).to_owned(), Value::String(event));
    }
    if let Some(id) = raw.id {
        fields.insert("id".to_owned(), Value::String(id));
    }
    if let Some(retry) = raw.retry {
        fields.insert("retry".to_owned(), Value::from(retry));
    }
    if let Some(data) = raw.data {
        fields.insert("data".to_owned(), Value::String(data));
    }
    let value = Value::Object(fields);
    match decode_value(member, &value) {
        Ok(text) => Decoded::Value(text),
        Err(invalid) => Decoded::Invalid {
            invalid,
            raw: value.to_string(),
        },
    }
}

pub struct EventReader {
    body: BodyStream,
    parser: Parser,
    union: &'static Schema,
    /// Events framed and not yet decoded.
    framed: VecDeque<RawEvent>,
    /// How the stream ended, met while a batch was being made: handed out
    /// after that batch's events.
    ending: Option<Batch>,
}

impl EventReader {
    /// Reads the events of `body`; an event (or a line) over `limit` bytes
    /// ends the stream with an error.
    pub fn new(body: BodyStream, union: &'static Schema, limit: usize) -> EventReader {
        EventReader {
            body,
            parser: Parser::new(limit),
            union,
            framed: VecDeque::new(),
            ending: None,
        }
    }

    /// The next events (see the module's flow control).
    pub async fn next_batch(&mut self) -> Batch {
        let mut json = String::from("[");
        let mut count = 0;
        let mut skipped = Vec::new();
        loop {
            while let Some(raw) = self.framed.pop_front() {
                match decode_event(self.union, raw) {
                    Decoded::Value(text) => {
                        if count > 0 {
                            json.push(',');
                        }
                        json.push_str(&text);
                        count += 1;
                    }
                    Decoded::Skipped(name) => skipped.push(name),
                    Decoded::Invalid { invalid, raw } => {
                        // Nothing after it is read: the stream ends here.
                        self.framed.clear();
                        self.ending = Some(Batch::Invalid { invalid, raw });
                        break;
                    }
                }
                if count >= MAX_EVENTS || json.len() >= MAX_TEXT {
                    json.push(']');
                    return Batch::Events { json, skipped };
                }
            }
            if self.ending.is_some() {
                break;
            }
            if count == 0 && !skipped.is_empty() {
                break; // report what was skipped without waiting
            }
            let chunk = if count == 0 {
                self.body.next().await
            } else {
                match self.body.next_ready().await {
                    Ok(None) => break, // nothing more has arrived yet
                    other => other,
                }
            };
            match chunk {
                Ok(Some(bytes)) => {
                    let mut fresh = Vec::new();
                    let pushed = self.parser.push(&bytes, &mut fresh);
                    self.framed.extend(fresh);
                    if let Err(too_long) = pushed {
                        self.ending = Some(Batch::Failed(ClientError::new(
                            ClientErrorKind::ResponseTooLarge,
                            format!(
                                "an event of the stream exceeds the client's limit of {} bytes",
                                too_long.limit
                            ),
                            Some("ERR_MIX_RESPONSE_TOO_LARGE"),
                        )));
                    }
                }
                Ok(None) => self.ending = Some(Batch::End),
                Err(error) => self.ending = Some(Batch::Failed(error)),
            }
        }
        if count > 0 || !skipped.is_empty() {
            json.push(']');
            return Batch::Events { json, skipped };
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

    fn issues(decoded: Decoded) -> Vec<Issue> {
        match decoded {
            Decoded::Invalid {
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
            decode_event(&SSE_EVENT_STREAM, event),
            Decoded::Value(
                r#"{"event":"content","id":"7","retry":3000,"data":{"content":"hi","type":"content"}}"#
                    .into()
            )
        );
    }

    #[test]
    fn unknown_and_untyped_events_are_skipped() {
        assert_eq!(
            decode_event(
                &SSE_EVENT_STREAM,
                raw(Some("new_kind"), Some("1"), Some("{}"))
            ),
            Decoded::Skipped("new_kind".into())
        );
        assert_eq!(
            decode_event(&SSE_EVENT_STREAM, raw(None, Some("1"), Some("{}"))),
            Decoded::Skipped(String::new())
        );
    }

    #[test]
    fn misfit_events_list_their_issues() {
        let found = issues(decode_event(
            &SSE_EVENT_STREAM,
            raw(Some("connected"), None, Some("{}")),
        ));
        let paths: Vec<String> = found.iter().map(Issue::path_text).collect();
        assert_eq!(paths, ["id", "data.sessionId"]);
        let found = issues(decode_event(
            &SSE_EVENT_STREAM,
            raw(Some("heartbeat"), Some("1"), Some("{nope")),
        ));
        assert_eq!(found.len(), 1);
        assert!(issues_json(&found)
            .contains(r#""code":"custom","message":"malformed json: SyntaxError: "#));
        let found = issues(decode_event(
            &SSE_EVENT_STREAM,
            raw(Some("heartbeat"), Some("1"), None),
        ));
        assert_eq!(found[0].path_text(), "data");
        assert_eq!(found[0].message(), "Required");
    }
}
