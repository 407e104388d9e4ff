//! Connection pools: one reqwest client per network setting and I/O thread,
//! shared by every `Mix` in the process, as `fetch`'s global dispatcher is.
//! A program that makes a client per request therefore reuses the same
//! keep-alive connections, and how many sockets it holds never depends on
//! when the garbage collector frees its clients. A pool lives while a
//! client uses it, and the last few pools used stay after that (so clients
//! made one after another keep their connections between them); a program
//! that makes clients with ever new settings does not pile pools up.
//!
//! Every pool:
//! - trusts the Mozilla roots bundled with the package, plus the
//!   certificates of `NODE_EXTRA_CA_CERTS`, plus (with `NODE_USE_SYSTEM_CA`)
//!   the operating system's store, as Node does; verification is never off;
//! - goes through the proxies of [`crate::proxy`] when the client was given
//!   any, else connects directly (environment variables are the JS layer's
//!   to read);
//! - closes a connection left idle for [`IDLE_TIMEOUT`], as Node's `fetch`
//!   does after 4 s;
//! - follows up to 10 redirects (as `fetch` does), dropping `authorization`,
//!   `cookie` and `proxy-authorization` when one leaves the origin, and
//!   refuses (as `fetch` does) one to a scheme other than `http:`/`https:`
//!   or to a URL with credentials;
//! - asks for gzip and deflate bodies (the transport decodes them).
//!
//! A trust store that cannot be read is a warning (the client logs it), and
//! the other roots still apply.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex, Weak};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use crate::error::{ClientError, ClientErrorKind};
use crate::proxy::{ProxyConfig, ProxyRoutes};

/// How long an idle keep-alive connection stays open.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(4);

/// Where a client's connections go and whom they trust. Clients with equal
/// settings share their pools.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NetworkConfig {
    /// `NODE_EXTRA_CA_CERTS`: a PEM file of certificates trusted as roots.
    pub extra_ca_certs: Option<String>,
    /// `NODE_USE_SYSTEM_CA=1` or `--use-system-ca`: trust the system store too.
    pub use_system_ca: bool,
    /// The proxy variables, when `NODE_USE_ENV_PROXY` turned them on.
    pub proxy: ProxyConfig,
}

/// A pool, its proxies, and what went wrong setting up its trust store.
pub struct Pool {
    pub client: reqwest::Client,
    /// `None` when every request connects directly.
    pub proxies: Option<Arc<ProxyRoutes>>,
    pub warnings: Arc<[String]>,
}

/// How many pools stay alive once no client uses them (one per network
/// setting and I/O thread).
const KEPT_UNUSED: usize = 8;

#[derive(Default)]
struct Registry {
    /// Every pool some client may still use.
    pools: HashMap<(NetworkConfig, usize), Weak<Pool>>,
    /// The pools handed out last, kept alive.
    recent: VecDeque<Arc<Pool>>,
}

static POOLS: LazyLock<Mutex<Registry>> = LazyLock::new(|| Mutex::new(Registry::default()));

/// The process-wide pool for these settings on I/O thread `shard`, built
/// when no live one exists.
pub fn shared(network: &NetworkConfig, shard: usize) -> Result<Arc<Pool>, ClientError> {
    // Nothing panics while the lock is held but `build`, which would leave
    // the registry as it was.
    let mut registry = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    let key = (network.clone(), shard);
    let pool = match registry.pools.get(&key).and_then(Weak::upgrade) {
        Some(pool) => pool,
        None => {
            let pool = Arc::new(build(network)?);
            registry.pools.retain(|_, weak| weak.strong_count() > 0);
            registry.pools.insert(key, Arc::downgrade(&pool));
            pool
        }
    };
    if !registry.recent.iter().any(|kept| Arc::ptr_eq(kept, &pool)) {
        if registry.recent.len() == KEPT_UNUSED {
            registry.recent.pop_front();
        }
        registry.recent.push_back(Arc::clone(&pool));
    }
    Ok(pool)
}

/// A new pool of its own (for tests that run each on their own runtime).
pub fn build(network: &NetworkConfig) -> Result<Pool, ClientError> {
    let mut warnings = Vec::new();
    let routes = ProxyRoutes::new(&network.proxy)
        .map_err(|e| ClientError::new(ClientErrorKind::InvalidRequest, e.0, None))?;
    let extra = match &network.extra_ca_certs {
        Some(path) if !path.is_empty() => extra_roots(path, &mut warnings),
        _ => Vec::new(),
    };
    let client = match builder(&routes, &extra, network.use_system_ca).build() {
        Ok(client) => client,
        // Only the system store can fail here (e.g. no readable
        // certificate in it): go on without it, as Node does.
        Err(e) if network.use_system_ca => {
            warnings.push(format!(
                "could not use the system certificate store (NODE_USE_SYSTEM_CA): {e}"
            ));
            builder(&routes, &extra, false)
                .build()
                .map_err(start_failure)?
        }
        Err(e) => return Err(start_failure(e)),
    };
    Ok(Pool {
        client,
        proxies: (!routes.is_empty()).then(|| Arc::new(routes)),
        warnings: warnings.into(),
    })
}

fn builder(
    routes: &ProxyRoutes,
    extra: &[reqwest::Certificate],
    system: bool,
) -> reqwest::ClientBuilder {
    let mut builder = reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_idle_timeout(IDLE_TIMEOUT)
        // reqwest's own retries are for HTTP/2 refusals, which an HTTP/1.1
        // client never gets; left on, they copy every request in case. Our
        // engine does the retrying.
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .redirect(reqwest::redirect::Policy::custom(redirect))
        .tls_built_in_webpki_certs(true)
        .tls_built_in_native_certs(system)
        // Bodies are decoded by the transport, which leaves the headers as
        // sent (see `transport::Coding`); the pool asks for them as `fetch`
        // does (a call's own `accept-encoding` replaces this default).
        .no_gzip()
        .no_deflate()
        .default_headers(reqwest::header::HeaderMap::from_iter([(
            reqwest::header::ACCEPT_ENCODING,
            reqwest::header::HeaderValue::from_static("gzip, deflate"),
        )]));
    for cert in extra {
        builder = builder.add_root_certificate(cert.clone());
    }
    if routes.is_empty() {
        builder.no_proxy()
    } else {
        let routes = routes.clone();
        builder.proxy(reqwest::Proxy::custom(move |url| routes.route(url)))
    }
}

/// At most this many redirects are followed for one request, as in `fetch`.
const MAX_REDIRECTS: usize = 10;

/// The redirect policy of `fetch`. (reqwest drops credential headers on a
/// cross-origin redirect by itself.)
fn redirect(attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    let url = attempt.url();
    if !matches!(url.scheme(), "http" | "https") {
        let scheme = url.scheme().to_owned();
        return attempt.error(format!("redirect to an unsupported scheme {scheme}:"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return attempt.error("redirect to a URL that includes credentials");
    }
    if attempt.previous().len() > MAX_REDIRECTS {
        return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
    }
    attempt.follow()
}

/// The certificates of a PEM file that parse as trust anchors; a warning
/// for the file or for each certificate that does not.
fn extra_roots(path: &str, warnings: &mut Vec<String>) -> Vec<reqwest::Certificate> {
    let warn = |reason: String| {
        format!("ignoring extra certificates from {path:?} (NODE_EXTRA_CA_CERTS): {reason}")
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            warnings.push(warn(e.to_string()));
            return Vec::new();
        }
    };
    let mut roots = Vec::new();
    let mut read = 0;
    for (n, der) in CertificateDer::pem_slice_iter(&bytes).enumerate() {
        read = n + 1;
        let der = match der {
            Ok(der) => der,
            Err(e) => {
                warnings.push(warn(format!("certificate {} is not valid PEM: {e}", n + 1)));
                continue;
            }
        };
        // The check the TLS stack will make, made here so that one bad
        // certificate cannot take the others (or the client) with it.
        if let Err(e) = rustls::RootCertStore::empty().add(der.clone()) {
            warnings.push(warn(format!("certificate {} is not usable: {e}", n + 1)));
            continue;
        }
        match reqwest::Certificate::from_der(&der) {
            Ok(cert) => roots.push(cert),
            Err(e) => warnings.push(warn(format!("certificate {}: {e}", n + 1))),
        }
    }
    // A block the PEM reader skipped (e.g. one that does not start on a
    // line of its own) would otherwise be left out without a word.
    let begins = bytes
        .windows(CERT_BEGIN.len())
        .filter(|w| *w == CERT_BEGIN)
        .count();
    if begins > read {
        warnings.push(warn(format!(
            "{} certificate block(s) could not be read (each must start on a line of its own)",
            begins - read
        )));
    }
    if roots.is_empty() && warnings.is_empty() {
        warnings.push(warn("no certificate found in the file".into()));
    }
    roots
}

const CERT_BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";

fn start_failure(e: reqwest::Error) -> ClientError {
    ClientError::new(
        ClientErrorKind::Unexpected,
        format!("could not start the HTTP client: {e}"),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_settings_share_one_pool_per_shard() {
        let a = shared(&NetworkConfig::default(), 0).unwrap();
        let b = shared(&NetworkConfig::default(), 0).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let c = shared(&NetworkConfig::default(), 1).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
    }

    #[test]
    fn pools_no_client_uses_are_freed_beyond_the_last_few() {
        let setting = |n: usize| NetworkConfig {
            proxy: ProxyConfig {
                no_proxy: Some(format!("host-{n}.test")),
                ..ProxyConfig::default()
            },
            ..NetworkConfig::default()
        };
        let first = Arc::downgrade(&shared(&setting(0), 0).unwrap());
        let in_use = shared(&setting(1), 0).unwrap();
        for n in 2..2 + KEPT_UNUSED {
            drop(shared(&setting(n), 0).unwrap());
        }
        assert!(
            first.upgrade().is_none(),
            "an unused pool outlived the kept ones"
        );
        assert!(Arc::ptr_eq(&in_use, &shared(&setting(1), 0).unwrap()));
        let registry = POOLS.lock().unwrap();
        assert!(
            registry.pools.len() <= KEPT_UNUSED + 4,
            "{}",
            registry.pools.len()
        );
    }

    #[test]
    fn an_unreadable_or_empty_trust_file_is_a_warning_not_an_error() {
        let missing = NetworkConfig {
            extra_ca_certs: Some("/nonexistent/ca.pem".into()),
            ..NetworkConfig::default()
        };
        let pool = build(&missing).unwrap();
        assert_eq!(pool.warnings.len(), 1);
        assert!(
            pool.warnings[0].contains("/nonexistent/ca.pem"),
            "{:?}",
            pool.warnings
        );

        let dir = std::env::temp_dir().join(format!("mix-pool-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("junk.pem");
        std::fs::write(
            &file,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let junk = NetworkConfig {
            extra_ca_certs: Some(file.to_string_lossy().into_owned()),
            ..NetworkConfig::default()
        };
        let pool = build(&junk).unwrap();
        assert_eq!(pool.warnings.len(), 1, "{:?}", pool.warnings);

        // A second block on the first block's END line is not read: say so.
        let joined = dir.join("joined.pem");
        let block = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----";
        std::fs::write(&joined, format!("{block}{block}\n")).unwrap();
        let pool = build(&NetworkConfig {
            extra_ca_certs: Some(joined.to_string_lossy().into_owned()),
            ..NetworkConfig::default()
        })
        .unwrap();
        assert!(
            pool.warnings
                .iter()
                .any(|w| w.contains("could not be read")),
            "{:?}",
            pool.warnings
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_proxy_url_is_refused() {
        let bad = NetworkConfig {
            proxy: ProxyConfig {
                http: Some("ftp://proxy:21".into()),
                ..ProxyConfig::default()
            },
            ..NetworkConfig::default()
        };
        assert!(build(&bad).is_err());
    }
}
