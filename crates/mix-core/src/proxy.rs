//! Which proxy, if any, a request goes through, by the rules of Node's
//! `fetch` with `NODE_USE_ENV_PROXY=1` (undici's `EnvHttpProxyAgent`):
//!
//! - `http:` targets use the HTTP proxy; `https:` targets the HTTPS proxy,
//!   or the HTTP proxy when no HTTPS proxy is set (tunnelled with `CONNECT`);
//! - `NO_PROXY` is a list separated by commas or white space; the value `*`
//!   bypasses every proxy; an entry (a leading `.` or `*.` removed) matches
//!   that host and every host under it (`example.com`, `.example.com` and
//!   `*.example.com` all match `example.com` and `api.example.com`; `0.0.1`
//!   matches `127.0.0.1`, as in undici); an entry with `:port` matches that
//!   port only. Hosts compare without case.
//!
//! The JS layer reads the environment variables (so a worker's own
//! `process.env` counts) and hands the values over as they are.

use reqwest::Url;

/// The proxy settings of a client: the raw values of `HTTP_PROXY`,
/// `HTTPS_PROXY` and `NO_PROXY` (lower-case forms already preferred).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ProxyConfig {
    pub http: Option<String>,
    pub https: Option<String>,
    pub no_proxy: Option<String>,
}

/// A proxy URL that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyError(pub String);

impl std::fmt::Display for ProxyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The settings, parsed once per connection pool.
#[derive(Debug, Clone)]
pub struct ProxyRoutes {
    http: Option<Url>,
    https: Option<Url>,
    bypass: Vec<Bypass>,
    bypass_all: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Bypass {
    /// Lower-case, without a leading `.` or `*.`.
    host: String,
    port: Option<u16>,
}

impl ProxyRoutes {
    /// Parses the settings. An empty value counts as unset, as in Node.
    pub fn new(config: &ProxyConfig) -> Result<ProxyRoutes, ProxyError> {
        let http = proxy_url(config.http.as_deref())?;
        let https = proxy_url(config.https.as_deref())?.or_else(|| http.clone());
        let no_proxy = config.no_proxy.as_deref().unwrap_or("");
        let bypass = no_proxy
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .map(bypass_entry)
            .collect();
        Ok(ProxyRoutes {
            http,
            https,
            bypass,
            bypass_all: no_proxy == "*",
        })
    }

    /// Whether any request would go through a proxy.
    pub fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// The proxy for a request to `target`, or `None` to connect directly.
    pub fn route(&self, target: &Url) -> Option<Url> {
        let proxy = match target.scheme() {
            "http" => self.http.as_ref(),
            "https" => self.https.as_ref(),
            _ => None,
        }?;
        if self.bypasses(target) {
            return None;
        }
        Some(proxy.clone())
    }

    fn bypasses(&self, target: &Url) -> bool {
        if self.bypass_all {
            return true;
        }
        // `host_str` keeps the brackets of an IPv6 address, as Node's `host` does.
        let host = target.host_str().unwrap_or("").to_ascii_lowercase();
        let port = target.port_or_known_default();
        self.bypass.iter().any(|entry| {
            if entry.port.is_some() && entry.port != port {
                return false;
            }
            host == entry.host
                || host
                    .strip_suffix(entry.host.as_str())
                    .is_some_and(|head| head.ends_with('.'))
        })
    }
}

fn proxy_url(value: Option<&str>) -> Result<Option<Url>, ProxyError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let url = Url::parse(value)
        .map_err(|_| ProxyError(format!("invalid proxy URL: {}", crate::redact::url(value))))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(ProxyError(format!(
            "unsupported proxy protocol {:?} (http: and https: proxies are supported)",
            url.scheme()
        )));
    }
    Ok(Some(url))
}

fn bypass_entry(entry: &str) -> Bypass {
    // `host:port`, where the port is all digits (`[::1]:80` too).
    let (host, port) = match entry.rsplit_once(':') {
        Some((host, port))
            if !host.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (host, port.parse::<u16>().ok())
        }
        _ => (entry, None),
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix('*').unwrap_or(&host);
    Bypass {
        host: host.strip_prefix('.').unwrap_or(host).to_owned(),
        port,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(http: &str, https: &str, no_proxy: &str) -> ProxyRoutes {
        let value = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        ProxyRoutes::new(&ProxyConfig {
            http: value(http),
            https: value(https),
            no_proxy: value(no_proxy),
        })
        .unwrap()
    }

    fn via(routes: &ProxyRoutes, target: &str) -> Option<String> {
        routes
            .route(&Url::parse(target).unwrap())
            .map(|u| u.to_string())
    }

    #[test]
    fn each_scheme_uses_its_proxy_and_https_falls_back_to_the_http_proxy() {
        let both = routes("http://p1:1", "http://p2:2", "");
        assert_eq!(via(&both, "http://a/").as_deref(), Some("http://p1:1/"));
        assert_eq!(via(&both, "https://a/").as_deref(), Some("http://p2:2/"));
        let http_only = routes("http://p1:1", "", "");
        assert_eq!(
            via(&http_only, "https://a/").as_deref(),
            Some("http://p1:1/")
        );
        let https_only = routes("", "http://p2:2", "");
        assert_eq!(via(&https_only, "http://a/"), None);
        assert_eq!(
            via(&https_only, "https://a/").as_deref(),
            Some("http://p2:2/")
        );
    }

    #[test]
    fn no_proxy_matches_exact_hosts_suffixes_ports_and_star() {
        let r = routes(
            "http://p:1",
            "",
            "exact.test, .dot.test *.star.test,127.0.0.1:8080 [::1]",
        );
        assert_eq!(via(&r, "http://exact.test/"), None);
        assert_eq!(via(&r, "http://sub.exact.test/"), None);
        assert!(via(&r, "http://notexact.test/").is_some());
        assert_eq!(via(&r, "http://a.dot.test/"), None);
        assert_eq!(via(&r, "http://dot.test/"), None);
        assert_eq!(via(&r, "http://star.test/"), None);
        assert_eq!(via(&r, "http://a.star.test/"), None);
        assert_eq!(via(&r, "http://EXACT.test/"), None);
        assert_eq!(via(&r, "http://127.0.0.1:8080/"), None);
        assert!(via(&r, "http://127.0.0.1:8081/").is_some());
        assert_eq!(via(&r, "http://[::1]:5/"), None);
        assert_eq!(via(&routes("http://p:1", "", "*"), "http://any/"), None);
        assert!(via(&routes("http://p:1", "", "*,a.test"), "http://any/").is_some());
        assert_eq!(
            via(&routes("http://p:1", "", "0.0.1"), "http://127.0.0.1/"),
            None
        );
        assert_eq!(
            via(&routes("http://p:1", "", "a.test:80"), "http://a.test/"),
            None
        );
    }

    #[test]
    fn empty_values_are_unset_and_bad_proxy_urls_are_errors() {
        assert!(routes("", "", "").is_empty());
        let bad = ProxyConfig {
            http: Some("not a url".into()),
            ..ProxyConfig::default()
        };
        assert!(ProxyRoutes::new(&bad).is_err());
        let socks = ProxyConfig {
            http: Some("socks5://p:1".into()),
            ..ProxyConfig::default()
        };
        assert!(ProxyRoutes::new(&socks).is_err());
    }
}
