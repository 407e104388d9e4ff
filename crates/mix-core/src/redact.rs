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
/// Text that does not parse as a URL is returned as it is.
pub fn url(text: &str) -> String {
    let Ok(mut url) = reqwest::Url::parse(text) else {
        return text.to_owned();
    };
    let mut changed = false;
    let had_user_info = !url.username().is_empty() || url.password().is_some();
    if had_user_info {
        // Both setters only fail for URLs that cannot have user-info.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        changed = true;
    }
    if let Some(query) = url.query() {
        let masked = query
            .split('&')
            .map(|pair| {
                let (name, _) = pair.split_once('=').unwrap_or((pair, ""));
                let decoded = percent_decoded(name);
                let lower = decoded.to_ascii_lowercase();
                if pair.contains('=')
                    && (is_secret_name(&decoded) || SECRET_QUERY_NAMES.contains(&lower.as_str()))
                {
                    format!("{name}={MASK}")
                } else {
                    pair.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("&");
        if masked != query {
            url.set_query(Some(&masked));
            changed = true;
        }
    }
    if !changed {
        return text.to_owned();
    }
    let shown = url.to_string();
    match shown.split_once("://") {
        // Written out rather than set, which would percent-encode the mask.
        Some((scheme, rest)) if had_user_info => format!("{scheme}://{MASK}@{rest}"),
        _ => shown,
    }
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
                    if is_secret_name(key) && !field.is_object() && !field.is_array() {
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
        let out = body(r#"{"access_token":"a","nested":{"clientSecret":"b"},"message":"ok"}"#);
        assert!(!out.contains("\"a\"") && !out.contains("\"b\""), "{out}");
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
    fn bodies_that_are_not_json_pass_through() {
        assert_eq!(body("plain"), "plain");
    }
}
