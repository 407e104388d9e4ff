//! The engine against a tiny in-process HTTP server, on tokio's paused clock:
//! waits, budgets, deadlines and cancellation are checked to the millisecond
//! without sleeping for real. When every task is idle the paused runtime
//! jumps straight to the next timer; loopback I/O between the engine and the
//! server (both on this runtime) is ready before that happens.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mix_core::config::{BackoffConfig, Limits, RetryConfig};
use mix_core::engine::{execute, Final, Policy, Prepared};
use mix_core::error::ClientErrorKind;
use mix_core::retry::RetryCodes;
use mix_core::transport::{Body, Transport};
use reqwest::header::HeaderMap;
use reqwest::{Method, Url};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// What the server does with request number n.
#[derive(Clone, Copy)]
enum Reply {
    /// A response with this status, no body and these extra header lines.
    Status(u16, &'static str),
    /// Never answer.
    Hang,
}

struct Server {
    addr: SocketAddr,
    /// When each request arrived, on the paused clock.
    hits: Arc<Mutex<Vec<Instant>>>,
}

impl Server {
    /// Answers request n with `script[n]`, and every later one like the last.
    async fn start(script: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let shared = Arc::clone(&hits);
        tokio::spawn(async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                tokio::spawn(connection(socket, Arc::clone(&script), Arc::clone(&shared)));
            }
        });
        Server { addr, hits }
    }

    fn url(&self) -> Url {
        Url::parse(&format!(
            "http://{}/internal/auth/refresh-tokens",
            self.addr
        ))
        .unwrap()
    }

    fn hits(&self) -> Vec<Instant> {
        self.hits.lock().unwrap().clone()
    }

    /// Milliseconds between consecutive requests.
    fn gaps(&self) -> Vec<u128> {
        self.hits()
            .windows(2)
            .map(|w| (w[1] - w[0]).as_millis())
            .collect()
    }
}

/// Serves keep-alive requests (heads only: the engine sends no body).
async fn connection(
    mut socket: TcpStream,
    script: Arc<Vec<Reply>>,
    hits: Arc<Mutex<Vec<Instant>>>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.clear();
        let n = {
            let mut hits = hits.lock().unwrap();
            hits.push(Instant::now());
            hits.len() - 1
        };
        match script[n.min(script.len() - 1)] {
            Reply::Hang => std::future::pending::<()>().await,
            Reply::Status(status, extra) => {
                let head =
                    format!("HTTP/1.1 {status} Scripted\r\ncontent-length: 0\r\n{extra}\r\n");
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn backoff(
    initial: f64,
    exponent: f64,
    max_interval: f64,
    max_elapsed: f64,
    retry_connection_errors: bool,
) -> RetryConfig {
    RetryConfig::Backoff {
        backoff: BackoffConfig {
            initial_interval_ms: initial,
            max_interval_ms: max_interval,
            exponent,
            max_elapsed_time_ms: max_elapsed,
        },
        retry_connection_errors,
    }
}

fn policy(retry: RetryConfig, deadline: Option<Duration>) -> Policy {
    Policy {
        retry,
        codes: RetryCodes::parse(&["5XX", "408", "429"]),
        deadline: deadline.map(|d| Instant::now() + d),
        open_on: None,
    }
}

async fn run(url: Url, policy: &Policy, cancel: Option<&CancellationToken>) -> Final {
    let pool = mix_core::pool::build(&Default::default()).unwrap();
    let transport = Transport::pooled(Limits::default(), std::sync::Arc::new(pool));
    let request = Prepared {
        method: Method::POST,
        url: Cow::Owned(url),
        headers: Cow::Owned(HeaderMap::new()),
        body: Body::Empty,
        tag: 0,
    };
    execute(&transport, &request, policy, cancel, None).await
}

fn status(result: &Final) -> u16 {
    match result {
        Final::Response { status, .. } | Final::Open { status, .. } => *status,
        Final::Failed(error) => panic!("expected a response, got {error:?}"),
    }
}

fn failure(result: &Final) -> ClientErrorKind {
    match result {
        Final::Response { status, .. } | Final::Open { status, .. } => {
            panic!("expected a failure, got status {status}")
        }
        Final::Failed(error) => error.kind,
    }
}

/// Asserts `gap` ms is a wait of `base` ms with its jitter (+10 %) and the
/// timer's millisecond rounding.
fn assert_wait(gap: u128, base: u128) {
    assert!(
        gap >= base && gap <= base + base / 10 + 1,
        "waited {gap} ms for a {base} ms wait"
    );
}

const BUSY: Reply = Reply::Status(503, "");

#[tokio::test(start_paused = true)]
async fn waits_start_at_the_initial_interval_and_grow_by_the_exponent() {
    let server = Server::start(vec![BUSY, BUSY, BUSY, Reply::Status(200, "")]).await;
    let result = run(
        server.url(),
        &policy(backoff(100.0, 2.0, 60_000.0, 60_000.0, false), None),
        None,
    )
    .await;
    assert_eq!(status(&result), 200);
    let gaps = server.gaps();
    assert_eq!(gaps.len(), 3);
    for (gap, base) in gaps.into_iter().zip([100, 200, 400]) {
        assert_wait(gap, base);
    }
}

#[tokio::test(start_paused = true)]
async fn waits_are_capped_at_the_max_interval() {
    let server = Server::start(vec![BUSY, BUSY, BUSY, Reply::Status(200, "")]).await;
    let result = run(
        server.url(),
        &policy(backoff(100.0, 10.0, 250.0, 60_000.0, false), None),
        None,
    )
    .await;
    assert_eq!(status(&result), 200);
    let gaps = server.gaps();
    assert_wait(gaps[0], 100);
    assert!(gaps[1..].iter().all(|&g| g == 250), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn a_failing_call_stops_within_max_elapsed_time_and_returns_the_last_response() {
    let server = Server::start(vec![BUSY]).await;
    let start = Instant::now();
    let result = run(
        server.url(),
        &policy(backoff(100.0, 2.0, 60_000.0, 1_000.0, false), None),
        None,
    )
    .await;
    assert_eq!(status(&result), 503);
    // Attempts at 0, ~100, ~300 and ~700 ms; the next wait (~800 ms) would overrun.
    assert_eq!(server.hits().len(), 4);
    assert!(
        start.elapsed() <= Duration::from_millis(1_000),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_replace_the_computed_wait_and_are_capped() {
    let server = Server::start(vec![
        Reply::Status(503, "retry-after: 2\r\n"),
        Reply::Status(200, ""),
    ])
    .await;
    let result = run(
        server.url(),
        &policy(backoff(10.0, 1.0, 5_000.0, 60_000.0, false), None),
        None,
    )
    .await;
    assert_eq!(status(&result), 200);
    assert_eq!(server.gaps(), vec![2_000]);

    let server = Server::start(vec![
        Reply::Status(429, "retry-after: 3600\r\n"),
        Reply::Status(200, ""),
    ])
    .await;
    let result = run(
        server.url(),
        &policy(backoff(10.0, 1.0, 500.0, 60_000.0, false), None),
        None,
    )
    .await;
    assert_eq!(status(&result), 200);
    assert_eq!(server.gaps(), vec![500]);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_date_counts_from_the_response_date() {
    let headers =
        "date: Sat, 01 Jan 2000 00:00:00 GMT\r\nretry-after: Sat, 01 Jan 2000 00:00:03 GMT\r\n";
    let server = Server::start(vec![Reply::Status(503, headers), Reply::Status(200, "")]).await;
    let result = run(
        server.url(),
        &policy(backoff(10.0, 1.0, 60_000.0, 60_000.0, false), None),
        None,
    )
    .await;
    assert_eq!(status(&result), 200);
    assert_eq!(server.gaps(), vec![3_000]);
}

#[tokio::test(start_paused = true)]
async fn the_deadline_ends_an_attempt_that_never_answers_exactly_on_time() {
    let server = Server::start(vec![Reply::Hang]).await;
    let start = Instant::now();
    let p = policy(
        backoff(10.0, 1.0, 60_000.0, 600_000.0, true),
        Some(Duration::from_secs(5)),
    );
    let result = run(server.url(), &p, None).await;
    assert_eq!(failure(&result), ClientErrorKind::Timeout);
    assert_eq!(start.elapsed().as_millis(), 5_000);
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_would_reach_the_deadline_is_not_started() {
    let server = Server::start(vec![BUSY]).await;
    let start = Instant::now();
    let p = policy(
        backoff(200.0, 1.0, 60_000.0, 600_000.0, false),
        Some(Duration::from_millis(300)),
    );
    let result = run(server.url(), &p, None).await;
    assert_eq!(status(&result), 503);
    assert_eq!(server.hits().len(), 2);
    assert!(start.elapsed() < Duration::from_millis(300));
}

#[tokio::test(start_paused = true)]
async fn cancelling_wakes_a_long_backoff_wait_at_once() {
    let server = Server::start(vec![BUSY]).await;
    let token = CancellationToken::new();
    let canceller = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        canceller.cancel();
    });
    let start = Instant::now();
    let result = run(
        server.url(),
        &policy(backoff(60_000.0, 1.0, 60_000.0, 600_000.0, false), None),
        Some(&token),
    )
    .await;
    assert_eq!(failure(&result), ClientErrorKind::Aborted);
    assert_eq!(start.elapsed().as_millis(), 1_000);
    assert_eq!(server.hits().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_token_sends_nothing() {
    let server = Server::start(vec![Reply::Status(200, "")]).await;
    let token = CancellationToken::new();
    token.cancel();
    let result = run(
        server.url(),
        &policy(
            RetryConfig::Backoff {
                backoff: BackoffConfig::LIBRARY_DEFAULT,
                retry_connection_errors: true,
            },
            None,
        ),
        Some(&token),
    )
    .await;
    assert_eq!(failure(&result), ClientErrorKind::Aborted);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(server.hits().is_empty());
}

#[tokio::test(start_paused = true)]
async fn refused_connections_are_retried_only_when_asked_and_within_the_budget() {
    let free = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}/", free.local_addr().unwrap())).unwrap();
    drop(free);

    let start = Instant::now();
    let result = run(
        url.clone(),
        &policy(backoff(1_000.0, 1.0, 1_000.0, 10_000.0, false), None),
        None,
    )
    .await;
    assert_eq!(failure(&result), ClientErrorKind::Connection);
    assert_eq!(start.elapsed().as_millis(), 0);

    let start = Instant::now();
    let result = run(
        url,
        &policy(backoff(1_000.0, 1.0, 1_000.0, 10_000.0, true), None),
        None,
    )
    .await;
    assert_eq!(failure(&result), ClientErrorKind::Connection);
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(8_000) && elapsed <= Duration::from_secs(10),
        "{elapsed:?}"
    );
}
