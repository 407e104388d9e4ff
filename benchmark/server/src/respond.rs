//! The routes the benchmark calls, and 404 for everything else:
//! - `POST /internal/auth/refresh-tokens`: a small fixed JSON answer;
//! - `GET /api/sessions`: a large list, [`SESSIONS`] sessions (several MB),
//!   built once;
//! - `GET /stream?sessionId=…`: an event stream, see [`crate::events`];
//! - `GET /api/sessions/{id}/files/bytes-<n>`: a download of `n` bytes, and
//!   `POST /api/sessions/{id}/files/upload`: an upload, counted; see
//!   [`crate::files`].

use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::LazyLock;

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};

use crate::events::{self, EventBody};
use crate::files::{self, FileBody};

const PATH: &str = "/internal/auth/refresh-tokens";
const BODY: &[u8] = br#"{"message":"Token refresh triggered successfully","status":"success"}"#;

const LIST_PATH: &str = "/api/sessions";
/// Sessions in the large list (the JS harness checks the same number).
pub const SESSIONS: usize = 10_000;

/// Sessions as a Mix server sends them: every field, a callback, and a key
/// the SDK does not declare (decoding drops it).
static LIST: LazyLock<Bytes> = LazyLock::new(|| {
    let mut body = String::with_capacity(SESSIONS * 480);
    body.push('[');
    for i in 0..SESSIONS {
        if i > 0 {
            body.push(',');
        }
        let _ = write!(
            body,
            concat!(
                r#"{{"id":"session-{i}","title":"Research session number {i} about \"HTTP clients\"","#,
                r#""sessionType":"{kind}","createdAt":"2025-01-{day:02}T10:{min:02}:00.123Z","#,
                r#""assistantMessageCount":{a},"userMessageCount":{u},"toolCallCount":{t},"#,
                r#""promptTokens":{p},"completionTokens":{c},"cost":{cost},"#,
                r#""firstUserMessage":"Summarise the benchmark results of run {i}","#,
                r#""callbacks":[{{"type":"bash_script","toolName":"bash","bashCommand":"echo {i}","bashTimeout":120000,"nonBlocking":true}}],"#,
                r#""workspace":{{"path":"/home/user/project-{i}","files":{t}}}}}"#
            ),
            i = i,
            kind = ["main", "forked", "subagent"][i % 3],
            day = i % 28 + 1,
            min = i % 60,
            a = i % 50,
            u = i % 40,
            t = i % 30,
            p = i * 7,
            c = i * 3,
            cost = i as f64 / 1000.0,
        );
    }
    body.push(']');
    Bytes::from(body)
});

/// A fixed body, an event stream or a file (`Either` keeps it unboxed: no
/// allocation per response on the small-call path).
pub type Reply = Either<Full<Bytes>, Either<EventBody, FileBody>>;

pub async fn respond(request: Request<Incoming>) -> Result<Response<Reply>, Infallible> {
    let response = match (request.method(), request.uri().path()) {
        (&Method::POST, PATH) => json(Bytes::from_static(BODY)),
        (&Method::GET, LIST_PATH) => json(LIST.clone()),
        (&Method::GET, events::PATH) => match events::open(request.uri().query()) {
            Some(body) => event_stream(body),
            None => not_found(),
        },
        (&Method::GET, path) => match files::open(path) {
            Some(body) => file(body),
            None => not_found(),
        },
        (&Method::POST, path) if files::is_upload(path) => {
            match files::receive(request.into_body()).await {
                Ok(info) => {
                    let mut response = json(info);
                    *response.status_mut() = StatusCode::CREATED;
                    response
                }
                // The client went away mid-body: no one to answer.
                Err(_) => not_found(),
            }
        }
        _ => not_found(),
    };
    Ok(response)
}

fn json(body: Bytes) -> Response<Reply> {
    let mut response = Response::new(Either::Left(Full::new(body)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn event_stream(body: EventBody) -> Response<Reply> {
    let mut response = Response::new(Either::Right(Either::Left(body)));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn file(body: FileBody) -> Response<Reply> {
    let len = body.len();
    let mut response = Response::new(Either::Right(Either::Right(body)));
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    // hyper would also take it from the body's exact size hint; set it
    // explicitly so the response never falls back to chunked encoding.
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    response
}

fn not_found() -> Response<Reply> {
    let mut response = Response::new(Either::Left(Full::new(Bytes::new())));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
