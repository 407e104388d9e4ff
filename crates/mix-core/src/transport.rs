//! One HTTP attempt, and reading a response body within the client's size
//! limit. No retry logic here.
//!
//! Attempts go over a pooled reqwest client (see [`crate::pool`] for what
//! a pool does), or, when the caller supplied their own HTTP client,
//! through an [`ExternalTransport`] (the binding bridges it to JavaScript).
//! The body limit applies to the decompressed size.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use std::io::Write;

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH};
use reqwest::{Method, Response, Url};

use crate::config::Limits;
use crate::error::{ClientError, ClientErrorKind};
use crate::pool::Pool;
use crate::upload::{Multipart, SourceFailure};

/// A request body. Bytes are shared, so each retry attempt resends the same
/// bytes without copying them.
#[derive(Debug, Clone, Default)]
pub enum Body {
    #[default]
    Empty,
    Bytes(bytes::Bytes),
    /// An upload, its content read as it is sent (see [`crate::upload`]).
    Multipart(Arc<Multipart>),
}

impl Body {
    /// Whether another attempt can send this body (see
    /// [`Multipart::can_resend`]).
    pub fn can_resend(&self) -> bool {
        match self {
            Body::Multipart(multipart) => multipart.can_resend(),
            _ => true,
        }
    }
}

/// A response from an external transport: its head, and its body to read
/// when (and as far as) the call needs it.
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Box<dyn ExternalBody>,
}

/// The pending result of an [`ExternalBody`] read: bytes, or `None` at the end.
pub type ExternalRead<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Vec<u8>>, ClientError>> + Send + 'a>>;

/// The body of an external transport's response, read piece by piece on
/// demand. Dropped before its end, it gives the body up (the caller's fetch
/// closes its connection).
pub trait ExternalBody: Send {
    /// The next piece of the body, `None` at its end. `call` is the tag of
    /// the call waiting for it (what fails then is that call's), `None` for
    /// a stream read after its call has settled.
    fn read(&mut self, call: Option<u32>) -> ExternalRead<'_>;
}

pub type ExternalFuture = Pin<Box<dyn Future<Output = Result<RawResponse, ClientError>> + Send>>;

/// Sends attempts some other way than reqwest (e.g. a caller's JS fetcher).
/// `tag` is the caller's number for the call the attempt belongs to.
pub trait ExternalTransport: Send + Sync {
    fn send(
        &self,
        tag: u32,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: &Body,
    ) -> ExternalFuture;
}

enum Sender {
    /// Holding the pool keeps it registered while this client may use it.
    Pooled(Arc<Pool>),
    External(Arc<dyn ExternalTransport>),
}

pub struct Transport {
    sender: Sender,
    limits: Limits,
}

/// A response head; its body is read (or dropped) separately, so a retried
/// response need not be read at all.
pub struct Head {
    pub status: u16,
    pub headers: HeaderMap,
    body: PendingBody,
}

enum PendingBody {
    /// Read from the connection, then decoded by its `Content-Encoding`.
    Stream(Response, Coding),
    /// From an external transport, which decodes it itself (as `fetch`
    /// does), for the call with this tag.
    External(Box<dyn ExternalBody>, u32),
}

/// A response body's content coding, as `fetch` decodes it. The headers are
/// left as the server sent them (`content-encoding`, `content-length`), as
/// `fetch` shows them; reqwest's own decoding would remove both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Identity,
    Gzip,
    /// zlib-wrapped deflate (RFC 1950), as reqwest and undici read it.
    Deflate,
}

impl Coding {
    /// A decoder for a body of this coding; `None` for identity.
    fn decoder(self) -> Option<Box<dyn Decoder>> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some(Box::new(flate2::write::GzDecoder::new(Vec::new()))),
            Coding::Deflate => Some(Box::new(flate2::write::ZlibDecoder::new(Vec::new()))),
        }
    }

    /// A single `gzip`, `x-gzip` or `deflate`; anything else (several
    /// codings, unknown ones) is left as it is, as reqwest did.
    fn of(headers: &HeaderMap) -> Coding {
        let mut values = headers.get_all(CONTENT_ENCODING).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Coding::Identity;
        };
        let value = String::from_utf8_lossy(value.as_bytes())
            .trim()
            .to_ascii_lowercase();
        match value.as_str() {
            "gzip" | "x-gzip" => Coding::Gzip,
            "deflate" => Coding::Deflate,
            _ => Coding::Identity,
        }
    }
}

impl Transport {
    /// Attempts over a pool's connections; the pool lives as long as this.
    pub fn pooled(limits: Limits, pool: Arc<Pool>) -> Transport {
        Transport {
            sender: Sender::Pooled(pool),
            limits,
        }
    }

    /// Attempts through the caller's HTTP client.
    pub fn external(limits: Limits, external: Arc<dyn ExternalTransport>) -> Transport {
        Transport {
            sender: Sender::External(external),
            limits,
        }
    }

    /// The most bytes a body read whole (or one event of a stream) may hold.
    pub fn max_body_bytes(&self) -> usize {
        self.limits.max_body_bytes
    }

    /// What went wrong setting up the pool's trust store.
    pub fn warnings(&self) -> &[String] {
        match &self.sender {
            Sender::Pooled(pool) => &pool.warnings,
            Sender::External(_) => &[],
        }
    }

    /// Sends one request of call `tag` and waits for the response head.
    pub async fn send(
        &self,
        tag: u32,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: &Body,
    ) -> Result<Head, ClientError> {
        match &self.sender {
            Sender::Pooled(pool) => {
                let mut request = pool
                    .client
                    .request(method.clone(), url.clone())
                    .headers(headers.clone());
                let mut source: Option<SourceFailure> = None;
                match body {
                    Body::Bytes(bytes) => request = request.body(bytes.clone()),
                    Body::Multipart(multipart) => {
                        let (stream, failure) = multipart.attempt();
                        // A body of known size is sent with its length, as
                        // `fetch` sends a `FormData` (else chunked).
                        if let Some(len) = multipart.size() {
                            request = request.header(CONTENT_LENGTH, len);
                        }
                        request = request.body(stream);
                        source = Some(failure);
                    }
                    // hyper sends an empty body without framing; `fetch` says
                    // `content-length: 0` for a body-less POST, PUT or PATCH.
                    Body::Empty => {
                        if [Method::POST, Method::PUT, Method::PATCH].contains(method) {
                            request = request.header(CONTENT_LENGTH, HeaderValue::from_static("0"));
                        }
                    }
                }
                let proxy = pool.proxies.as_ref().and_then(|p| p.route(url));
                let mut response = request.send().await.map_err(|e| {
                    // The upload's own source failing is not the network's fault.
                    source
                        .as_ref()
                        .and_then(SourceFailure::take)
                        .unwrap_or_else(|| ClientError::from_reqwest(&e, url, proxy.as_ref()))
                })?;
                if let Some(error) = not_an_answer(&response, proxy.is_some()) {
                    return Err(error);
                }
                let coding = Coding::of(response.headers());
                Ok(Head {
                    status: response.status().as_u16(),
                    headers: std::mem::take(response.headers_mut()),
                    body: PendingBody::Stream(response, coding),
                })
            }
            Sender::External(external) => {
                let raw = external.send(tag, method, url, headers, body).await?;
                Ok(Head {
                    status: raw.status,
                    headers: raw.headers,
                    body: PendingBody::External(raw.body, tag),
                })
            }
        }
    }

    /// Reads the whole body, refusing more than the limit; the connection is
    /// dropped when the limit is exceeded.
    ///
    /// It is read as a [`BodyStream`], the one place bodies are decoded: a
    /// compressed body is inflated in bounded steps, so a bomb stops at the
    /// limit. Memory: the pieces are gathered as they arrive and copied
    /// once into a buffer of the exact size, so no buffer is regrown (and a
    /// body over the limit never gets a contiguous buffer at all). After a
    /// large read the freed memory is handed back to the system (see
    /// [`crate::memory`]): otherwise every big or endless body a server sends
    /// would leave the process tens of MB larger.
    pub async fn read_body(&self, head: Head) -> Result<Vec<u8>, ClientError> {
        let limit = self.limits.max_body_bytes;
        // `content_length` is the declared size of an uncompressed body.
        if let PendingBody::Stream(response, Coding::Identity) = &head.body {
            if response.content_length().is_some_and(|n| n > limit as u64) {
                return Err(ClientError::too_large(limit));
            }
        }
        let mut body = head.stream(true);
        let mut pieces = Vec::new();
        let mut read = 0;
        let result = loop {
            match body.next().await {
                Ok(Some(piece)) => {
                    read += piece.len();
                    if read > limit {
                        break Err(ClientError::too_large(limit));
                    }
                    pieces.push(piece);
                }
                Ok(None) => {
                    let mut whole = Vec::with_capacity(read);
                    for piece in &pieces {
                        whole.extend_from_slice(piece);
                    }
                    break Ok(whole);
                }
                Err(error) => break Err(error),
            }
        };
        drop(body); // the connection, when the body was not read to its end
        drop(pieces);
        if read >= RELEASE_AFTER_BYTES {
            crate::memory::release_freed_memory();
        }
        result
    }
}

impl Head {
    /// The body as a stream of chunks, read only as they are asked for (a
    /// response that stays open: an event stream). No size limit applies to
    /// the whole; see [`BodyStream`].
    pub fn into_stream(self) -> BodyStream {
        self.stream(false)
    }

    /// The body as a [`BodyStream`]; `for_call`: read while its call waits
    /// for it (an external transport's reads then name the call).
    fn stream(self, for_call: bool) -> BodyStream {
        let (response, decoder, external) = match self.body {
            PendingBody::Stream(response, coding) => (Some(response), coding.decoder(), None),
            PendingBody::External(body, tag) => (None, None, Some((body, for_call.then_some(tag)))),
        };
        BodyStream {
            response,
            decoder,
            external,
            input: bytes::Bytes::new(),
        }
    }
}

/// Compressed input is inflated this many bytes at a time…
const INFLATE_IN_STEP: usize = 4 * 1024;
/// …until this much output is ready: what a chunk of compressed bytes turns
/// into is handed out in bounded pieces, so a small gzip bomb never becomes
/// a large buffer (deflate expands at most about 1032:1, so one step yields
/// at most some 4 MiB).
const INFLATE_OUT_STEP: usize = 64 * 1024;

/// A response body read chunk by chunk as the reader asks: nothing is read
/// from the connection between asks, so a slow reader holds the sender back
/// (TCP flow control) instead of filling memory. Dropping it closes the
/// connection.
pub struct BodyStream {
    response: Option<Response>,
    /// For a compressed body: decodes the chunks as they come.
    decoder: Option<Box<dyn Decoder>>,
    /// The body of an external transport's response, read piece by piece,
    /// and the tag of the call waiting for it, if one is.
    external: Option<(Box<dyn ExternalBody>, Option<u32>)>,
    /// Compressed bytes read and not yet inflated.
    input: bytes::Bytes,
}

impl BodyStream {
    /// The next piece of the body, waiting for it; `None` at its end.
    pub async fn next(&mut self) -> Result<Option<bytes::Bytes>, ClientError> {
        if let Some((external, call)) = self.external.as_mut() {
            let piece = external.read(*call).await?;
            if piece.is_none() {
                self.external = None;
            }
            return Ok(piece.map(bytes::Bytes::from));
        }
        loop {
            if let Some(piece) = self.ready_piece()? {
                return Ok(Some(piece));
            }
            let Some(response) = self.response.as_mut() else {
                return self.finish();
            };
            let chunk = response
                .chunk()
                .await
                .map_err(|e| ClientError::from_reqwest(&e, response.url(), None))?;
            if let Some(piece) = self.accept(chunk) {
                return Ok(Some(piece));
            }
        }
    }

    /// The next piece if one is at hand without waiting (`None` when none
    /// is, or at the end).
    pub async fn next_ready(&mut self) -> Result<Option<bytes::Bytes>, ClientError> {
        if let Some(piece) = self.ready_piece()? {
            return Ok(Some(piece));
        }
        let Some(response) = self.response.as_mut() else {
            return Ok(None);
        };
        // One poll: `chunk` takes nothing from the connection unless it
        // completes, so a pending poll dropped loses nothing.
        let polled = {
            let mut pending = std::pin::pin!(response.chunk());
            std::future::poll_fn(|cx| {
                std::task::Poll::Ready(match pending.as_mut().poll(cx) {
                    std::task::Poll::Ready(result) => Some(result),
                    std::task::Poll::Pending => None,
                })
            })
            .await
        };
        match polled {
            None => Ok(None),
            Some(Err(e)) => Err(ClientError::from_reqwest(&e, response.url(), None)),
            Some(Ok(chunk)) => match self.accept(chunk) {
                Some(piece) => Ok(Some(piece)),
                None => self.ready_piece(),
            },
        }
    }

    /// What is at hand without reading: the next inflated piece of
    /// compressed input. (An external body is never at hand: each piece is
    /// a round trip to JavaScript.)
    fn ready_piece(&mut self) -> Result<Option<bytes::Bytes>, ClientError> {
        let Some(decoder) = self.decoder.as_mut() else {
            return Ok(None);
        };
        while !self.input.is_empty() && decoder.decoded_len() < INFLATE_OUT_STEP {
            let step = self.input.len().min(INFLATE_IN_STEP);
            let used = decoder.write(&self.input[..step]).map_err(corrupt)?;
            if used == 0 {
                // The compressed stream has ended; what follows is not part of it.
                self.input.clear();
                break;
            }
            self.input = self.input.slice(used..);
        }
        // The decoder holds output back until flushed: an event must not
        // wait for the next chunk.
        decoder.flush().map_err(corrupt)?;
        let out = decoder.take_decoded();
        Ok((!out.is_empty()).then(|| out.into()))
    }

    /// Takes a chunk read (`None`: the end of the body): returned as it is
    /// when the body is not compressed, else kept to inflate.
    fn accept(&mut self, chunk: Option<bytes::Bytes>) -> Option<bytes::Bytes> {
        match chunk {
            None => {
                self.response = None;
                None
            }
            Some(chunk) if self.decoder.is_none() => (!chunk.is_empty()).then_some(chunk),
            Some(chunk) => {
                self.input = chunk;
                None
            }
        }
    }

    /// The end of the body: what the decoder still held, then `None`.
    fn finish(&mut self) -> Result<Option<bytes::Bytes>, ClientError> {
        match self.decoder.take() {
            Some(decoder) => {
                let rest = decoder.finish_decoding().map_err(corrupt)?;
                Ok((!rest.is_empty()).then(|| rest.into()))
            }
            None => Ok(None),
        }
    }
}

fn corrupt(e: std::io::Error) -> ClientError {
    ClientError::new(
        ClientErrorKind::Connection,
        format!("the compressed response body is invalid: {e}"),
        Some("Z_DATA_ERROR"),
    )
}

/// A response that is not the server's answer to the request, as `fetch`
/// would see it:
/// - a 407 from the proxy a request was forwarded to: the server never saw
///   the request (through a `CONNECT` tunnel the same refusal is already a
///   connection error);
/// - a redirect whose `Location` reqwest could not follow (it does not
///   parse): `fetch` fails such a redirect as a network error. (Every other
///   redirect was followed, or refused by the pool's policy.)
fn not_an_answer(response: &Response, proxied: bool) -> Option<ClientError> {
    let status = response.status();
    if proxied && status == reqwest::StatusCode::PROXY_AUTHENTICATION_REQUIRED {
        return Some(ClientError::new(
            ClientErrorKind::Connection,
            "proxy authentication required (407)",
            Some("ERR_PROXY_AUTH_REQUIRED"),
        ));
    }
    if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        let location = response.headers().get(reqwest::header::LOCATION)?;
        let shown = crate::engine::latin1(location.as_bytes());
        return Some(ClientError::new(
            ClientErrorKind::Connection,
            format!(
                "redirect to a location that cannot be followed: {}",
                crate::redact::url(&shown)
            ),
            Some("ERR_INVALID_REDIRECT"),
        ));
    }
    None
}

/// Reads of at least this many bytes hand freed memory back afterwards.
const RELEASE_AFTER_BYTES: usize = 1024 * 1024;

/// A streaming decoder writing into a `Vec<u8>`.
trait Decoder: Write + Send {
    fn decoded_len(&self) -> usize;
    /// Takes the bytes decoded so far.
    fn take_decoded(&mut self) -> Vec<u8>;
    fn finish_decoding(self: Box<Self>) -> std::io::Result<Vec<u8>>;
}

/// The same for both decoders (flate2 gives them no common trait).
macro_rules! decoder {
    ($decoder:ty) => {
        impl Decoder for $decoder {
            fn decoded_len(&self) -> usize {
                self.get_ref().len()
            }
            fn take_decoded(&mut self) -> Vec<u8> {
                std::mem::take(self.get_mut())
            }
            fn finish_decoding(self: Box<Self>) -> std::io::Result<Vec<u8>> {
                self.finish()
            }
        }
    };
}

decoder!(flate2::write::GzDecoder<Vec<u8>>);
decoder!(flate2::write::ZlibDecoder<Vec<u8>>);
