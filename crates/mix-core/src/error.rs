//! The crate's error type for failures that happen before or instead of an
//! HTTP response: one enum of kinds, each mapped by the binding to one of the
//! documented error classes. `detail` is the message of the underlying cause
//! (e.g. `connect ECONNREFUSED 127.0.0.1:8088`) and `code` a Node-style code.

use std::error::Error as StdError;
use std::io;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientErrorKind {
    /// Refused, reset, DNS, TLS, malformed HTTP or a body cut off: `ConnectionError`.
    Connection,
    /// The call's time limit ran out: `RequestTimeoutError`.
    Timeout,
    /// The caller's signal fired: `RequestAbortedError`.
    Aborted,
    /// The request could not be built; nothing was sent: `InvalidRequestError`.
    InvalidRequest,
    /// The response body is larger than the client reads: `UnexpectedClientError`.
    ResponseTooLarge,
    /// Anything else: `UnexpectedClientError`.
    Unexpected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientError {
    pub kind: ClientErrorKind,
    pub detail: String,
    pub code: Option<String>,
}

impl ClientError {
    pub fn new(kind: ClientErrorKind, detail: impl Into<String>, code: Option<&str>) -> Self {
        ClientError {
            kind,
            detail: detail.into(),
            code: code.map(str::to_owned),
        }
    }

    pub fn timeout() -> Self {
        Self::new(
            ClientErrorKind::Timeout,
            "The operation was aborted due to timeout",
            Some("ETIMEDOUT"),
        )
    }

    pub fn aborted() -> Self {
        Self::new(
            ClientErrorKind::Aborted,
            "This operation was aborted",
            Some("ABORT_ERR"),
        )
    }

    pub fn invalid_request(detail: impl Into<String>) -> Self {
        Self::new(
            ClientErrorKind::InvalidRequest,
            detail,
            Some("ERR_INVALID_ARG_VALUE"),
        )
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(
            ClientErrorKind::ResponseTooLarge,
            format!(
                "response body exceeds the client's limit of {limit} bytes ({} MiB)",
                limit / (1024 * 1024)
            ),
            Some("ERR_MIX_RESPONSE_TOO_LARGE"),
        )
    }

    /// Whether a retry policy with `retryConnectionErrors` may retry this:
    /// a connection failure, or an attempt that a caller's HTTP client timed
    /// out (the call's own time limit ends the call before this is asked).
    pub fn is_connection(&self) -> bool {
        matches!(
            self.kind,
            ClientErrorKind::Connection | ClientErrorKind::Timeout
        )
    }

    /// Classifies a transport failure of a request to `url`, naming its
    /// cause the way Node does; a connection failure names `proxy` when the
    /// request went through one. URLs in the text have their secrets masked
    /// (see [`crate::redact`]), and the text is cut to a readable length.
    pub fn from_reqwest(
        err: &reqwest::Error,
        url: &reqwest::Url,
        proxy: Option<&reqwest::Url>,
    ) -> Self {
        let mut error = Self::classify(err, url, proxy.unwrap_or(url));
        if let Some(failed) = err.url() {
            let shown = failed.as_str();
            if error.detail.contains(shown) {
                error.detail = error.detail.replace(shown, &crate::redact::url(shown));
            }
        }
        if error.detail.len() > MAX_DETAIL {
            let mut end = MAX_DETAIL;
            while !error.detail.is_char_boundary(end) {
                end -= 1;
            }
            let more = error.detail.len() - end;
            error.detail.truncate(end);
            error.detail.push_str(&format!("... ({more} more bytes)"));
        }
        error
    }

    fn classify(err: &reqwest::Error, url: &reqwest::Url, peer: &reqwest::Url) -> Self {
        if err.is_builder() {
            // A redirect to a URL reqwest cannot send (e.g. `ftp:`) fails as
            // a "builder" error too, but the first request went out.
            if err.url().is_some_and(|failed| failed != url) {
                return Self::new(
                    ClientErrorKind::Connection,
                    format!("redirect to an unsupported URL: {}", chain(err)),
                    Some("ERR_INVALID_REDIRECT"),
                );
            }
            // As `fetch`: a URL it cannot fetch is a network error.
            if !matches!(url.scheme(), "http" | "https") {
                return Self::new(
                    ClientErrorKind::Connection,
                    format!("unknown scheme {}:", url.scheme()),
                    Some("ERR_INVALID_URL_SCHEME"),
                );
            }
            return Self::invalid_request(chain(err));
        }
        let host = peer.host_str().unwrap_or("");
        let port = peer.port_or_known_default().unwrap_or(0);
        if let Some(tls) = find_tls_error(err) {
            let (code, text) = tls_failure(tls);
            return Self::new(
                ClientErrorKind::Connection,
                format!("{text} ({tls})"),
                Some(code),
            );
        }
        let text = chain(err);
        if text.contains("tunnel error") {
            let code = if text.contains("proxy authorization required") {
                "ERR_PROXY_AUTH_REQUIRED"
            } else {
                "ERR_PROXY_TUNNEL"
            };
            return Self::new(ClientErrorKind::Connection, text, Some(code));
        }
        if err.is_redirect() {
            return Self::new(
                ClientErrorKind::Connection,
                text,
                Some("ERR_INVALID_REDIRECT"),
            );
        }
        if let Some(io) = find_source::<io::Error>(err) {
            if io.raw_os_error() == Some(EMFILE) {
                return Self::new(
                    ClientErrorKind::Connection,
                    format!("connect EMFILE {host}:{port} - too many open files"),
                    Some("EMFILE"),
                );
            }
            let (code, verb) = match io.kind() {
                io::ErrorKind::ConnectionRefused => (Some("ECONNREFUSED"), "connect"),
                io::ErrorKind::ConnectionReset => (Some("ECONNRESET"), "read"),
                io::ErrorKind::ConnectionAborted => (Some("ECONNABORTED"), "read"),
                io::ErrorKind::BrokenPipe => (Some("EPIPE"), "write"),
                io::ErrorKind::TimedOut => (Some("ETIMEDOUT"), "connect"),
                io::ErrorKind::AddrNotAvailable => (Some("EADDRNOTAVAIL"), "connect"),
                _ => (None, ""),
            };
            if let Some(code) = code {
                let detail = if verb == "connect" {
                    format!("connect {code} {host}:{port}")
                } else {
                    format!("{verb} {code}")
                };
                return Self::new(ClientErrorKind::Connection, detail, Some(code));
            }
        }
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return Self::new(
                ClientErrorKind::Connection,
                format!("getaddrinfo ENOTFOUND {host}"),
                Some("ENOTFOUND"),
            );
        }
        if let Some(h) = find_source::<hyper::Error>(err) {
            if h.is_parse() || h.is_parse_status() {
                return Self::new(
                    ClientErrorKind::Connection,
                    format!("invalid HTTP response: {h}"),
                    Some("HPE_INVALID_RESPONSE"),
                );
            }
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                return Self::new(
                    ClientErrorKind::Connection,
                    format!("socket hang up: {h}"),
                    Some("ECONNRESET"),
                );
            }
        }
        if text.contains("certificate") || text.contains("tls") || text.contains("TLS") {
            return Self::new(ClientErrorKind::Connection, text, Some("ERR_TLS_HANDSHAKE"));
        }
        if err.is_body() || err.is_decode() {
            return Self::new(
                ClientErrorKind::Connection,
                format!("response body ended early: {text}"),
                Some("ECONNRESET"),
            );
        }
        if err.is_connect() || err.is_request() || err.is_redirect() {
            return Self::new(ClientErrorKind::Connection, text, Some("ECONNRESET"));
        }
        Self::new(ClientErrorKind::Unexpected, text, None)
    }
}

/// The longest `detail` kept: a URL in a message (e.g. one too long to
/// send) would otherwise make a message of megabytes.
const MAX_DETAIL: usize = 2048;

/// `EMFILE` on Linux and macOS: the process has no file descriptor left.
const EMFILE: i32 = 24;

/// Node's code and message for a certificate the TLS stack refused.
fn tls_failure(error: &rustls::Error) -> (&'static str, &'static str) {
    use rustls::CertificateError as C;
    match error {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::NotValidForName | C::NotValidForNameContext { .. } => (
                "ERR_TLS_CERT_ALTNAME_INVALID",
                "Hostname/IP does not match certificate's altnames",
            ),
            C::Expired | C::ExpiredContext { .. } => {
                ("CERT_HAS_EXPIRED", "certificate has expired")
            }
            C::NotValidYet | C::NotValidYetContext { .. } => {
                ("CERT_NOT_YET_VALID", "certificate is not yet valid")
            }
            C::UnknownIssuer => (
                "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                "unable to verify the first certificate",
            ),
            C::Revoked => ("CERT_REVOKED", "certificate revoked"),
            C::BadSignature => ("CERT_SIGNATURE_FAILURE", "certificate signature failure"),
            _ => (
                "ERR_TLS_CERT_INVALID",
                "the server's certificate was refused",
            ),
        },
        _ => ("ERR_TLS_HANDSHAKE", "TLS handshake failed"),
    }
}

/// A TLS failure anywhere in the chain. rustls's errors reach us inside an
/// `io::Error`, whose `source()` skips the error it wraps, so each
/// `io::Error` is opened by hand.
fn find_tls_error<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<rustls::Error>() {
            return Some(found);
        }
        if let Some(inner) = e.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            if let Some(found) = inner.downcast_ref::<rustls::Error>() {
                return Some(found);
            }
            if let Some(found) = find_tls_error(inner) {
                return Some(found);
            }
        }
        current = e.source();
    }
    None
}

/// The error and its sources, joined with `: ` (reqwest's own `Display`
/// shows only the outermost layer).
fn chain(err: &dyn StdError) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

fn find_source<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}
