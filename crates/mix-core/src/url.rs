//! Joining a base URL and an operation path the way the original SDK does:
//! the base's path prefix is kept, the operation path is appended after
//! exactly one `/`, and the base's query string stays on the request.
//! A base URL with user-info (`http://user:pass@host`) is refused, as
//! `fetch` refuses it: credentials in a URL end up in logs and proxies.

use reqwest::Url;

use crate::error::{ClientError, ClientErrorKind};
use crate::operation::PathPart;

/// Why a URL could not be built; nothing is sent when this happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// The base URL was the empty string.
    Empty,
    /// The base URL did not parse as an absolute URL.
    Invalid(String),
    /// The base URL has a user name or password.
    Credentials,
}

impl std::fmt::Display for UrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlError::Empty => f.write_str("No base URL provided for operation"),
            UrlError::Invalid(input) => write!(f, "Invalid URL: {}", crate::redact::url(input)),
            UrlError::Credentials => {
                f.write_str("Request cannot be constructed from a URL that includes credentials")
            }
        }
    }
}

/// Normalises a client's base URL: trailing slashes of its path collapse
/// into one, so `http://h/api//` and `http://h/api` give the same requests.
pub fn client_base(input: &str) -> Result<Url, UrlError> {
    let mut url = parse_base(input)?;
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&format!("{trimmed}/"));
    Ok(url)
}

/// Parses a per-call base URL; its path is kept as given.
pub fn parse_base(input: &str) -> Result<Url, UrlError> {
    if input.is_empty() {
        return Err(UrlError::Empty);
    }
    let url = Url::parse(input).map_err(|_| UrlError::Invalid(input.to_owned()))?;
    if url.cannot_be_a_base() {
        return Err(UrlError::Invalid(input.to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlError::Credentials);
    }
    Ok(url)
}

/// Appends an operation path (e.g. `/internal/auth/refresh-tokens`) to a
/// base: one `/` between them, the base's query kept, any fragment dropped.
pub fn join(base: &Url, operation_path: &str) -> Url {
    let mut url = base.clone();
    let mut path = url.path().to_owned();
    if !path.ends_with('/') {
        path.push('/');
    }
    path.push_str(operation_path.trim_start_matches('/'));
    url.set_path(&path);
    url.set_fragment(None);
    url
}

/// The path of an operation call: each parameter value percent-encoded as
/// `encodeURIComponent` does, as exactly one segment. A value that would
/// still be read as another route (empty, `.` or `..`; URL parsers collapse
/// dot segments even when percent-encoded) is refused, naming the
/// parameter: nothing is sent.
pub fn operation_path(parts: &[PathPart], values: &[String]) -> Result<String, ClientError> {
    let mut path = String::new();
    let mut values = values.iter();
    for part in parts {
        match part {
            PathPart::Literal(text) => path.push_str(text),
            PathPart::Param(name) => {
                let value = values.next().ok_or_else(|| {
                    ClientError::invalid_request(format!("missing path parameter \"{name}\""))
                })?;
                if matches!(value.as_str(), "" | "." | "..") {
                    let shown = if value.is_empty() {
                        "empty"
                    } else {
                        value.as_str()
                    };
                    return Err(ClientError::new(
                        ClientErrorKind::InvalidRequest,
                        format!(
                            "Path parameter \"{name}\" cannot be {}: it would change the request's route",
                            if value.is_empty() { shown.to_owned() } else { format!("\"{shown}\"") }
                        ),
                        Some(PATH_PARAMETER_CODE),
                    ));
                }
                encode_component(&mut path, value);
            }
        }
    }
    Ok(path)
}

/// The code of a refused path parameter; its message is the error's own.
pub const PATH_PARAMETER_CODE: &str = "ERR_INVALID_PATH_PARAMETER";

/// Form-style query (`name=value&…`), each side as `encodeURIComponent`
/// encodes it and `'` as `%27` (as the URL serialiser then does).
pub fn form_query(pairs: &[(String, String)]) -> String {
    let mut query = String::new();
    for (name, value) in pairs {
        if !query.is_empty() {
            query.push('&');
        }
        encode_component(&mut query, name);
        query.push('=');
        encode_component(&mut query, value);
    }
    query.replace('\'', "%27")
}

/// Appends `encodeURIComponent(value)`: `A–Z a–z 0–9 - _ . ! ~ * ' ( )`
/// kept, every other byte of the UTF-8 text as `%XX` (upper-case hex).
pub fn encode_component(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: &str = "/internal/auth/refresh-tokens";

    fn joined(base: &str) -> String {
        join(&client_base(base).unwrap(), OP).to_string()
    }

    #[test]
    fn path_parameters_are_one_encoded_segment_and_dot_values_are_refused() {
        let parts = [
            PathPart::Literal("/a/"),
            PathPart::Param("id"),
            PathPart::Literal("/c"),
        ];
        let path = operation_path(&parts, &["r&d/1 ü".to_owned()]).unwrap();
        assert_eq!(path, "/a/r%26d%2F1%20%C3%BC/c");
        for bad in ["", ".", ".."] {
            let e = operation_path(&parts, &[bad.to_owned()]).unwrap_err();
            assert_eq!(e.kind, ClientErrorKind::InvalidRequest);
            assert!(e.detail.contains("\"id\""), "{}", e.detail);
        }
        assert_eq!(
            operation_path(&parts, &["...".to_owned()]).unwrap(),
            "/a/.../c"
        );
    }

    #[test]
    fn queries_are_form_encoded_with_quotes_escaped() {
        let q = form_query(&[
            ("limit".into(), "3e+21".into()),
            ("q".into(), "it's a&b".into()),
            ("e".into(), String::new()),
        ]);
        assert_eq!(q, "limit=3e%2B21&q=it%27s%20a%26b&e=");
    }

    #[test]
    fn a_bare_host_gets_the_operation_path() {
        assert_eq!(
            joined("http://localhost:8088"),
            "http://localhost:8088/internal/auth/refresh-tokens"
        );
    }

    #[test]
    fn a_path_prefix_is_kept_and_trailing_slashes_collapse() {
        assert_eq!(
            joined("http://h:1/api/v1"),
            "http://h:1/api/v1/internal/auth/refresh-tokens"
        );
        assert_eq!(
            joined("http://h:1/api/v1///"),
            "http://h:1/api/v1/internal/auth/refresh-tokens"
        );
    }

    #[test]
    fn a_query_on_the_base_stays_on_the_request() {
        assert_eq!(
            joined("http://h/api?tenant=abc"),
            "http://h/api/internal/auth/refresh-tokens?tenant=abc"
        );
    }

    #[test]
    fn a_per_call_base_keeps_its_path_as_given() {
        let base = parse_base("http://h/x").unwrap();
        assert_eq!(
            join(&base, OP).as_str(),
            "http://h/x/internal/auth/refresh-tokens"
        );
    }

    #[test]
    fn empty_relative_and_garbage_bases_are_errors() {
        assert_eq!(parse_base(""), Err(UrlError::Empty));
        assert!(matches!(parse_base("/api"), Err(UrlError::Invalid(_))));
        assert!(matches!(parse_base("not a url"), Err(UrlError::Invalid(_))));
        assert!(matches!(
            parse_base("mailto:a@b"),
            Err(UrlError::Invalid(_))
        ));
    }

    #[test]
    fn bases_with_credentials_are_refused_without_repeating_them() {
        for base in ["http://user:pass@h/", "http://user@h/", "http://:pass@h/"] {
            assert_eq!(parse_base(base), Err(UrlError::Credentials), "{base}");
            assert_eq!(client_base(base), Err(UrlError::Credentials), "{base}");
        }
        assert!(!UrlError::Credentials.to_string().contains("pass"));
    }
}
