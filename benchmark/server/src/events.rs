//! `GET /stream?sessionId=<case>`: a `text/event-stream` response shaped
//! like what the Mix server sends while a model answers. The SDK's
//! `streamEvents` sends only `sessionId`, so its value picks the case:
//!
//! - `bulk-<n>`: `n` delta events (at most [`BULK_EVENTS`]) written as fast
//!   as the socket takes them, in large frames, then the response ends. The
//!   events are generated once, at start ([`prepare`]), so the server's cost
//!   per event is a memory copy into the socket.
//! - `trickle-<n>-<ms>`: `n` lone `content` events, one every `<ms>` ms,
//!   each written (and flushed) on its own, carrying the `CLOCK_MONOTONIC`
//!   time in nanoseconds at which it was handed to hyper, for clients on the
//!   same machine to compute the delivery latency.
//!
//! Both begin with a `connected` event and end with a `complete` event whose
//! `content` is `events=<n> units=<u> bytes=<b>`: the delta events sent, the
//! UTF-16 code units (JavaScript's `length`) of their decoded text
//! (`content` of content/thinking, `input` of `tool_parameter_delta`) and
//! their size on the wire. Clients check that they decoded exactly that.
//! Every event's data is valid for the Mix schema (`SSEEventStream`).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame};
use tokio::time::{Interval, MissedTickBehavior};

pub const PATH: &str = "/stream";

/// The most events a bulk stream carries; all are generated at start.
pub const BULK_EVENTS: usize = 200_000;

/// Bulk frames are this large: each becomes one HTTP chunk, and hyper
/// writes two per `writev` (strace: 512 KB a call), so the server is never
/// the bottleneck. Frame boundaries fall mid-event, as TCP reads do anyway.
const FRAME_BYTES: usize = 256 * 1024;

/// Padding after the timestamp in a trickle event, so the event is a
/// realistic size (the timestamp alone would make it unusually small).
const TRICKLE_TEXT: &str = "tokens arrive one small delta at a time while the model answers.";

/// Generates the bulk events now rather than during the first client's run.
pub fn prepare() {
    LazyLock::force(&BULK);
}

/// The body for a `sessionId`, or `None` (404) for an unknown one.
pub fn open(query: Option<&str>) -> Option<EventBody> {
    let session = query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("sessionId="))?;
    if let Some(n) = session.strip_prefix("bulk-") {
        let n: usize = n.parse().ok().filter(|&n| n <= BULK_EVENTS)?;
        return Some(bulk(session, n));
    }
    let (events, ms) = session.strip_prefix("trickle-")?.split_once('-')?;
    Some(trickle(
        session,
        events.parse().ok()?,
        Duration::from_millis(ms.parse().ok()?),
    ))
}

/// A streamed body: either ready frames (bulk) or timed events (trickle).
/// No size hint, so hyper sends it chunked, as an event stream is.
pub enum EventBody {
    Frames(VecDeque<Bytes>),
    Trickle(Box<Trickle>),
}

pub struct Trickle {
    head: Option<Bytes>,
    events: u64,
    sent: u64,
    units: u64,
    bytes: u64,
    interval: Interval,
}

impl Body for EventBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let frame = match self.get_mut() {
            EventBody::Frames(frames) => frames.pop_front(),
            EventBody::Trickle(trickle) => ready!(trickle.poll_next(cx)),
        };
        Poll::Ready(frame.map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            EventBody::Frames(frames) => frames.is_empty(),
            EventBody::Trickle(trickle) => trickle.head.is_none() && trickle.sent > trickle.events,
        }
    }
}

impl Trickle {
    /// connected, then one event per tick, then complete. Returning
    /// `Pending` between ticks makes hyper flush what it holds, so each
    /// event goes out on its own as soon as it is made.
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if let Some(head) = self.head.take() {
            return Poll::Ready(Some(head));
        }
        if self.sent < self.events {
            ready!(self.interval.poll_tick(cx));
            self.sent += 1;
            let mut text = String::with_capacity(24 + TRICKLE_TEXT.len());
            // Read as late as possible: what remains before the write is
            // hyper encoding the chunk.
            let _ = write!(text, "{} {TRICKLE_TEXT}", monotonic_ns());
            let mut out = String::with_capacity(160);
            push_event(&mut out, self.sent, "content", |d| {
                d.push_str(r#"{"content":"#);
                push_json_string(d, &text);
                d.push_str(r#","type":"content"}"#);
            });
            self.units += text.len() as u64; // ASCII: one code unit per byte
            self.bytes += out.len() as u64;
            return Poll::Ready(Some(Bytes::from(out)));
        }
        if self.sent == self.events {
            self.sent += 1;
            let tail = complete(self.events + 1, self.events, self.units, self.bytes);
            return Poll::Ready(Some(Bytes::from(tail)));
        }
        Poll::Ready(None)
    }
}

/// `CLOCK_MONOTONIC` in nanoseconds: the clock `process.hrtime.bigint()`
/// reads on Linux. `Instant` uses it too but does not expose its value.
fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC exists on
    // every Linux, so the call cannot fail.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, std::ptr::addr_of_mut!(ts)) };
    // Both fields are non-negative for this clock.
    ts.tv_sec.unsigned_abs() * 1_000_000_000 + ts.tv_nsec.unsigned_abs()
}

fn bulk(session: &str, n: usize) -> EventBody {
    let end = if n == 0 { 0 } else { BULK.ends[n - 1] };
    let units = if n == 0 { 0 } else { BULK.units[n - 1] };
    let mut frames = VecDeque::with_capacity(end / FRAME_BYTES + 3);
    frames.push_back(Bytes::from(connected(session)));
    let mut start = 0;
    while start < end {
        let stop = (start + FRAME_BYTES).min(end);
        frames.push_back(BULK.body.slice(start..stop));
        start = stop;
    }
    frames.push_back(Bytes::from(complete(
        n as u64 + 1,
        n as u64,
        units,
        end as u64,
    )));
    EventBody::Frames(frames)
}

fn trickle(session: &str, events: u64, every: Duration) -> EventBody {
    let mut interval = tokio::time::interval(every);
    // A late tick delays the next one instead of bunching events up: each
    // event must stay alone.
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    EventBody::Trickle(Box::new(Trickle {
        head: Some(Bytes::from(connected(session))),
        events,
        sent: 0,
        units: 0,
        bytes: 0,
        interval,
    }))
}

fn connected(session: &str) -> String {
    let mut out = String::new();
    push_event(&mut out, 0, "connected", |d| {
        d.push_str(r#"{"sessionId":"#);
        push_json_string(d, session);
        d.push('}');
    });
    out
}

fn complete(id: u64, events: u64, units: u64, bytes: u64) -> String {
    let mut out = String::new();
    let summary = format!("events={events} units={units} bytes={bytes}");
    push_event(&mut out, id, "complete", |d| {
        d.push_str(r#"{"content":"#);
        push_json_string(d, &summary);
        d.push_str(r#","done":true,"type":"complete"}"#);
    });
    out
}

fn push_event(out: &mut String, id: u64, event: &str, data: impl FnOnce(&mut String)) {
    let _ = write!(out, "id: {id}\nevent: {event}\ndata: ");
    data(out);
    out.push_str("\n\n");
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The bulk events `1..=BULK_EVENTS`; `ends[i]` is the byte offset just past
/// event `i + 1`, `units[i]` the text's UTF-16 units through it.
struct Bulk {
    body: Bytes,
    ends: Vec<usize>,
    units: Vec<u64>,
}

/// A model's answer as it streams: runs of `thinking` deltas, then
/// `content` deltas, and after about half of the answers a tool call whose
/// JSON arguments arrive as `tool_parameter_delta` pieces; a `heartbeat`
/// every 1,000 events. Proportions come out near 28% thinking, 55%
/// content, 17% tool deltas. Text is mostly ASCII with the escapes real
/// answers have (newlines, quotes) and a few non-ASCII characters, so
/// neither parser gets an all-ASCII, escape-free stream.
static BULK: LazyLock<Bulk> = LazyLock::new(|| {
    let mut rng = Rng(0x5EED_2025_0001);
    let mut body = String::with_capacity(BULK_EVENTS * 140);
    let mut ends = Vec::with_capacity(BULK_EVENTS);
    let mut units = Vec::with_capacity(BULK_EVENTS);
    let mut total_units = 0u64;
    let mut id = 0u64;
    // One tool call's arguments, consumed piece by piece.
    let mut tool: Option<(String, String, usize)> = None; // (toolCallId, arguments, offset)
    let mut phase = Phase::Thinking;
    let mut left = rng.range(5, 40);
    let mut next_heartbeat = HEARTBEAT_EVERY;

    while ends.len() < BULK_EVENTS {
        id += 1;
        if id == next_heartbeat {
            next_heartbeat += HEARTBEAT_EVERY;
            push_event(&mut body, id, "heartbeat", |d| {
                d.push_str(r#"{"type":"heartbeat"}"#);
            });
        } else {
            match phase {
                Phase::Thinking | Phase::Content => {
                    let name = if phase == Phase::Thinking {
                        "thinking"
                    } else {
                        "content"
                    };
                    let len = rng.range(40, 120);
                    let text = prose(&mut rng, len);
                    total_units += text.encode_utf16().count() as u64;
                    push_event(&mut body, id, name, |d| {
                        d.push_str(r#"{"content":"#);
                        push_json_string(d, &text);
                        let _ = write!(d, r#","type":"{name}"}}"#);
                    });
                    left -= 1;
                }
                Phase::Tool => {
                    let (call_id, args, offset) = tool.get_or_insert_with(|| tool_call(&mut rng));
                    let mut stop = (*offset + rng.range(10, 60)).min(args.len());
                    while !args.is_char_boundary(stop) {
                        stop += 1;
                    }
                    let piece = &args[*offset..stop];
                    total_units += piece.encode_utf16().count() as u64;
                    push_event(&mut body, id, "tool_parameter_delta", |d| {
                        d.push_str(r#"{"input":"#);
                        push_json_string(d, piece);
                        d.push_str(r#","toolCallId":"#);
                        push_json_string(d, call_id);
                        d.push_str(r#","type":"tool_parameter_delta"}"#);
                    });
                    *offset = stop;
                    left = usize::from(stop < args.len());
                }
            }
            if left == 0 {
                (phase, left) = match phase {
                    Phase::Thinking => (Phase::Content, rng.range(10, 80)),
                    Phase::Content if rng.range(0, 1) == 0 => (Phase::Tool, 1),
                    Phase::Content | Phase::Tool => (Phase::Thinking, rng.range(5, 40)),
                };
                tool = None;
            }
        }
        ends.push(body.len());
        units.push(total_units);
    }
    Bulk {
        body: Bytes::from(body),
        ends,
        units,
    }
});

/// Heartbeats are keep-alives: rare next to the deltas of an answer.
const HEARTBEAT_EVERY: u64 = 1_000;

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Thinking,
    Content,
    Tool,
}

#[rustfmt::skip]
const WORDS: &[&str] = &[
    "the", "request", "returns", "a", "list", "of", "sessions", "and", "each", "one", "has", "its",
    "own", "callbacks", "so", "we", "should", "check", "whether", "file", "exists", "before",
    "reading", "it", "then", "run", "tests", "again", "function", "handler", "error", "value",
    "config", "`npm test`", "`src/lib.rs`", "parse", "stream", "event", "buffer", "async", "await",
    "timeout", "retry", "because", "however", "first", "next", "finally", "this", "that", "is",
    "in", "to", "with", "for", "on", "not", "was", "fix", "bug", "line", "42",
];

/// `len` characters of answer-like text: words, punctuation, now and then
/// a paragraph break, a quoted phrase, an em dash or an accented word.
fn prose(rng: &mut Rng, len: usize) -> String {
    let mut s = String::with_capacity(len + 16);
    let mut chars = 0;
    while chars < len {
        let piece = match rng.range(0, 49) {
            0 => ".\n\n",
            1 => " \"quoted\"",
            2 => " — ",
            3 => " café",
            4 | 5 => ", ",
            6 => ". ",
            _ => {
                if !s.is_empty() && !s.ends_with(' ') {
                    s.push(' ');
                    chars += 1;
                }
                WORDS[rng.range(0, WORDS.len() - 1)]
            }
        };
        s.push_str(piece);
        chars += piece.chars().count();
    }
    // Deltas end anywhere, mid-word included.
    let cut = s.char_indices().nth(len).map_or(s.len(), |(i, _)| i);
    s.truncate(cut);
    s
}

/// A tool call: its id, and its JSON arguments (a file to write whose
/// contents hold newlines and quotes, so the pieces carry double escapes).
fn tool_call(rng: &mut Rng) -> (String, String, usize) {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut id = String::from("toolu_01");
    for _ in 0..16 {
        id.push(ALNUM[rng.range(0, ALNUM.len() - 1)] as char);
    }
    let len = rng.range(300, 1_500);
    let contents = prose(rng, len);
    let mut args = String::from(r#"{"path":"src/"#);
    args.push_str(WORDS[rng.range(0, 30)]);
    args.push_str(r#".ts","content":"#);
    push_json_string(&mut args, &contents);
    args.push('}');
    (id, args, 0)
}

/// `SplitMix64`: a fixed seed gives the same events on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform enough in `lo..=hi` for test data.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
}
