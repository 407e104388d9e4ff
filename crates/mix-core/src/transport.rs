//! One HTTP attempt over a shared, pooled reqwest client, and reading a
//! response body within the client's size limit. No retry logic here.
//!
//! The client keeps connections alive per `Mix` instance, follows up to 10
//! redirects (as `fetch` does), ignores proxy environment variables (as
//! Node's `fetch` does), and decompresses gzip and deflate bodies, the limit
//! applying to the decompressed size.

use reqwest::header::{HeaderMap, CONTENT_LENGTH};
use reqwest::{Method, Response, Url};

use crate::config::Limits;
use crate::error::{ClientError, ClientErrorKind};

pub struct Transport {
    client: reqwest::Client,
    limits: Limits,
}

impl Transport {
    pub fn new(limits: Limits) -> Result<Transport, ClientError> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .build()
            .map_err(|e| {
                ClientError::new(
                    ClientErrorKind::Unexpected,
                    format!("could not start the HTTP client: {e}"),
                    None,
                )
            })?;
        Ok(Transport { client, limits })
    }

    /// Sends one request and waits for the response head.
    pub async fn send(&self, method: Method, url: &Url, headers: &HeaderMap) -> Result<Response, ClientError> {
        self.client
            .request(method, url.clone())
            .headers(headers.clone())
            // An explicit empty body makes the request carry
            // `content-length: 0`, as fetch does for a body-less POST.
            .body(Vec::new())
            .send()
            .await
            .map_err(|e| ClientError::from_reqwest(&e, url))
    }

    /// Reads the whole body, refusing more than the limit; the connection is
    /// dropped when the limit is exceeded.
    pub async fn read_body(&self, mut response: Response) -> Result<Vec<u8>, ClientError> {
        let limit = self.limits.max_body_bytes;
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ClientError::too_large(limit));
        }
        let url = response.url().clone();
        let mut body = Vec::with_capacity(declared.map_or(0, |n| n as usize).min(limit));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| ClientError::from_reqwest(&e, &url))?
        {
            if body.len() + chunk.len() > limit {
                return Err(ClientError::too_large(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}
