//! Masking secrets before anything reaches a debug log or an error message:
//! values of credential headers (`authorization`, `cookie`, `set-cookie`,
//! `x-api-key`, and any header whose name mentions a token, secret,
//! password or key), of JSON body fields with such names, at any depth, and
//! in URLs the user-info and the query parameters with such names (plus
//! `key`, `sig`, `signature`, `auth`, `code`).

/// What a masked value is replaced with.
pub const MASK: &str = "[REDACTED]";

/// Whether a header or field name looks like it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let exact = [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
    ];
    if exact.contains(&lower.as_str()) {
        return true;
    }
    let squashed: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    [
        "token",
        "secret",
        "password",
        "apikey",
        "credential",
        "session",
    ]
    .iter()
    .any(|word| squashed.contains(word))
}

/// Query parameter names that hold secrets in common APIs although the
/// header rule would not catch them.
const SECRET_QUERY_NAMES: [&str; 5] = ["key", "sig", "signature", "auth", "code"];

/// A URL for the log: user-info and secret-looking query values masked.
/// Works on the text, so a URL that does not parse (and so may be echoed
/// in an error message) is masked too.
pub fn url(text: &str) -> String {
    let after_scheme = text.find("://").map_or(0, |i| i + 3);
    let rest = &text[after_scheme..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..after_scheme]);
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            out.push_str(MASK);
            out.push_str(&rest[at..authority_end]);
        }
        None => out.push_str(&rest[..authority_end]),
    }
    let tail = &rest[authority_end..];
    let Some(q) = tail.find('?') else {
        out.push_str(tail);
        return out;
    };
    out.push_str(&tail[..=q]);
    let query_and_fragment = &tail[q + 1..];
    let query_end = query_and_fragment
        .find('#')
        .unwrap_or(query_and_fragment.len());
    let masked = query_and_fragment[..query_end]
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_query_name(name) => format!("{name}={MASK}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&");
    out.push_str(&masked);
    out.push_str(&query_and_fragment[query_end..]);
    out
}

fn is_secret_query_name(name: &str) -> bool {
    let decoded = percent_decoded(name);
    is_secret_name(&decoded) || SECRET_QUERY_NAMES.contains(&decoded.to_ascii_lowercase().as_str())
}

/// `%XX` escapes and `+` decoded, as a query name is read.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'+', _, _) => out.push(b' '),
            (b'%', Some(&hi), Some(&lo)) if hex(hi).is_some() && hex(lo).is_some() => {
                let value = hex(hi).unwrap_or(0) * 16 + hex(lo).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'%'));
                i += 2;
            }
            (b, _, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A header value for the log.
pub fn header_value<'a>(name: &str, value: &'a str) -> &'a str {
    if is_secret_name(name) {
        MASK
    } else {
        value
    }
}

/// A response body for the log: JSON has its secret-looking fields masked;
/// anything else is returned as it is.
pub fn body(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut value) => {
            mask_fields(&mut value);
            value.to_string()
        }
        Err(_) => text.to_owned(),
    }
}

fn mask_fields(value: &mut serde_json::Value) {
    // An explicit stack: a deeply nested body must not overflow ours.
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(map) => {
                for (key, field) in map.iter_mut() {
                    // An OAuth authorization code and its state are strings
                    // (an error's numeric `code` is not masked).
                    let oauth = field.is_string() && matches!(key.as_str(), "code" | "state");
                    if is_secret_name(key) || oauth {
                        *field = serde_json::Value::String(MASK.to_owned());
                    } else {
                        stack.push(field);
                    }
                }
            }
            serde_json::Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn oauth_codes_and_states_are_masked_in_bodies_but_error_codes_are_not() {
        let logged =
            body(r#"{"code":"AUTH-CODE","provider":"p","state":"st","error":{"code":500}}"#);
        assert!(
            !logged.contains("AUTH-CODE") && !logged.contains("\"st\""),
            "{logged}"
        );
        assert!(logged.contains(r#""code":500"#), "{logged}");
    }
    use super::*;

    #[test]
    fn credential_headers_are_masked_and_others_kept() {
        assert_eq!(header_value("Authorization", "Bearer abc"), MASK);
        assert_eq!(header_value("set-cookie", "sid=1"), MASK);
        assert_eq!(header_value("X-Refresh-Token", "t"), MASK);
        assert_eq!(
            header_value("content-type", "application/json"),
            "application/json"
        );
    }

    #[test]
    fn token_looking_fields_are_masked_at_any_depth() {
        let out = body(
            r#"{"access_token":"a","nested":{"clientSecret":"b"},"tokens":["c"],"password":{"v":"d"},"message":"ok"}"#,
        );
        for secret in ["\"a\"", "\"b\"", "\"c\"", "\"d\""] {
            assert!(!out.contains(secret), "{out}");
        }
        assert!(out.contains("\"message\":\"ok\""));
    }

    #[test]
    fn urls_lose_their_user_info_and_secret_query_values() {
        assert_eq!(
            url("http://user:pass@h:1/p?api_key=k1&x=1&access_token=t&key=k2&Signature=s"),
            "http://[REDACTED]@h:1/p?api_key=[REDACTED]&x=1&access_token=[REDACTED]&key=[REDACTED]&Signature=[REDACTED]"
        );
        assert_eq!(
            url("http://h/p?sessionId=1"),
            "http://h/p?sessionId=[REDACTED]"
        );
        assert_eq!(url("http://h/p?a%5Fkey=1&b=2"), "http://h/p?a%5Fkey=1&b=2");
        assert_eq!(
            url("http://h/p?my%5Ftoken=1"),
            "http://h/p?my%5Ftoken=[REDACTED]"
        );
        assert_eq!(url("http://h/p?page=2"), "http://h/p?page=2");
        assert_eq!(url("not a url"), "not a url");
    }

    #[test]
    fn urls_that_do_not_parse_are_masked_too() {
        assert_eq!(
            url("http://u:s3cr3t@bad host:1/x?api_key=k&b=2#f"),
            "http://[REDACTED]@bad host:1/x?api_key=[REDACTED]&b=2#f"
        );
        assert_eq!(
            url("http://bad host/?token=t"),
            "http://bad host/?token=[REDACTED]"
        );
        assert_eq!(url("http://h/p@x"), "http://h/p@x");
    }

    #[test]
    fn bodies_that_are_not_json_pass_through() {
        assert_eq!(body("plain"), "plain");
    }
}
