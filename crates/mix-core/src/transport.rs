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

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_LENGTH};
use reqwest::{Method, Response, Url};

use crate::config::Limits;
use crate::error::{ClientError, ClientErrorKind};
use crate::pool::Pool;
use crate::proxy::ProxyRoutes;

/// A whole response from an external transport.
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

pub type ExternalFuture = Pin<Box<dyn Future<Output = Result<RawResponse, ClientError>> + Send>>;

/// Sends attempts some other way than reqwest (e.g. a caller's JS fetcher).
pub trait ExternalTransport: Send + Sync {
    fn send(&self, method: &Method, url: &Url, headers: &HeaderMap) -> ExternalFuture;
}

enum Sender {
    Reqwest(reqwest::Client),
    External(Arc<dyn ExternalTransport>),
}

pub struct Transport {
    sender: Sender,
    limits: Limits,
    /// The pool's proxies, to tell a proxy's refusal from a response.
    proxies: Option<Arc<ProxyRoutes>>,
}

/// A response head; its body is read (or dropped) separately, so a retried
/// response need not be read at all.
pub struct Head {
    pub status: u16,
    pub headers: HeaderMap,
    body: PendingBody,
}

enum PendingBody {
    Stream(Response),
    Ready(Vec<u8>),
}

impl Transport {
    /// Attempts over a pool's connections.
    pub fn pooled(limits: Limits, pool: Pool) -> Transport {
        Transport {
            sender: Sender::Reqwest(pool.client),
            limits,
            proxies: pool.proxies,
        }
    }

    /// Attempts through the caller's HTTP client.
    pub fn external(limits: Limits, external: Arc<dyn ExternalTransport>) -> Transport {
        Transport {
            sender: Sender::External(external),
            limits,
            proxies: None,
        }
    }

    /// Sends one request and waits for the response head.
    pub async fn send(
        &self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
    ) -> Result<Head, ClientError> {
        match &self.sender {
            Sender::Reqwest(client) => {
                let mut request = client
                    .request(method.clone(), url.clone())
                    .headers(headers.clone());
                // hyper sends an empty body without framing; `fetch` says
                // `content-length: 0` for a body-less POST or PUT.
                if method == Method::POST || method == Method::PUT {
                    request = request.header(CONTENT_LENGTH, HeaderValue::from_static("0"));
                }
                let mut response = request
                    .send()
                    .await
                    .map_err(|e| ClientError::from_reqwest(&e, url))?;
                // A proxy that wants credentials answers a forwarded request
                // itself: the server never saw it. (Through a `CONNECT`
                // tunnel the same refusal is a connection error already.)
                if response.status() == reqwest::StatusCode::PROXY_AUTHENTICATION_REQUIRED
                    && self
                        .proxies
                        .as_ref()
                        .is_some_and(|p| p.route(url).is_some())
                {
                    return Err(ClientError::new(
                        ClientErrorKind::Connection,
                        "proxy authentication required (407)",
                        Some("ERR_PROXY_AUTH_REQUIRED"),
                    ));
                }
                Ok(Head {
                    status: response.status().as_u16(),
                    headers: std::mem::take(response.headers_mut()),
                    body: PendingBody::Stream(response),
                })
            }
            Sender::External(external) => {
                let raw = external.send(method, url, headers).await?;
                Ok(Head {
                    status: raw.status,
                    headers: raw.headers,
                    body: PendingBody::Ready(raw.body),
                })
            }
        }
    }

    /// Reads the whole body, refusing more than the limit; the connection is
    /// dropped when the limit is exceeded.
    ///
    /// Memory: a streamed body is gathered as its chunks arrive and copied
    /// once into a buffer of the exact size, so no buffer is regrown (and a
    /// body over the limit never gets a contiguous buffer at all). After a
    /// large read the freed memory is handed back to the system (see
    /// [`crate::memory`]): otherwise every big or endless body a server sends
    /// would leave the process tens of MB larger.
    pub async fn read_body(&self, head: Head) -> Result<Vec<u8>, ClientError> {
        let limit = self.limits.max_body_bytes;
        let response = match head.body {
            PendingBody::Ready(body) if body.len() > limit => {
                return Err(ClientError::too_large(limit))
            }
            PendingBody::Ready(body) => return Ok(body),
            PendingBody::Stream(response) => response,
        };
        let mut read = 0;
        let result = read_capped(response, limit, &mut read).await;
        if read >= RELEASE_AFTER_BYTES {
            crate::memory::release_freed_memory();
        }
        result
    }
}

/// Reads of at least this many bytes hand freed memory back afterwards.
const RELEASE_AFTER_BYTES: usize = 1024 * 1024;

/// Reads a streamed body of at most `limit` bytes, counting them in `read`.
async fn read_capped(
    mut response: Response,
    limit: usize,
    read: &mut usize,
) -> Result<Vec<u8>, ClientError> {
    // `content_length` is the declared size of an uncompressed body.
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(ClientError::too_large(limit));
    }
    let mut chunks = Vec::new();
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => return Err(ClientError::from_reqwest(&e, response.url())),
        };
        *read += chunk.len();
        if *read > limit {
            return Err(ClientError::too_large(limit));
        }
        chunks.push(chunk);
    }
    let mut body = Vec::with_capacity(*read);
    for chunk in chunks {
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
