//! Multipart uploads (`files.upload`): the request body framed as the
//! original's `FormData` frames it (one part, named `file`), with the part's
//! content read from its source as the socket takes it, never whole.
//!
//! The content is bytes the caller gave (kept here, resent as they are), or
//! a source read piece by piece (a `Blob` or a `ReadableStream` in JS; see
//! [`UploadSource`]). A source is read afresh for each attempt when it can
//! be replayed (a `Blob`); one that cannot (a stream) is sent once: after
//! its first read, no attempt follows ([`Multipart::can_resend`]). A source
//! that fails while being read ends the call as an unexpected client error
//! ([`Multipart::attempt`] reports it), never as a lost connection: it is
//! not the network's fault and must not be retried.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use crate::error::{ClientError, ClientErrorKind};

/// The pending result of an [`UploadSource`] read: the next pieces of the
/// content, `None` at its end, or the source's failure (its message).
pub type SourceRead = Pin<Box<dyn Future<Output = Result<Option<Vec<Bytes>>, String>> + Send>>;

/// Where a part's content comes from when it is not bytes at hand.
pub trait UploadSource: Send + Sync {
    /// The next pieces of the content for attempt `attempt`: a number not
    /// seen before starts the content again from its beginning (and lets
    /// go of the previous attempt's reading).
    fn read(&self, attempt: u32) -> SourceRead;
}

/// A part's content.
pub enum Content {
    /// Bytes the caller gave: resent as they are by every attempt.
    Bytes(Bytes),
    Source {
        source: Box<dyn UploadSource>,
        /// The content's size, when known (a `Blob`'s): the body then has a
        /// `Content-Length`, else it is sent chunked.
        size: Option<u64>,
        /// Whether each attempt can read the content again from its start.
        replayable: bool,
    },
}

/// A `multipart/form-data` body of one part holding a file.
pub struct Multipart {
    boundary: String,
    /// `--boundary`, the part's headers and the blank line after them.
    head: Bytes,
    /// `\r\n--boundary--\r\n`.
    tail: Bytes,
    content: Content,
    /// Attempts made so far: the number of the next one's reads.
    attempts: AtomicU32,
    /// A source that cannot be replayed has been (or is being) read.
    consumed: AtomicBool,
}

impl std::fmt::Debug for Multipart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multipart")
            .field("boundary", &self.boundary)
            .field("size", &self.size())
            .finish()
    }
}

impl Multipart {
    /// The body of part `name` (the operation's, see
    /// [`crate::operation::BodyKind::Multipart`]) with this file name
    /// (`None`: the part has none, as `FormData` sends a `File` named `""`)
    /// and content type.
    pub fn new(
        name: &str,
        filename: Option<&str>,
        content_type: &str,
        content: Content,
    ) -> Multipart {
        let boundary = format!(
            "----mix-formdata-{:016x}{:08x}",
            fastrand::u64(..),
            fastrand::u32(..)
        );
        let mut head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
            escape_filename(name)
        );
        if let Some(name) = filename {
            head.push_str("; filename=\"");
            head.push_str(&escape_filename(name));
            head.push('"');
        }
        head.push_str("\r\nContent-Type: ");
        head.push_str(&header_text(content_type));
        head.push_str("\r\n\r\n");
        let tail = format!("\r\n--{boundary}--\r\n");
        Multipart {
            boundary,
            head: Bytes::from(head),
            tail: Bytes::from(tail),
            content,
            attempts: AtomicU32::new(0),
            consumed: AtomicBool::new(false),
        }
    }

    /// The request's `Content-Type`.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The body's whole size, when the content's is known.
    pub fn size(&self) -> Option<u64> {
        let content = match &self.content {
            Content::Bytes(bytes) => bytes.len() as u64,
            Content::Source { size, .. } => (*size)?,
        };
        Some(self.head.len() as u64 + content + self.tail.len() as u64)
    }

    /// Whether another attempt can send this body: always, unless its
    /// content is a source that cannot be replayed and has been read from.
    pub fn can_resend(&self) -> bool {
        match &self.content {
            Content::Source {
                replayable: false, ..
            } => !self.consumed.load(Ordering::Acquire),
            _ => true,
        }
    }

    /// The framing around the content, for a transport that reads the
    /// content itself (the caller's HTTP client). That counts as reading it.
    pub fn framing(&self) -> (Bytes, Bytes) {
        self.consumed.store(true, Ordering::Release);
        (self.head.clone(), self.tail.clone())
    }

    /// How the debug log shows the body (its framing as text, the content
    /// by size).
    pub fn describe(&self) -> String {
        let size = match &self.content {
            Content::Bytes(bytes) => format!("{} bytes", bytes.len()),
            Content::Source { size: Some(n), .. } => format!("{n} bytes, streamed"),
            Content::Source { size: None, .. } => "streamed".to_owned(),
        };
        format!(
            "{}<file content: {size}>{}",
            String::from_utf8_lossy(&self.head),
            String::from_utf8_lossy(&self.tail)
        )
    }

    /// The body of one attempt, and where it reports its source's failure.
    pub fn attempt(self: &Arc<Self>) -> (reqwest::Body, SourceFailure) {
        let failure = SourceFailure::default();
        let body = match &self.content {
            Content::Bytes(bytes) => reqwest::Body::wrap_stream(futures_util::stream::iter(
                [self.head.clone(), bytes.clone(), self.tail.clone()].map(Ok::<_, std::io::Error>),
            )),
            Content::Source { .. } => {
                let attempt = self.attempts.fetch_add(1, Ordering::AcqRel);
                let pieces = Pieces {
                    multipart: Arc::clone(self),
                    attempt,
                    failure: failure.clone(),
                    step: Step::Head,
                    ready: VecDeque::new(),
                };
                reqwest::Body::wrap_stream(futures_util::stream::unfold(pieces, Pieces::next))
            }
        };
        (body, failure)
    }
}

/// Where an attempt's body records that its source failed (see
/// [`Multipart::attempt`]): a failed send is then that failure, not the
/// connection's.
#[derive(Clone, Default)]
pub struct SourceFailure(Arc<Mutex<Option<String>>>);

impl SourceFailure {
    fn set(&self, message: String) {
        if let Ok(mut slot) = self.0.lock() {
            slot.get_or_insert(message);
        }
    }

    /// The error a send ends with when the source failed during it.
    pub fn take(&self) -> Option<ClientError> {
        let message = self.0.lock().ok()?.take()?;
        Some(ClientError::new(
            ClientErrorKind::Unexpected,
            format!("the upload's content could not be read: {message}"),
            None,
        ))
    }
}

/// Where an attempt's body is.
enum Step {
    Head,
    Content,
    Tail,
    Done,
}

/// The pieces of one attempt's body, pulled by the connection as it can
/// send them: the source is asked for more only then.
struct Pieces {
    multipart: Arc<Multipart>,
    attempt: u32,
    failure: SourceFailure,
    step: Step,
    /// Pieces the source gave and the connection has not taken yet.
    ready: VecDeque<Bytes>,
}

type Piece = Result<Bytes, std::io::Error>;

impl Pieces {
    async fn next(mut self) -> Option<(Piece, Pieces)> {
        loop {
            match self.step {
                Step::Head => {
                    self.step = Step::Content;
                    let head = self.multipart.head.clone();
                    return Some((Ok(head), self));
                }
                Step::Content => {
                    // A later attempt has started (a connection can go on
                    // writing a body after its response came): this one
                    // stops, and its connection with it, rather than read
                    // the source the newer attempt is reading.
                    if self.multipart.attempts.load(Ordering::Acquire) != self.attempt + 1 {
                        self.step = Step::Done;
                        let superseded =
                            std::io::Error::other("a later attempt took over the upload");
                        return Some((Err(superseded), self));
                    }
                    if let Some(piece) = self.ready.pop_front() {
                        return Some((Ok(piece), self));
                    }
                    let Content::Source { source, .. } = &self.multipart.content else {
                        self.step = Step::Tail;
                        continue;
                    };
                    self.multipart.consumed.store(true, Ordering::Release);
                    match source.read(self.attempt).await {
                        Ok(Some(pieces)) => {
                            self.ready
                                .extend(pieces.into_iter().filter(|p| !p.is_empty()));
                        }
                        Ok(None) => self.step = Step::Tail,
                        Err(message) => {
                            self.failure.set(message.clone());
                            self.step = Step::Done;
                            return Some((Err(std::io::Error::other(message)), self));
                        }
                    }
                }
                Step::Tail => {
                    self.step = Step::Done;
                    let tail = self.multipart.tail.clone();
                    return Some((Ok(tail), self));
                }
                Step::Done => return None,
            }
        }
    }
}

/// A name as `FormData` puts it in `name="…"` and `filename="…"`: `"`, CR and LF
/// percent-encoded, everything else as it is (UTF-8).
fn escape_filename(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '"' => out.push_str("%22"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// A content type as a header line may hold it: a `Blob`'s type is already
/// printable ASCII, so this only guards the framing (no line breaks or
/// other control characters get in).
fn header_text(value: &str) -> String {
    value.chars().filter(|c| (' '..='~').contains(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(m: &Multipart, content: &[u8]) -> String {
        let mut all = m.head.to_vec();
        all.extend_from_slice(content);
        all.extend_from_slice(&m.tail);
        String::from_utf8(all).unwrap()
    }

    #[test]
    fn frames_one_part_as_form_data_does() {
        let m = Multipart::new(
            "file",
            Some("a\"b\r\nc\u{e9}.png"),
            "image/png",
            Content::Bytes(Bytes::from_static(b"hi")),
        );
        let b = &m.boundary;
        assert!(m.content_type().ends_with(&format!("boundary={b}")));
        assert_eq!(
            framed(&m, b"hi"),
            format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a%22b%0D%0Ac\u{e9}.png\"\r\nContent-Type: image/png\r\n\r\nhi\r\n--{b}--\r\n")
        );
        assert_eq!(m.size(), Some(framed(&m, b"hi").len() as u64));
    }

    #[test]
    fn a_part_without_a_name_has_no_filename() {
        let m = Multipart::new(
            "file",
            None,
            "text/plain\r\nX: y",
            Content::Bytes(Bytes::new()),
        );
        let text = framed(&m, b"");
        assert!(text.contains("form-data; name=\"file\"\r\nContent-Type: text/plainX: y\r\n\r\n"));
    }

    struct Endless;
    impl UploadSource for Endless {
        fn read(&self, _attempt: u32) -> SourceRead {
            Box::pin(async { Ok(Some(vec![Bytes::from_static(b"x")])) })
        }
    }

    #[test]
    fn a_stream_is_sent_once_a_blob_again() {
        let once = Multipart::new(
            "file",
            Some("f"),
            "a/b",
            Content::Source {
                source: Box::new(Endless),
                size: None,
                replayable: false,
            },
        );
        assert!(once.can_resend());
        assert_eq!(once.size(), None);
        let _ = once.framing();
        assert!(!once.can_resend());
        let again = Multipart::new(
            "file",
            Some("f"),
            "a/b",
            Content::Source {
                source: Box::new(Endless),
                size: Some(3),
                replayable: true,
            },
        );
        let _ = again.framing();
        assert!(again.can_resend());
        assert_eq!(
            again.size(),
            Some(again.head.len() as u64 + 3 + again.tail.len() as u64)
        );
    }
}
