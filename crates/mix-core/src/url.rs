//! Joining a base URL and an operation path the way the original SDK does:
//! the base's path prefix is kept, the operation path is appended after
//! exactly one `/`, and the base's query string stays on the request.
//! A base URL with user-info (`http://user:pass@host`) is refused, as
//! `fetch` refuses it: credentials in a URL end up in logs and proxies.

use reqwest::Url;

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

#[cfg(test)]
mod tests {
    use super::*;

    const OP: &str = "/internal/auth/refresh-tokens";

    fn joined(base: &str) -> String {
        join(&client_base(base).unwrap(), OP).to_string()
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
