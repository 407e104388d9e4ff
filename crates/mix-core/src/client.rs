//! A configured client: its base URL, default request headers and policies,
//! and the shared transport. Building the request of a call happens here;
//! running it is the engine's job.

use std::borrow::Cow;
use std::sync::OnceLock;

use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, CONNECTION, CONTENT_LENGTH, EXPECT, HOST, TE,
    TRAILER, TRANSFER_ENCODING, UPGRADE, USER_AGENT,
};
use reqwest::Url;

use crate::config::{CallOptions, ClientConfig, RetryConfig};
use crate::error::{ClientError, ClientErrorKind};
use crate::pool;
use crate::transport::Transport;
use crate::url::{client_base, join, parse_base};

pub struct Client {
    pub(crate) transport: Transport,
    base: Url,
    /// The URL of the first operation path joined to `base`: joining parses
    /// the URL again, and the result never changes.
    joined: OnceLock<(String, Url)>,
    /// `Accept` and `user-agent`, sent unless a call's headers replace them.
    default_headers: HeaderMap,
    pub(crate) retry: Option<RetryConfig>,
    pub(crate) timeout_ms: Option<f64>,
    pub(crate) debug: bool,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, ClientError> {
        let base = client_base(&config.server_url).map_err(|e| {
            ClientError::new(
                ClientErrorKind::InvalidRequest,
                e.to_string(),
                Some("ERR_INVALID_URL"),
            )
        })?;
        let mut default_headers = HeaderMap::with_capacity(2);
        default_headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let user_agent = header_value(&config.user_agent).map_err(|e| {
            ClientError::invalid_request(format!("Invalid option \"userAgent\": {}", e.detail))
        })?;
        default_headers.insert(USER_AGENT, user_agent);
        let transport = match config.external {
            Some(external) => Transport::external(config.limits, external),
            None => Transport::pooled(config.limits, pool::shared(&config.network, config.shard)?),
        };
        Ok(Client {
            transport,
            base,
            joined: OnceLock::new(),
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

    /// The URL of an operation for this call: the per-call base when given.
    pub(crate) fn url(
        &self,
        call: &CallOptions,
        operation_path: &str,
    ) -> Result<Cow<'_, Url>, ClientError> {
        match &call.server_url {
            None => {
                if let Some((path, url)) = self.joined.get() {
                    if path == operation_path {
                        return Ok(Cow::Borrowed(url));
                    }
                }
                let url = join(&self.base, operation_path);
                let _ = self.joined.set((operation_path.to_owned(), url.clone()));
                Ok(Cow::Owned(url))
            }
            Some(raw) => parse_base(raw)
                .map(|base| Cow::Owned(join(&base, operation_path)))
                .map_err(|e| ClientError::invalid_request(e.to_string())),
        }
    }

    /// The request headers: the defaults, then the call's, which replace a
    /// default of the same name, except `user-agent` (only the client's
    /// `userAgent` option sets it, as in the original) and the framing and
    /// connection headers of [`is_transport_header`], which are dropped.
    /// Several values for one name are joined with `, `, as `Headers` does.
    pub(crate) fn headers(
        &self,
        extra: &[(String, String)],
    ) -> Result<Cow<'_, HeaderMap>, ClientError> {
        if extra.is_empty() {
            return Ok(Cow::Borrowed(&self.default_headers));
        }
        let mut headers = self.default_headers.clone();
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
        Ok(Cow::Owned(headers))
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

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).into(), (*b).into()))
            .collect()
    }

    #[test]
    fn call_headers_replace_defaults_but_not_the_user_agent() {
        let client = client();
        let h = client
            .headers(&pairs(&[
                ("Accept", "text/plain"),
                ("User-Agent", "x"),
                ("X-A", " 1 "),
            ]))
            .unwrap();
        assert_eq!(h["accept"], "text/plain");
        assert_eq!(h["user-agent"], "ua/1");
        assert_eq!(h["x-a"], "1");
    }

    #[test]
    fn repeated_names_are_joined_like_headers_does() {
        let client = client();
        let h = client
            .headers(&pairs(&[("x-a", "1"), ("X-A", "2")]))
            .unwrap();
        assert_eq!(h["x-a"], "1, 2");
    }

    #[test]
    fn values_with_line_breaks_or_wide_characters_are_invalid_requests() {
        for bad in ["a\r\nb", "a\nb", "\u{0}", "snow☃"] {
            let e = client().headers(&pairs(&[("x-a", bad)])).unwrap_err();
            assert_eq!(e.kind, ClientErrorKind::InvalidRequest, "{bad:?}");
        }
        let e = client().headers(&pairs(&[("bad name", "1")])).unwrap_err();
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
        let h = client.headers(&extra).unwrap();
        for name in names {
            assert!(h.get(name).is_none(), "{name} was kept");
        }
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn latin1_values_are_sent_as_single_bytes() {
        let client = client();
        let h = client.headers(&pairs(&[("x-a", "é")])).unwrap();
        assert_eq!(h["x-a"].as_bytes(), &[0xE9]);
    }
}
