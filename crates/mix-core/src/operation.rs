//! What an operation is (one [`Operation`] per API operation, generated from
//! `openapi.yaml` into `generated.rs`) and the one call path every operation
//! takes: [`Client::call`] builds the request from the table and the
//! caller's values, the engine runs it, and the final response is matched
//! and decoded by the table's rules.
//!
//! Matching (the original's `M.match`): the success matcher first, then the
//! documented error statuses (JSON only) as `ErrorResponse`, then any other
//! 4XX/5XX as `API error occurred`; anything else is `Unexpected Status or
//! Content-Type`. See [`match_response`].

use std::borrow::Cow;
use std::sync::LazyLock;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::{Method, Url};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::client::Client;
use crate::config::{effective_retry, effective_timeout, CallOptions, RetryConfig};
use crate::decode::{
    decode_framed, decode_json, decode_text, write_json_string, Invalid, Issue, Seg,
};
use crate::engine::{execute, latin1, AttemptLog, Final, Policy, Prepared};
use crate::error::ClientError;
use crate::events::{BytesReader, EventReader, Reader};
use crate::retry::RetryCodes;
use crate::schema::Schema;
use crate::transport::Body;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn method(self) -> Method {
        match self {
            HttpMethod::Get => Method::GET,
            HttpMethod::Post => Method::POST,
            HttpMethod::Put => Method::PUT,
            HttpMethod::Patch => Method::PATCH,
            HttpMethod::Delete => Method::DELETE,
        }
    }
}

/// A piece of a path template: `/api/sessions/{id}/fork` is
/// `[Literal("/api/sessions/"), Param("id"), Literal("/fork")]`.
#[derive(Debug)]
pub enum PathPart {
    Literal(&'static str),
    /// A path parameter; the caller's values come in this order.
    Param(&'static str),
}

/// What the request body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    None,
    /// JSON text the JS layer built (validated, defaults filled, renamed).
    Json,
    /// `multipart/form-data` with one part, of this name, holding a file
    /// (see [`crate::upload`]).
    Multipart(&'static str),
}

/// What a matched success response becomes.
#[derive(Debug)]
pub enum ValueKind {
    /// The JSON body decoded against the schema.
    Json(&'static Schema),
    /// `{ headers, result }`: the response headers (see [`header_map`])
    /// and the JSON body decoded against the schema.
    WithHeaders(&'static Schema),
    /// Nothing (`undefined`); the body is read and dropped.
    Void,
    /// `{ headers, result }`: the response headers and, as `result`, the
    /// body read as a stream of events of this union (see [`crate::events`]).
    /// The value is the headers alone; the stream comes with it apart.
    EventStream(&'static Schema),
    /// The body itself, as a stream of bytes read as the caller asks (the
    /// value is the stream; see [`crate::events::BytesReader`]).
    Bytes,
}

/// The content types a matcher accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentPattern {
    /// Any value, or none.
    Any,
    /// A media type (`application/json`), `type/*` or `*/*`.
    Media(&'static str),
}

#[derive(Debug)]
pub struct Operation {
    /// The operationId, as hooks and logs name it.
    pub id: &'static str,
    pub method: HttpMethod,
    pub path: &'static [PathPart],
    pub accept: &'static str,
    pub body: BodyKind,
    pub success_status: u16,
    pub success_content: ContentPattern,
    pub value: ValueKind,
    /// Statuses whose JSON body is an `ErrorResponse`.
    pub error_statuses: &'static [u16],
    /// The retry policy when neither the call nor the client gives one.
    pub retry: RetryConfig,
    /// The statuses retried when the call names none.
    pub retry_codes: &'static [&'static str],
}

/// The caller's values for one call, already validated and encoded as
/// strings by the JS layer (which owns JS-value semantics); the URL rules
/// (percent-encoding, refusing route-changing values) are applied here.
#[derive(Debug, Default)]
pub struct Request {
    /// One value per [`PathPart::Param`], in order.
    pub path: Vec<String>,
    /// Query parameters in order; names and values not yet encoded.
    pub query: Vec<(String, String)>,
    /// Operation headers (before the call's own `headers` option).
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// A final response as the JS `Response` and error classes need it.
#[derive(Debug, Clone)]
pub struct ResponseParts {
    pub status: u16,
    /// Names lowercase, values as `fetch` shows them, in arrival order.
    pub headers: Vec<(String, String)>,
    /// All `Content-Type` values joined with `, `, as `Headers.get` does.
    pub content_type: Option<String>,
    pub body: String,
}

/// What a non-value final response decodes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    /// The `ErrorResponse` data, as JSON text (`{"error":{…}}`).
    ErrorResponse(String),
    /// A 4XX/5XX no other rule took: `API error occurred`.
    ApiError,
    /// No rule matched: `Unexpected Status or Content-Type`.
    Unexpected,
    /// The body does not fit the schema, or is not JSON.
    Invalid {
        invalid: Invalid,
        /// What was validated, which the error's `rawValue` shows.
        validated: Validated,
    },
}

/// What a body that did not fit was validated as.
#[derive(Debug, Clone, PartialEq)]
pub enum Validated {
    /// The value itself.
    Value,
    /// `{ Headers, Result }`: the value with the response headers (as JSON).
    WithHeaders(String),
    /// An `ErrorResponse` body.
    ErrorBody,
}

#[derive(Debug, Clone)]
pub enum CallOutcome {
    /// The value as JSON text (empty for `Void`); the response too when the
    /// call asked to keep it.
    Value {
        value: String,
        response: Option<ResponseParts>,
    },
    /// A response that decodes to an error.
    Http {
        response: ResponseParts,
        decoded: Decoded,
    },
    Client(ClientError),
}

/// The open response of a call whose value is a stream.
pub struct OpenStream {
    pub reader: Reader,
    /// The response as a misfit event's error shows it (no body).
    pub response: ResponseParts,
    pub url: String,
}

/// What a call hands to the binding.
pub struct CallResult {
    pub outcome: CallOutcome,
    /// The body of a stream operation's value (an event stream's events,
    /// a download's bytes), read as the caller asks; the value itself holds
    /// only what else there is (an event stream's headers).
    pub events: Option<OpenStream>,
    /// Every attempt, when the client logs for debugging.
    pub attempts: Vec<AttemptLog>,
    /// The request URL, when the call kept its response or got an error response.
    pub url: Option<String>,
    /// The method and request headers as sent, when the call kept its response.
    pub request: Option<(String, Vec<(String, String)>)>,
}

impl Client {
    /// Runs operation `index` of [`crate::generated::OPERATIONS`]. `started`
    /// is when the caller made the call: the time limit counts from there,
    /// not from when the runtime got to it.
    pub async fn call(
        &self,
        index: usize,
        request: Request,
        call: CallOptions,
        cancel: Option<CancellationToken>,
        started: Instant,
    ) -> CallResult {
        // Declared first, so dropped last: after everything the call freed.
        let _in_flight = crate::memory::InFlight::enter();
        let mut attempts = Vec::new();
        let log = self.debug.then_some(&mut attempts);
        let Some(op) = crate::generated::OPERATIONS.get(index) else {
            return CallResult {
                outcome: CallOutcome::Client(ClientError::invalid_request(format!(
                    "no operation number {index}"
                ))),
                events: None,
                attempts,
                url: None,
                request: None,
            };
        };
        let prepared = self.prepare(index, op, &request, &call);
        let (mut url, sent) = match (&prepared, call.keep_response) {
            (Ok(p), true) => (
                Some(p.url.to_string()),
                Some((p.method.to_string(), header_pairs(&p.headers))),
            ),
            _ => (None, None),
        };
        let mut events = None;
        let outcome = match prepared {
            Err(error) => CallOutcome::Client(error),
            Ok(prepared) => {
                let policy = Policy {
                    retry: effective_retry(call.retry, self.retry, op.retry),
                    codes: match &call.retry_codes {
                        Some(codes) => RetryCodes::parse(codes),
                        None => default_codes(op),
                    },
                    deadline: effective_timeout(call.timeout_ms, self.timeout_ms)
                        .and_then(|limit| started.checked_add(limit)),
                    open_on: streams(op).then_some(op),
                };
                match execute(&self.transport, &prepared, &policy, cancel.as_ref(), log).await {
                    Final::Failed(error) => CallOutcome::Client(error),
                    Final::Open {
                        status,
                        headers,
                        body,
                    } => {
                        let parts = ResponseParts {
                            status,
                            headers: header_pairs(&headers),
                            content_type: content_type(&headers),
                            body: String::new(),
                        };
                        let response = call.keep_response.then(|| parts.clone());
                        let (reader, value) = match op.value {
                            ValueKind::EventStream(union) => (
                                Some(Reader::Events(Box::new(EventReader::new(
                                    body,
                                    union,
                                    self.transport.max_body_bytes(),
                                    self.debug,
                                )))),
                                format!(r#"{{"headers":{}}}"#, header_map(&headers)),
                            ),
                            ValueKind::Bytes => (
                                Some(Reader::Bytes(Box::new(BytesReader::new(body)))),
                                String::new(),
                            ),
                            // Only a stream's response is kept open.
                            _ => (None, String::new()),
                        };
                        events = reader.map(|reader| OpenStream {
                            reader,
                            response: parts,
                            url: prepared.url.to_string(),
                        });
                        CallOutcome::Value { value, response }
                    }
                    Final::Response {
                        status,
                        headers,
                        body,
                    } => {
                        let outcome = decode(op, status, &headers, body, call.keep_response);
                        // An error's `rawResponse.url` names the request URL.
                        if url.is_none() && matches!(outcome, CallOutcome::Http { .. }) {
                            url = Some(prepared.url.to_string());
                        }
                        outcome
                    }
                }
            }
        };
        CallResult {
            outcome,
            events,
            attempts,
            url,
            request: sent,
        }
    }

    fn prepare<'a>(
        &'a self,
        index: usize,
        op: &'static Operation,
        request: &Request,
        call: &CallOptions,
    ) -> Result<Prepared<'a>, ClientError> {
        let url = self.operation_url(index, op, request, call)?;
        let mut headers = self.headers(index, op, &request.headers, &call.headers)?;
        if let Body::Multipart(multipart) = &request.body {
            // Its boundary is the body's own, so it replaces any other.
            let value = HeaderValue::from_str(&multipart.content_type())
                .map_err(|_| ClientError::invalid_request("invalid multipart boundary"))?;
            headers.to_mut().insert(CONTENT_TYPE, value);
        }
        Ok(Prepared {
            method: op.method.method(),
            url,
            headers,
            body: request.body.clone(),
            tag: call.tag,
        })
    }

    fn operation_url(
        &self,
        index: usize,
        op: &'static Operation,
        request: &Request,
        call: &CallOptions,
    ) -> Result<Cow<'_, Url>, ClientError> {
        let fixed = request.path.is_empty() && request.query.is_empty();
        let path = crate::url::operation_path(op.path, &request.path)?;
        let mut url = match (&call.server_url, fixed) {
            // The same every time: joined once per client.
            (None, true) => return Ok(Cow::Borrowed(self.fixed_url(index, &path))),
            (None, false) => crate::url::join(self.base(), &path),
            (Some(raw), _) => crate::url::parse_base(raw)
                .map(|base| crate::url::join(&base, &path))
                .map_err(|e| ClientError::invalid_request(e.to_string()))?,
        };
        let query = crate::url::form_query(&request.query);
        if !query.is_empty() {
            url.set_query(Some(&query));
        }
        Ok(Cow::Owned(url))
    }
}

/// Whether an operation's success body is handed over open, as a stream.
fn streams(op: &Operation) -> bool {
    matches!(op.value, ValueKind::EventStream(_) | ValueKind::Bytes)
}

/// The default retry codes of an operation, parsed once.
fn default_codes(op: &Operation) -> RetryCodes {
    static STANDARD: LazyLock<RetryCodes> =
        LazyLock::new(|| RetryCodes::parse(&crate::config::DEFAULT_RETRY_CODES));
    if op.retry_codes == crate::config::DEFAULT_RETRY_CODES {
        *STANDARD
    } else {
        RetryCodes::parse(op.retry_codes)
    }
}

/// Which matcher a final response meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Success,
    ErrorResponse,
    ApiError,
    Unexpected,
}

/// The first matcher whose status and content type both match.
pub fn match_response(op: &Operation, status: u16, content_type: Option<&str>) -> Match {
    if status == op.success_status && content_matches(op.success_content, content_type) {
        return Match::Success;
    }
    if op.error_statuses.contains(&status)
        && content_matches(ContentPattern::Media("application/json"), content_type)
    {
        return Match::ErrorResponse;
    }
    if (400..600).contains(&status) {
        return Match::ApiError;
    }
    Match::Unexpected
}

/// The original's content-type test: the value trimmed and lower-cased
/// (missing or empty counts as `application/octet-stream`), split at `;`
/// into a media type and parameters; the media type must look like
/// `type/subtype`. It matches a pattern that is `*`, `*/*`, the same media
/// type, `type/*` or `*/subtype`, when every parameter the pattern names is
/// among the value's. (The value's other parameters do not matter.)
pub fn content_matches(pattern: ContentPattern, content_type: Option<&str>) -> bool {
    match pattern {
        ContentPattern::Any => true,
        ContentPattern::Media(pattern) => media_matches(pattern, content_type),
    }
}

/// [`content_matches`] for a pattern given as text (also the public
/// `matchContentType` helper's rule).
pub fn media_matches(pattern: &str, content_type: Option<&str>) -> bool {
    if pattern == "*" {
        return true;
    }
    let value = content_type.map(str::trim).unwrap_or("");
    let value = if value.is_empty() {
        "application/octet-stream".to_owned()
    } else {
        value.to_ascii_lowercase()
    };
    let pattern = pattern.trim().to_ascii_lowercase();
    let split = |text: &str| -> Vec<String> {
        text.split(';').map(|part| part.trim().to_owned()).collect()
    };
    let want = split(&pattern);
    let got = split(&value);
    let (want_type, want_params) = (&want[0], &want[1..]);
    let (got_type, got_params) = (&got[0], &got[1..]);
    if want_type.split('/').count() != 2 {
        return false;
    }
    let mut parts = got_type.split('/');
    let (Some(kind), Some(sub)) = (parts.next(), parts.next()) else {
        return false;
    };
    if kind.is_empty() || sub.is_empty() {
        return false;
    }
    let type_ok = want_type == "*/*"
        || got_type == want_type
        || *want_type == format!("{kind}/*")
        || *want_type == format!("*/{sub}");
    type_ok && want_params.iter().all(|p| got_params.contains(p))
}

/// Decodes the final response by the operation's matchers. The header
/// pairs, which only errors and `$inspect()` need, are built only then.
fn decode(
    op: &Operation,
    status: u16,
    headers: &HeaderMap,
    body: Vec<u8>,
    keep_response: bool,
) -> CallOutcome {
    let content_type = content_type(headers);
    let body = decode_text(body);
    let response = |body| ResponseParts {
        status,
        headers: header_pairs(headers),
        content_type: content_type.clone(),
        body,
    };
    let http = |decoded, body| CallOutcome::Http {
        response: response(body),
        decoded,
    };
    match match_response(op, status, content_type.as_deref()) {
        Match::Success => {
            let value = match &op.value {
                // (A stream's success never gets here: the engine hands it
                // back open.)
                ValueKind::Void | ValueKind::EventStream(_) | ValueKind::Bytes => Ok(String::new()),
                ValueKind::Json(schema) => decode_json(schema, &body),
                ValueKind::WithHeaders(schema) => {
                    let before = format!(r#"{{"headers":{},"result":"#, header_map(headers));
                    decode_framed(schema, &body, &before, "}")
                        .map_err(|invalid| prefixed(invalid, "Result"))
                }
            };
            match value {
                Ok(value) => CallOutcome::Value {
                    value,
                    response: keep_response.then(|| response(body)),
                },
                Err(invalid) => {
                    let validated = match op.value {
                        ValueKind::WithHeaders(_) => Validated::WithHeaders(header_map(headers)),
                        _ => Validated::Value,
                    };
                    http(Decoded::Invalid { invalid, validated }, body)
                }
            }
        }
        Match::ErrorResponse => match decode_json(&crate::generated::ERROR_RESPONSE, &body) {
            Ok(data) => http(Decoded::ErrorResponse(data), body),
            Err(invalid) => http(
                Decoded::Invalid {
                    invalid,
                    validated: Validated::ErrorBody,
                },
                body,
            ),
        },
        Match::ApiError => http(Decoded::ApiError, body),
        Match::Unexpected => http(Decoded::Unexpected, body),
    }
}

/// Issue paths of a value wrapped under `key` (the original validates
/// `{ Headers, Result }`, so its paths start with `Result`).
fn prefixed(invalid: Invalid, key: &'static str) -> Invalid {
    match invalid {
        Invalid::Issues(issues) => Invalid::Issues(
            issues
                .into_iter()
                .map(|mut issue: Issue| {
                    issue.path.insert(0, Seg::Key(Cow::Borrowed(key)));
                    issue
                })
                .collect(),
        ),
        other => other,
    }
}

/// Names never split at commas in a header map: their values contain
/// commas of their own (dates; cookies, one element per line).
const WHOLE_VALUES: [&str; 5] = [
    "date",
    "expires",
    "last-modified",
    "retry-after",
    "set-cookie",
];

/// The `headers` of a value that carries them, as JSON: every header by
/// lower-case name, sorted; a repeated header's values joined with `, `;
/// each value split at `, *`, except the [`WHOLE_VALUES`] headers, which
/// stay whole (`set-cookie`: one element per line).
pub fn header_map(headers: &HeaderMap) -> String {
    let mut names: Vec<&str> = headers.keys().map(|n| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = String::from("{");
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_string(&mut out, name);
        out.push_str(":[");
        let values: Vec<String> = headers
            .get_all(*name)
            .iter()
            .map(|v| latin1(v.as_bytes()).trim().to_owned())
            .collect();
        let elements: Vec<String> = if *name == "set-cookie" {
            values
        } else if WHOLE_VALUES.contains(name) {
            vec![values.join(", ")]
        } else {
            split_list(&values.join(", "))
        };
        for (j, element) in elements.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            write_json_string(&mut out, element);
        }
        out.push(']');
    }
    out.push('}');
    out
}

/// `value.split(/, */)`.
fn split_list(value: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = value;
    while let Some(at) = rest.find(',') {
        parts.push(rest[..at].to_owned());
        rest = rest[at + 1..].trim_start_matches(' ');
    }
    parts.push(rest.to_owned());
    parts
}

/// Header pairs as `fetch` shows them.
pub(crate) fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                latin1(value.as_bytes()).trim().to_owned(),
            )
        })
        .collect()
}

/// The inverse of [`header_pairs`]: flat name, value, … pairs from JS (a
/// `Headers` value is a byte string, one byte per character) as a map; a
/// header the http crate refuses is left out, as `Headers` refuses it too.
pub fn headers_from_pairs(flat: &[String]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for pair in flat.chunks_exact(2) {
        let bytes: Option<Vec<u8>> = pair[1].chars().map(|c| u8::try_from(c).ok()).collect();
        if let (Ok(name), Some(Ok(value))) = (
            HeaderName::from_bytes(pair[0].as_bytes()),
            bytes.map(|b| HeaderValue::from_bytes(&b)),
        ) {
            headers.append(name, value);
        }
    }
    headers
}

/// All `Content-Type` values joined with `, `, as `Headers.get` does.
pub(crate) fn content_type(headers: &HeaderMap) -> Option<String> {
    let values: Vec<String> = headers
        .get_all(CONTENT_TYPE)
        .iter()
        .map(|v| latin1(v.as_bytes()).trim().to_owned())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: ContentPattern = ContentPattern::Media("application/json");

    #[test]
    fn content_types_match_as_the_original_does() {
        assert!(content_matches(
            JSON,
            Some("Application/JSON; charset=utf-8")
        ));
        assert!(content_matches(JSON, Some(" application/json ;charset=x")));
        assert!(!content_matches(JSON, Some("application/problem+json")));
        assert!(!content_matches(JSON, Some("text/json")));
        assert!(!content_matches(JSON, None));
        let any = ContentPattern::Media("*/*");
        assert!(content_matches(any, None));
        assert!(content_matches(any, Some("a/b/c")));
        assert!(!content_matches(any, Some("nonsense")));
        assert!(!content_matches(any, Some("/x")));
        assert!(content_matches(ContentPattern::Any, Some("nonsense")));
        assert!(content_matches(
            ContentPattern::Media("text/*"),
            Some("text/plain")
        ));
    }

    #[test]
    fn headers_from_js_keep_one_byte_per_character() {
        let h = headers_from_pairs(&["x-a".into(), "café".into(), "bad name".into(), "1".into()]);
        assert_eq!(h["x-a"].as_bytes(), b"caf\xE9");
        assert_eq!(
            header_pairs(&h),
            vec![("x-a".to_owned(), "café".to_owned())]
        );
    }

    #[test]
    fn header_maps_split_lists_but_keep_dates_and_cookies_whole() {
        let mut h = HeaderMap::new();
        h.append("x-tags", HeaderValue::from_static("red, green,blue"));
        h.append(
            "date",
            HeaderValue::from_static("Thu, 02 Jan 2025 08:00:00 GMT"),
        );
        h.append(
            "set-cookie",
            HeaderValue::from_static("a=1; Expires=Thu, 02 Jan 2025"),
        );
        h.append("set-cookie", HeaderValue::from_static("b=2"));
        h.append("x-a", HeaderValue::from_static("1"));
        h.append("x-a", HeaderValue::from_static("2"));
        assert_eq!(
            header_map(&h),
            r#"{"date":["Thu, 02 Jan 2025 08:00:00 GMT"],"set-cookie":["a=1; Expires=Thu, 02 Jan 2025","b=2"],"x-a":["1","2"],"x-tags":["red","green","blue"]}"#
        );
    }
}
