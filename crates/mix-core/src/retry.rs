//! The retry policy as pure functions: which statuses are retried, how long
//! to wait before each retry, what a `Retry-After` header asks for, and when
//! a wait would overrun the policy's budget or the call's deadline.
//!
//! Wait before retry `n` (n = 0, 1, …):
//! `min(maxInterval, initialInterval × exponent^n × (1 + 0.1 × r))`, r uniform
//! in [0, 1). The jitter only lengthens a wait, by at most 10 %, so the first
//! retry never comes sooner than `initialInterval` (the original waits a random
//! 0–1 s there) and no wait exceeds `maxInterval`.

use std::time::{Duration, SystemTime};

use crate::config::{millis, BackoffConfig};

/// The largest share of a computed wait added as random jitter.
pub const JITTER_FRACTION: f64 = 0.1;

/// Status codes a policy retries: exact codes (`"408"`) and hundreds ranges
/// (`"5XX"`, any case). Entries that are neither are ignored.
///
/// Held as one bit per three-digit status, so parsing a call's own codes
/// allocates nothing and a lookup is one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryCodes {
    bits: [u64; STATUS_WORDS],
}

/// Words of 64 bits covering the statuses 0–999.
const STATUS_WORDS: usize = 1000_usize.div_ceil(64);

impl Default for RetryCodes {
    fn default() -> RetryCodes {
        RetryCodes {
            bits: [0; STATUS_WORDS],
        }
    }
}

impl RetryCodes {
    pub fn parse<S: AsRef<str>>(codes: &[S]) -> RetryCodes {
        let mut parsed = RetryCodes::default();
        for code in codes {
            let code = code.as_ref().trim();
            let bytes = code.as_bytes();
            if bytes.len() != 3 || !bytes[0].is_ascii_digit() {
                continue;
            }
            let rest = &code[1..];
            if rest.eq_ignore_ascii_case("xx") {
                let first = u16::from(bytes[0] - b'0') * 100;
                (first..first + 100).for_each(|status| parsed.insert(status));
            } else if let Ok(exact) = code.parse::<u16>() {
                parsed.insert(exact);
            }
        }
        parsed
    }

    fn insert(&mut self, status: u16) {
        if let Some(word) = self.bits.get_mut(usize::from(status / 64)) {
            *word |= 1 << (status % 64);
        }
    }

    pub fn matches(&self, status: u16) -> bool {
        self.bits
            .get(usize::from(status / 64))
            .is_some_and(|word| word & (1 << (status % 64)) != 0)
    }
}

/// The computed wait before retry `retry_index`, with `jitter` in [0, 1).
pub fn backoff_wait(backoff: &BackoffConfig, retry_index: u32, jitter: f64) -> Duration {
    let exponent = if backoff.exponent.is_finite() && backoff.exponent >= 0.0 {
        backoff.exponent
    } else {
        1.0
    };
    let jitter = if (0.0..1.0).contains(&jitter) {
        jitter
    } else {
        0.0
    };
    // A zero (or NaN) initial interval means no wait, however large the
    // power grows (0 × ∞ would be NaN, which the cap below turns into the cap).
    let initial = backoff.initial_interval_ms.max(0.0);
    if initial == 0.0 {
        return Duration::ZERO;
    }
    let power = exponent.powi(i32::try_from(retry_index).unwrap_or(i32::MAX));
    let ms = initial * power * (1.0 + JITTER_FRACTION * jitter);
    // `f64::min` ignores a NaN (∞ × a power that underflowed to 0): the cap.
    millis(ms.min(backoff.max_interval_ms.max(0.0)))
}

/// What a `Retry-After` value asks for: delay seconds, or an HTTP date
/// measured against the response's `Date` header when present (else `now`).
/// `None` for anything unparsable or negative; a date in the past is zero.
pub fn parse_retry_after(
    value: &str,
    response_date: Option<&str>,
    now: SystemTime,
) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // Saturate instead of failing: an enormous delay is still "wait long",
        // and the caller caps it at `maxInterval`.
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs));
    }
    let target = httpdate::parse_http_date(value).ok()?;
    let reference = response_date
        .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
        .unwrap_or(now);
    Some(target.duration_since(reference).unwrap_or(Duration::ZERO))
}

/// What the policy does after an attempt that could be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Sleep this long, then try again.
    Wait(Duration),
    /// The wait would overrun the budget or the deadline: return what we have.
    GiveUp,
}

/// Decides the wait before retry `retry_index`. `elapsed` counts from the
/// first attempt; `until_deadline` is what remains of the call's time limit.
pub fn next_step(
    backoff: &BackoffConfig,
    retry_index: u32,
    retry_after: Option<Duration>,
    elapsed: Duration,
    until_deadline: Option<Duration>,
    jitter: f64,
) -> NextStep {
    // A zero hint (`Retry-After: 0`, or a date already past) is no hint, as
    // in the original: honouring it would retry in a tight loop for the
    // whole budget.
    let wait = match retry_after.filter(|asked| !asked.is_zero()) {
        Some(asked) => asked.min(millis(backoff.max_interval_ms)),
        None => backoff_wait(backoff, retry_index, jitter),
    };
    let budget = millis(backoff.max_elapsed_time_ms);
    if elapsed.saturating_add(wait) > budget {
        return NextStep::GiveUp;
    }
    if until_deadline.is_some_and(|left| wait >= left) {
        return NextStep::GiveUp;
    }
    NextStep::Wait(wait)
}

/// The wait before retry `retry_index` after a response with these
/// `Retry-After` and `Date` values (if any), `elapsed` into the budget, or
/// `None` to stop: [`parse_retry_after`] then [`next_step`], with jitter.
pub fn wait_before(
    backoff: &BackoffConfig,
    retry_index: u32,
    retry_after: Option<&str>,
    date: Option<&str>,
    elapsed: Duration,
) -> Option<Duration> {
    let hint = retry_after.and_then(|value| parse_retry_after(value, date, SystemTime::now()));
    match next_step(backoff, retry_index, hint, elapsed, None, fastrand::f64()) {
        NextStep::Wait(wait) => Some(wait),
        NextStep::GiveUp => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: BackoffConfig = BackoffConfig {
        initial_interval_ms: 100.0,
        max_interval_ms: 1000.0,
        exponent: 2.0,
        max_elapsed_time_ms: 5000.0,
    };

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_first_wait_is_the_initial_interval_and_then_grows_by_the_exponent() {
        assert_eq!(backoff_wait(&B, 0, 0.0), ms(100));
        assert_eq!(backoff_wait(&B, 1, 0.0), ms(200));
        assert_eq!(backoff_wait(&B, 2, 0.0), ms(400));
    }

    #[test]
    fn jitter_lengthens_a_wait_by_at_most_a_tenth() {
        let w = backoff_wait(&B, 0, 0.999_999);
        assert!(w >= ms(100) && w < ms(110), "{w:?}");
    }

    #[test]
    fn waits_are_capped_at_the_max_interval_even_with_jitter() {
        assert_eq!(backoff_wait(&B, 10, 0.5), ms(1000));
        assert_eq!(backoff_wait(&B, u32::MAX, 0.5), ms(1000));
    }

    #[test]
    fn degenerate_parameters_never_panic() {
        let odd = BackoffConfig {
            initial_interval_ms: f64::NAN,
            max_interval_ms: f64::INFINITY,
            exponent: f64::NAN,
            max_elapsed_time_ms: -1.0,
        };
        assert_eq!(backoff_wait(&odd, 3, 0.5), Duration::ZERO);
        let huge = BackoffConfig {
            initial_interval_ms: 1e308,
            max_interval_ms: f64::INFINITY,
            exponent: 1e308,
            max_elapsed_time_ms: f64::INFINITY,
        };
        assert_eq!(backoff_wait(&huge, 5, 0.5), Duration::MAX);
        // A zero initial interval stays zero even once the power overflows.
        let zero = BackoffConfig {
            initial_interval_ms: 0.0,
            max_interval_ms: 60_000.0,
            exponent: 2.0,
            max_elapsed_time_ms: 1e9,
        };
        assert_eq!(backoff_wait(&zero, 2000, 0.5), Duration::ZERO);
    }

    #[test]
    fn retry_codes_match_exact_codes_and_ranges_in_any_case() {
        let codes = RetryCodes::parse(&["5xx", "408", "429", "garbage", "4X", ""]);
        assert!(codes.matches(500) && codes.matches(503) && codes.matches(599));
        assert!(codes.matches(408) && codes.matches(429));
        assert!(!codes.matches(404) && !codes.matches(200));
        assert!(!RetryCodes::parse::<&str>(&[]).matches(503));
        assert!(!codes.matches(499) && !codes.matches(600) && !codes.matches(1000));
        assert!(RetryCodes::parse(&["0xx"]).matches(0) && RetryCodes::parse(&["999"]).matches(999));
    }

    #[test]
    fn retry_after_seconds_are_read_and_enormous_values_saturate() {
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(
            parse_retry_after(" 3 ", None, now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", None, now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn retry_after_garbage_and_negative_values_are_ignored() {
        let now = SystemTime::UNIX_EPOCH;
        for v in ["", "-5", "soon", "1.5", "0x10", "\u{0}"] {
            assert_eq!(parse_retry_after(v, None, now), None, "{v:?}");
        }
    }

    #[test]
    fn retry_after_dates_are_measured_against_the_response_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        let d = parse_retry_after(
            "Sun, 06 Nov 1994 08:49:40 GMT",
            Some("Sun, 06 Nov 1994 08:49:37 GMT"),
            now,
        );
        assert_eq!(d, Some(Duration::from_secs(3)));
        // Without a Date header the clock is used; a past date means no wait.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", None, now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_replaces_the_computed_wait_and_is_capped() {
        let step = next_step(&B, 0, Some(Duration::from_secs(1)), ms(0), None, 0.0);
        assert_eq!(step, NextStep::Wait(ms(1000)));
        let step = next_step(&B, 0, Some(Duration::from_secs(3600)), ms(0), None, 0.0);
        assert_eq!(step, NextStep::Wait(ms(1000)));
        let step = next_step(&B, 0, Some(ms(30)), ms(0), None, 0.0);
        assert_eq!(step, NextStep::Wait(ms(30)));
    }

    #[test]
    fn a_zero_retry_after_falls_back_to_the_computed_wait() {
        let step = next_step(&B, 1, Some(Duration::ZERO), ms(0), None, 0.0);
        assert_eq!(step, NextStep::Wait(ms(200)));
    }

    #[test]
    fn a_wait_that_would_overrun_the_budget_is_never_started() {
        assert_eq!(
            next_step(&B, 0, None, ms(4900), None, 0.0),
            NextStep::Wait(ms(100))
        );
        assert_eq!(
            next_step(&B, 0, None, ms(4901), None, 0.0),
            NextStep::GiveUp
        );
    }

    #[test]
    fn a_wait_that_would_reach_the_deadline_is_never_started() {
        assert_eq!(
            next_step(&B, 1, None, ms(0), Some(ms(201)), 0.0),
            NextStep::Wait(ms(200))
        );
        assert_eq!(
            next_step(&B, 1, None, ms(0), Some(ms(200)), 0.0),
            NextStep::GiveUp
        );
    }
}
