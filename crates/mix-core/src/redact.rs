//! Masking secrets before anything reaches a debug log: values of
//! credential headers (`authorization`, `cookie`, `set-cookie`, `x-api-key`,
//! and any header whose name mentions a token, secret, password or key) and
//! of JSON body fields with such names, at any depth.

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
    fn bodies_that_are_not_json_pass_through() {
        assert_eq!(body("plain"), "plain");
    }
}
