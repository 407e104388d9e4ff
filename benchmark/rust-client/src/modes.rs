//! The two timed modes. Result fields match the JS harness
//! (`benchmark/lib/harness.mjs`) so the runner treats all clients alike.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::call::Caller;

/// Sequential calls, one at a time; percentiles of per-call wall time.
pub async fn latency(caller: &Caller, warmup: usize, calls: usize) -> Result<Value, String> {
    for _ in 0..warmup {
        caller.call().await?;
    }
    let mut micros = Vec::with_capacity(calls);
    for _ in 0..calls {
        let start = Instant::now();
        caller.call().await?;
        micros.push(start.elapsed().as_secs_f64() * 1e6);
    }
    micros.sort_by(f64::total_cmp);
    let mean = micros.iter().sum::<f64>() / micros.len().max(1) as f64;
    Ok(json!({
        "calls": calls,
        "p50Us": percentile(&micros, 0.50),
        "p99Us": percentile(&micros, 0.99),
        "meanUs": mean,
    }))
}

/// `concurrency` workers each keep one call in flight until the deadline;
/// calls started before it are allowed to finish and are counted.
pub async fn throughput(
    caller: &Caller,
    warmup: usize,
    concurrency: usize,
    duration: Duration,
) -> Result<Value, String> {
    // The warm-up opens the connection pool at full width.
    burst(
        caller,
        concurrency,
        Deadline::Calls(warmup.max(concurrency)),
    )
    .await?;
    let start = Instant::now();
    let calls = burst(caller, concurrency, Deadline::Time(start + duration)).await?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(json!({
        "concurrency": concurrency,
        "calls": calls,
        "seconds": seconds,
        "callsPerSec": calls as f64 / seconds,
    }))
}

#[derive(Clone, Copy)]
enum Deadline {
    Calls(usize),
    Time(Instant),
}

async fn burst(caller: &Caller, concurrency: usize, until: Deadline) -> Result<u64, String> {
    let done = Arc::new(AtomicU64::new(0));
    let started = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        // Clones share one connection pool, as calls on one `Mix` do.
        let caller = caller.clone();
        let (done, started) = (done.clone(), started.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let more = match until {
                    Deadline::Calls(n) => started.fetch_add(1, Ordering::Relaxed) < n as u64,
                    Deadline::Time(t) => Instant::now() < t,
                };
                if !more {
                    return Ok::<(), String>(());
                }
                caller.call().await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for worker in workers {
        worker
            .await
            .map_err(|e| format!("worker task failed: {e}"))??;
    }
    Ok(done.load(Ordering::Relaxed))
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
