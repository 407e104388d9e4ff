//! A configured client: its base URL, default request headers and policies,
//! and the shared transport. Building the request of a call happens here;
//! running it is the engine's job.

use std::borrow::Cow;
use std::sync::OnceLock;

use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE,
    EXPECT, HOST, TE, TRAILER, TRANSFER_ENCODING, UPGRADE, USER_AGENT,
};
use reqwest::Url;

use crate::config::{ClientConfig, RetryConfig};
use crate::error::{ClientError, ClientErrorKind};
use crate::operation::{BodyKind, Operation};
use crate::pool;
use crate::transport::Transport;
use crate::url::{client_base, join};

pub struct Client {
    pub(crate) transport: Transport,
    base: Url,
    /// Per operation: its URL when it has no path or query parameters
    /// (joining parses the URL again, and the result never changes).
    fixed_urls: Box<[OnceLock<Url>]>,
    /// Per operation: the headers it sends unless a call replaces them.
    op_headers: Box<[OnceLock<HeaderMap>]>,
    /// `user-agent` and the empty `cookie` the original always sends.
    default_headers: HeaderMap,
    pub(crate) retry: Option<RetryConfig>,
    pub(crate) timeout_ms: Option<f64>,
    pub(crate) debug: bool,
}

impl Client {
    /// Whether calls log their attempts (and streams their skipped events).
    pub fn debug(&self) -> bool {
        self.debug
    }

    pub fn new(config: ClientConfig) -> Result<Client, ClientError> {
        let base = client_base(&config.server_url).map_err(|e| {
            ClientError::new(
                ClientErrorKind::InvalidRequest,
                e.to_string(),
                Some("ERR_INVALID_URL"),
            )
        })?;
        let mut default_headers = HeaderMap::with_capacity(4);
        default_headers.insert(COOKIE, HeaderValue::from_static(""));
        let user_agent = header_value(&config.user_agent).map_err(|e| {
            ClientError::invalid_request(format!("Invalid option \"userAgent\": {}", e.detail))
        })?;
        default_headers.insert(USER_AGENT, user_agent);
        let transport = match config.external {
            Some(external) => Transport::external(config.limits, external),
            None => Transport::pooled(config.limits, pool::shared(&config.network, config.shard)?),
        };
        let operations = crate::generated::OPERATIONS.len();
        Ok(Client {
            transport,
            base,
            fixed_urls: (0..operations).map(|_| OnceLock::new()).collect(),
            op_headers: (0..operations).map(|_| OnceLock::new()).collect(),
            default_headers,
            retry: config.retry,
            timeout_ms: config.timeout_ms,
            debug: config.debug,
        })
    }

    /// Problems with the trust store that did not stop the client.
    pub fn warnings(&self) -> &[String] {
        self.transport.warnings()
    }

    /// The client's base URL (its path ends in exactly one `/`).
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The URL of operation `index` whose path is `path` (no parameters).
    pub(crate) fn fixed_url(&self, index: usize, path: &str) -> &Url {
        self.fixed_urls[index].get_or_init(|| join(&self.base, path))
    }

    /// The request headers of a call of operation `index`: the operation's
    /// (`Accept`, `Content-Type` for a JSON body, `cookie`, `user-agent`),
    /// then the request's own (e.g. `Last-Event-ID`), then the call's, each
    /// replacing an earlier one of the same name, except `user-agent` (only
    /// the client's `userAgent` option sets it, as in the original) and the
    /// framing and connection headers of [`is_transport_header`], which are
    /// dropped. Several values for one name in one list are joined with
    /// `, `, as `Headers` does.
    pub(crate) fn headers(
        &self,
        index: usize,
        op: &Operation,
        request: &[(String, String)],
        call: &[(String, String)],
    ) -> Result<Cow<'_, HeaderMap>, ClientError> {
        let defaults = self.op_headers[index].get_or_init(|| {
            let mut headers = self.default_headers.clone();
            if let Ok(accept) = HeaderValue::from_str(op.accept) {
                headers.insert(ACCEPT, accept);
            }
            if op.body == BodyKind::Json {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            headers
        });
        if request.is_empty() && call.is_empty() {
            return Ok(Cow::Borrowed(defaults));
        }
        let mut headers = defaults.clone();
        apply_headers(&mut headers, request)?;
        apply_headers(&mut headers, call)?;
        Ok(Cow::Owned(headers))
    }
}

/// Sets each of `extra` on `headers` (see [`Client::headers`]).
fn apply_headers(headers: &mut HeaderMap, extra: &[(String, String)]) -> Result<(), ClientError> {
    {
        let mut replaced: Vec<HeaderName> = Vec::new();
        for (name, value) in extra {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                ClientError::invalid_request(format!("invalid header name: {name:?}"))
            })?;
            if name == USER_AGENT || is_transport_header(&name) {
                continue;
            }
            let value = header_value(value)?;
            if replaced.contains(&name) {
                let joined = match headers.get(&name) {
                    Some(prev) => [prev.as_bytes(), b", ", value.as_bytes()].concat(),
                    None => value.as_bytes().to_vec(),
                };
                let joined = HeaderValue::from_bytes(&joined)
                    .map_err(|_| ClientError::invalid_request("invalid header value"))?;
                headers.insert(name, joined);
            } else {
                headers.insert(name.clone(), value);
                replaced.push(name);
            }
        }
        Ok(())
    }
}

/// Headers that describe the message framing or the connection. The
/// transport sets them; a caller's value would at best be ignored and at
/// worst (`content-length: 20` on an empty body) desynchronise a keep-alive
/// connection, so a call's headers never carry them.
pub fn is_transport_header(name: &HeaderName) -> bool {
    [
        CONTENT_LENGTH,
        TRANSFER_ENCODING,
        HOST,
        CONNECTION,
        UPGRADE,
        TE,
        TRAILER,
        EXPECT,
    ]
    .contains(name)
        || name.as_str() == "keep-alive"
}

/// A header value from a JS string: surrounding HTTP white space trimmed,
/// characters above U+00FF and control characters refused (as `Headers` does
/// for CR, LF and NUL).
fn header_value(value: &str) -> Result<HeaderValue, ClientError> {
    let trimmed = value.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
    let mut bytes = Vec::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        let b = u8::try_from(u32::from(c)).map_err(|_| {
            ClientError::invalid_request(format!("invalid header value: {value:?}"))
        })?;
        bytes.push(b);
    }
    HeaderValue::from_bytes(&bytes)
        .map_err(|_| ClientError::invalid_request(format!("invalid header value: {value:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    fn client() -> Client {
        Client::new(ClientConfig {
            server_url: "http://localhost:8088".into(),
            user_agent: "ua/1".into(),
            retry: None,
            timeout_ms: None,
            debug: false,
            limits: Limits::default(),
            network: Default::default(),
            shard: 0,
            external: None,
        })
        .unwrap()
    }

    fn headers_of(client: &Client, extra: &[(String, String)]) -> Result<HeaderMap, ClientError> {
        let index = crate::generated::OPERATIONS
            .iter()
            .position(|op| op.id == "refreshOAuthTokens")
            .unwrap();
        client
            .headers(index, &crate::generated::OPERATIONS[index], &[], extra)
            .map(Cow::into_owned)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).into(), (*b).into()))
            .collect()
    }

    #[test]
    fn call_headers_replace_defaults_but_not_the_user_agent() {
        let client = client();
        let h = headers_of(
            &client,
            &pairs(&[
                ("Accept", "text/plain"),
                ("User-Agent", "x"),
                ("X-A", " 1 "),
            ]),
        )
        .unwrap();
        assert_eq!(h["accept"], "text/plain");
        assert_eq!(h["user-agent"], "ua/1");
        assert_eq!(h["x-a"], "1");
    }

    #[test]
    fn repeated_names_are_joined_like_headers_does() {
        let client = client();
        let h = headers_of(&client, &pairs(&[("x-a", "1"), ("X-A", "2")])).unwrap();
        assert_eq!(h["x-a"], "1, 2");
    }

    #[test]
    fn values_with_line_breaks_or_wide_characters_are_invalid_requests() {
        for bad in ["a\r\nb", "a\nb", "\u{0}", "snow☃"] {
            let e = headers_of(&client(), &pairs(&[("x-a", bad)])).unwrap_err();
            assert_eq!(e.kind, ClientErrorKind::InvalidRequest, "{bad:?}");
        }
        let e = headers_of(&client(), &pairs(&[("bad name", "1")])).unwrap_err();
        assert_eq!(e.kind, ClientErrorKind::InvalidRequest);
    }

    #[test]
    fn framing_and_connection_headers_never_come_from_a_call() {
        let client = client();
        let names = [
            "Content-Length",
            "transfer-encoding",
            "Host",
            "connection",
            "Keep-Alive",
            "upgrade",
            "te",
            "trailer",
            "expect",
        ];
        let extra: Vec<(String, String)> =
            names.iter().map(|n| ((*n).into(), "1".into())).collect();
        let h = headers_of(&client, &extra).unwrap();
        for name in names {
            assert!(h.get(name).is_none(), "{name} was kept");
        }
        assert_eq!(h.len(), 3);
    }

    #[test]
    fn latin1_values_are_sent_as_single_bytes() {
        let client = client();
        let h = headers_of(&client, &pairs(&[("x-a", "é")])).unwrap();
        assert_eq!(h["x-a"].as_bytes(), &[0xE9]);
    }
}
