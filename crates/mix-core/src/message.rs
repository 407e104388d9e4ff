//! The message of a `MixDefaultError`, exactly as the original SDK builds it:
//! `<prefix>: Status <n>`, then ` Content-Type <type>` unless the type is
//! exactly `application/json` (quoted when it contains a space, `""` when
//! missing), then `. Body: <body>`, or a newline before `Body:` when the body
//! is longer than 100 characters; bodies past 10,000 characters are cut with
//! `...and N more chars`. Lengths count UTF-16 code units, as JavaScript does.

/// Characters of the body kept in a message.
pub const MAX_BODY_CHARS: usize = 10_000;
/// Bodies longer than this go on a line of their own.
const INLINE_BODY_CHARS: usize = 100;

/// Builds the message. `content_type` is the header value or `None`.
pub fn default_error_message(
    prefix: &str,
    status: f64,
    content_type: Option<&str>,
    body: &str,
) -> String {
    let mut message = String::with_capacity(prefix.len() + body.len().min(MAX_BODY_CHARS * 3) + 64);
    message.push_str(prefix);
    if !prefix.is_empty() {
        message.push_str(": ");
    }
    message.push_str("Status ");
    message.push_str(&js_number(status));
    let content_type = content_type.filter(|c| !c.is_empty()).unwrap_or("\"\"");
    if content_type != "application/json" {
        message.push_str(" Content-Type ");
        if content_type.contains(' ') {
            message.push('"');
            message.push_str(content_type);
            message.push('"');
        } else {
            message.push_str(content_type);
        }
    }
    let body = if body.is_empty() { "\"\"" } else { body };
    let units = utf16_len(body);
    message.push_str(if units > INLINE_BODY_CHARS {
        "\n"
    } else {
        ". "
    });
    message.push_str("Body: ");
    if units > MAX_BODY_CHARS {
        message.push_str(utf16_prefix(body, MAX_BODY_CHARS));
        message.push_str(&format!("...and {} more chars", units - MAX_BODY_CHARS));
    } else {
        message.push_str(body);
    }
    js_trim(&message).to_owned()
}

/// A number as JavaScript's `String(n)` prints it: plain decimals between
/// 1e-6 and 1e21, exponent notation (`1e+21`, `1.5e-7`) outside, `NaN` and
/// `Infinity` by name. (Rust's `{}` would print 1e300 as 301 digits.)
pub fn js_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_owned();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if n == 0.0 {
        return "0".to_owned();
    }
    if (1e-6..1e21).contains(&n.abs()) {
        return format!("{n}");
    }
    let exp = format!("{n:e}");
    match exp.split_once('e') {
        Some((mantissa, power)) if !power.starts_with('-') => format!("{mantissa}e+{power}"),
        _ => exp,
    }
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// The longest prefix of `s` with at most `units` UTF-16 code units.
fn utf16_prefix(s: &str, units: usize) -> &str {
    let mut count = 0;
    for (i, c) in s.char_indices() {
        count += c.len_utf16();
        if count > units {
            return &s[..i];
        }
    }
    s
}

/// `String.prototype.trim`: JavaScript's white space and line terminators,
/// which differ from Rust's (`U+FEFF` is trimmed, `U+0085` is not).
pub fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_whitespace)
}

fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{B}' | '\u{C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const API: &str = "API error occurred";

    #[test]
    fn a_short_plain_text_body_follows_the_content_type() {
        assert_eq!(
            default_error_message(API, 404.0, Some("text/plain"), "not found"),
            "API error occurred: Status 404 Content-Type text/plain. Body: not found"
        );
    }

    #[test]
    fn exactly_application_json_leaves_the_content_type_out() {
        assert_eq!(
            default_error_message(API, 401.0, Some("application/json"), "{\"error\":1}"),
            "API error occurred: Status 401. Body: {\"error\":1}"
        );
    }

    #[test]
    fn a_content_type_with_a_space_is_quoted() {
        assert_eq!(
            default_error_message(API, 401.0, Some("application/json; charset=utf-8"), "x"),
            "API error occurred: Status 401 Content-Type \"application/json; charset=utf-8\". Body: x"
        );
    }

    #[test]
    fn no_content_type_and_no_body_print_empty_quotes() {
        assert_eq!(
            default_error_message(API, 404.0, None, ""),
            "API error occurred: Status 404 Content-Type \"\". Body: \"\""
        );
    }

    #[test]
    fn a_body_over_100_characters_goes_on_its_own_line() {
        let body = "b".repeat(101);
        let m = default_error_message(API, 500.0, Some("text/plain"), &body);
        assert_eq!(
            m,
            format!("API error occurred: Status 500 Content-Type text/plain\nBody: {body}")
        );
    }

    #[test]
    fn a_body_over_10000_characters_is_cut_with_a_count() {
        let body = "é".repeat(10_005);
        let m = default_error_message(API, 500.0, Some("text/plain"), &body);
        assert!(m.ends_with(&format!("{}...and 5 more chars", "é".repeat(10))));
        assert_eq!(m.chars().filter(|c| *c == 'é').count(), 10_000);
    }

    #[test]
    fn numbers_print_as_javascript_prints_them() {
        for (n, js) in [
            (404.0, "404"),
            (-0.0, "0"),
            (1.5, "1.5"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1e300, "1e+300"),
            (0.000001, "0.000001"),
            (1.5e-7, "1.5e-7"),
            (-1.499562591165316e-127, "-1.499562591165316e-127"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(js_number(n), js, "{n:?}");
        }
    }

    #[test]
    fn the_message_is_trimmed_like_javascript() {
        let m = default_error_message("", 500.0, Some("text/plain"), "x \u{FEFF}\u{85}");
        assert_eq!(
            m,
            "Status 500 Content-Type text/plain. Body: x \u{FEFF}\u{85}"
        );
        let m = default_error_message("", 500.0, Some("text/plain"), "x \u{FEFF}");
        assert_eq!(m, "Status 500 Content-Type text/plain. Body: x");
    }
}
