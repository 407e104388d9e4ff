//! Client and per-call options, already normalised by the JS layer, and the
//! rules that turn them into one effective policy for a call.
//!
//! Defaults: no time limit; the retry policy and codes of the operation
//! (from `openapi.yaml`'s `x-speakeasy-retries`, in the generated table);
//! response bodies capped at 16 MiB.

use std::sync::Arc;
use std::time::Duration;

use crate::pool::NetworkConfig;
use crate::transport::ExternalTransport;

/// Backoff parameters, all in milliseconds except `exponent`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackoffConfig {
    pub initial_interval_ms: f64,
    pub max_interval_ms: f64,
    pub exponent: f64,
    pub max_elapsed_time_ms: f64,
}

impl BackoffConfig {
    /// What `{ strategy: "backoff" }` without a `backoff` object means, as in
    /// the original SDK's retry library.
    pub const LIBRARY_DEFAULT: BackoffConfig = BackoffConfig {
        initial_interval_ms: 500.0,
        max_interval_ms: 60_000.0,
        exponent: 1.5,
        max_elapsed_time_ms: 3_600_000.0,
    };
}

/// A retry policy: `{ strategy: "none" }` or backoff.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RetryConfig {
    None,
    Backoff {
        backoff: BackoffConfig,
        retry_connection_errors: bool,
    },
}

/// Bounds on what the client accepts from a server.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Largest response body read, after decompression.
    pub max_body_bytes: usize,
}

impl Limits {
    pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// Options fixed when a client is constructed.
pub struct ClientConfig {
    /// Base URL as the JS layer resolved it (`serverURL` or `ServerList[serverIdx]`).
    pub server_url: String,
    pub user_agent: String,
    /// The client's `retryConfig`, when one was given.
    pub retry: Option<RetryConfig>,
    /// The client's `timeoutMs`, as given (may be 0, negative or absent).
    pub timeout_ms: Option<f64>,
    /// Record every attempt for the debug logger.
    pub debug: bool,
    pub limits: Limits,
    /// Trust stores and proxies; clients with equal settings share pools.
    pub network: NetworkConfig,
    /// The I/O thread this client runs its calls on: each thread has its
    /// own pools.
    pub shard: usize,
    /// Send attempts through the caller's HTTP client instead of reqwest.
    pub external: Option<Arc<dyn ExternalTransport>>,
}

/// Options of one call, as the JS layer normalised them.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Per-call `serverURL`; `Some("")` is an error, as in the original.
    pub server_url: Option<String>,
    pub timeout_ms: Option<f64>,
    pub retry: Option<RetryConfig>,
    /// Per-call `retryCodes`; `None` means the default list.
    pub retry_codes: Option<Vec<String>>,
    /// Extra request headers in order; later values of one name are appended.
    pub headers: Vec<(String, String)>,
    /// Hand back the response (status, headers, body) and URL with a value
    /// too, for the standalone function's `$inspect()`.
    pub keep_response: bool,
    /// The caller's number for the call, passed with each attempt to an
    /// external transport, which can so tie what it sees to the call.
    pub tag: u32,
}

/// The retry codes used when a call names none.
pub const DEFAULT_RETRY_CODES: [&str; 3] = ["5XX", "408", "429"];

/// The effective time limit: the per-call value when it is truthy (non-zero,
/// not NaN), else the client's; only a positive finite number is a limit.
/// This mirrors the original's `options.timeoutMs || client.timeoutMs`.
pub fn effective_timeout(call: Option<f64>, client: Option<f64>) -> Option<Duration> {
    let truthy = |v: &f64| *v != 0.0 && !v.is_nan();
    let ms = call.filter(truthy).or(client.filter(truthy))?;
    if ms > 0.0 {
        // Past what a timer can represent the limit is as good as none.
        Duration::try_from_secs_f64(ms / 1000.0).ok()
    } else {
        None
    }
}

/// The effective retry policy: per call, else the client's, else the
/// operation's default.
pub fn effective_retry(
    call: Option<RetryConfig>,
    client: Option<RetryConfig>,
    operation: RetryConfig,
) -> RetryConfig {
    call.or(client).unwrap_or(operation)
}

/// Milliseconds as a `Duration`, treating NaN and negatives as zero and
/// saturating values too large to represent.
pub fn millis(ms: f64) -> Duration {
    if ms.is_nan() || ms <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_call_zero_falls_back_to_the_client_time_limit() {
        assert_eq!(
            effective_timeout(Some(0.0), Some(250.0)),
            Some(Duration::from_millis(250))
        );
    }

    #[test]
    fn a_negative_per_call_time_limit_means_none_even_with_a_client_limit() {
        assert_eq!(effective_timeout(Some(-1.0), Some(250.0)), None);
    }

    #[test]
    fn absent_zero_nan_and_infinite_time_limits_mean_none() {
        assert_eq!(effective_timeout(None, None), None);
        assert_eq!(effective_timeout(Some(0.0), Some(0.0)), None);
        assert_eq!(effective_timeout(Some(f64::NAN), None), None);
        assert_eq!(effective_timeout(Some(f64::INFINITY), None), None);
    }

    #[test]
    fn per_call_retry_policy_wins_over_the_client_policy() {
        let backoff = RetryConfig::Backoff {
            backoff: BackoffConfig::LIBRARY_DEFAULT,
            retry_connection_errors: true,
        };
        let client = Some(RetryConfig::None);
        assert_eq!(
            effective_retry(Some(backoff), client, RetryConfig::None),
            backoff
        );
        assert_eq!(effective_retry(None, client, backoff), RetryConfig::None);
        assert_eq!(effective_retry(None, None, backoff), backoff);
    }

    #[test]
    fn millis_never_panics_on_odd_numbers() {
        assert_eq!(millis(f64::NAN), Duration::ZERO);
        assert_eq!(millis(-5.0), Duration::ZERO);
        assert_eq!(millis(f64::INFINITY), Duration::MAX);
        assert_eq!(millis(1e300), Duration::MAX);
        assert_eq!(millis(1500.0), Duration::from_millis(1500));
    }
}
