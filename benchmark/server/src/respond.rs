//! The one route the benchmark calls, and 404 for everything else.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};

const PATH: &str = "/internal/auth/refresh-tokens";
const BODY: &[u8] = br#"{"message":"Token refresh triggered successfully","status":"success"}"#;

pub async fn respond(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let found = request.method() == Method::POST && request.uri().path() == PATH;
    let response = if found {
        let mut response = Response::new(Full::new(Bytes::from_static(BODY)));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    } else {
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = StatusCode::NOT_FOUND;
        response
    };
    Ok(response)
}
