//! Option objects as JS passes them, and their conversion to `mix-core`
//! types. Field names are the public camelCase ones, so the caller's
//! `RetryConfig` object is passed through unchanged.

use std::sync::Arc;

use mix_core::operation::BodyKind;
use mix_core::transport::Body;
use mix_core::upload::{Content, Multipart, UploadSource};
use mix_core::{BackoffConfig, CallOptions, NetworkConfig, ProxyConfig, Request, RetryConfig};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

#[napi(object)]
pub struct NativeBackoff {
    pub initial_interval: Option<f64>,
    pub max_interval: Option<f64>,
    pub exponent: Option<f64>,
    pub max_elapsed_time: Option<f64>,
}

#[napi(object)]
pub struct NativeRetryConfig {
    pub strategy: String,
    pub backoff: Option<NativeBackoff>,
    pub retry_connection_errors: Option<bool>,
}

#[napi(object)]
pub struct NativeClientOptions {
    /// The resolved base URL (`serverURL`, or `ServerList[serverIdx]`).
    pub server_url: String,
    pub user_agent: String,
    pub retry_config: Option<NativeRetryConfig>,
    pub timeout_ms: Option<f64>,
    /// Record attempts for the debug logger.
    pub debug: Option<bool>,
    /// `NODE_EXTRA_CA_CERTS`, as the JS layer read it.
    pub extra_ca_certs: Option<String>,
    /// `NODE_USE_SYSTEM_CA=1` or `--use-system-ca`.
    pub use_system_ca: Option<bool>,
    /// The proxy variables, set only when `NODE_USE_ENV_PROXY` is on.
    pub http_proxy: Option<String>,
    pub https_proxy: Option<String>,
    pub no_proxy: Option<String>,
}

impl NativeClientOptions {
    pub fn network(&self) -> NetworkConfig {
        NetworkConfig {
            extra_ca_certs: self.extra_ca_certs.clone(),
            use_system_ca: self.use_system_ca.unwrap_or(false),
            proxy: ProxyConfig {
                http: self.http_proxy.clone(),
                https: self.https_proxy.clone(),
                no_proxy: self.no_proxy.clone(),
            },
        }
    }
}

#[napi(object)]
pub struct NativeCallOptions {
    pub server_url: Option<String>,
    pub timeout_ms: Option<f64>,
    pub retries: Option<NativeRetryConfig>,
    pub retry_codes: Option<Vec<String>>,
    /// Extra headers as a flat list: name, value, name, value, …
    pub headers: Option<Vec<String>>,
    /// Resolve with the response and URL for a value too.
    pub keep_response: Option<bool>,
}

impl From<NativeRetryConfig> for RetryConfig {
    /// `{strategy: "backoff"}` without `backoff` takes the library default,
    /// and so does each missing field; any other strategy means no retries
    /// (as in the original). `retryConnectionErrors` defaults to false for a
    /// caller's policy.
    fn from(config: NativeRetryConfig) -> RetryConfig {
        if config.strategy != "backoff" {
            return RetryConfig::None;
        }
        let d = BackoffConfig::LIBRARY_DEFAULT;
        let backoff = match config.backoff {
            None => d,
            Some(b) => BackoffConfig {
                initial_interval_ms: b.initial_interval.unwrap_or(d.initial_interval_ms),
                max_interval_ms: b.max_interval.unwrap_or(d.max_interval_ms),
                exponent: b.exponent.unwrap_or(d.exponent),
                max_elapsed_time_ms: b.max_elapsed_time.unwrap_or(d.max_elapsed_time_ms),
            },
        };
        RetryConfig::Backoff {
            backoff,
            retry_connection_errors: config.retry_connection_errors.unwrap_or(false),
        }
    }
}

impl NativeCallOptions {
    /// The call's options; `tag` is the slot JS settles it under.
    pub fn into_call(self, tag: u32) -> CallOptions {
        let call = self;
        let flat = call.headers.unwrap_or_default();
        let headers = flat
            .chunks_exact(2)
            .map(|pair| (pair[0].clone(), pair[1].clone()))
            .collect();
        CallOptions {
            server_url: call.server_url,
            timeout_ms: call.timeout_ms,
            retry: call.retries.map(RetryConfig::from),
            retry_codes: call.retry_codes,
            headers,
            keep_response: call.keep_response.unwrap_or(false),
            tag,
        }
    }
}

/// The caller's values of one call, as the JS layer validated and encoded
/// them (see `mix_core::operation::Request`).
#[napi(object)]
pub struct NativeRequest {
    /// One value per path parameter, in template order.
    pub path: Option<Vec<String>>,
    /// Flat name, value, … pairs, not yet percent-encoded.
    pub query: Option<Vec<String>>,
    /// Flat name, value, … pairs of operation headers.
    pub headers: Option<Vec<String>>,
    /// The JSON body text.
    pub body: Option<String>,
    /// The file of a multipart upload.
    pub multipart: Option<NativeMultipart>,
}

/// The one part of a multipart upload, as `lib/internal/upload.js` made it
/// from the caller's file.
#[napi(object)]
pub struct NativeMultipart {
    /// The part's file name; absent, it has none.
    pub filename: Option<String>,
    pub content_type: String,
    /// The content, when the caller gave bytes: JS's own copy, made at the
    /// call (as the original copies them into a `Blob`), taken as it is.
    /// Otherwise the call's read function supplies it.
    pub bytes: Option<Buffer>,
    /// The content's size, when known without reading it.
    pub size: Option<f64>,
    /// Whether the read function can start the content again (a `Blob`).
    pub replayable: Option<bool>,
}

impl NativeRequest {
    /// The request of a call of an operation with this body kind; `source`
    /// is the read function of an upload whose content is not bytes.
    pub fn into_request(self, kind: BodyKind, source: Option<Box<dyn UploadSource>>) -> Request {
        let body = match (self.multipart, kind) {
            (Some(part), BodyKind::Multipart(name)) => {
                let content = match (part.bytes, source) {
                    (Some(bytes), _) => Content::Bytes(bytes::Bytes::from_owner(bytes)),
                    (None, Some(source)) => Content::Source {
                        source,
                        size: part
                            .size
                            .filter(|n| n.is_finite() && *n >= 0.0)
                            .map(|n| n as u64),
                        replayable: part.replayable.unwrap_or(false),
                    },
                    (None, None) => Content::Bytes(Default::default()),
                };
                let multipart =
                    Multipart::new(name, part.filename.as_deref(), &part.content_type, content);
                Body::Multipart(Arc::new(multipart))
            }
            _ => match self.body {
                Some(text) => Body::Bytes(text.into_bytes().into()),
                None => Body::Empty,
            },
        };
        Request {
            path: self.path.unwrap_or_default(),
            query: pairs(self.query),
            headers: pairs(self.headers),
            body,
        }
    }
}

fn pairs(flat: Option<Vec<String>>) -> Vec<(String, String)> {
    let mut flat = flat.unwrap_or_default().into_iter();
    let mut pairs = Vec::with_capacity(flat.len() / 2);
    while let (Some(name), Some(value)) = (flat.next(), flat.next()) {
        pairs.push((name, value));
    }
    pairs
}
