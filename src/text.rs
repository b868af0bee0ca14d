//! Short forms of user text for messages: a cell, a column name or an option value may be
//! megabytes long, and a message must stay one readable line.

use std::borrow::Cow;

/// The most characters of a user's value a message repeats before an ellipsis.
pub const SHORT_CHARS: usize = 60;

/// The most characters of a whole message line (a last resort for values with spaces).
pub const LINE_CHARS: usize = 500;

/// `text` if it has at most [`SHORT_CHARS`] characters, else its first [`SHORT_CHARS`]
/// followed by `…`. Line breaks and other control characters are shown escaped (`\n`, counted
/// as the characters shown), so that a quoted value or column name that spans lines keeps its
/// message on one line.
pub fn short(text: &str) -> Cow<'_, str> {
    let end = text.char_indices().nth(SHORT_CHARS).map(|(end, _)| end);
    if end.is_none() && !text.contains(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(4 * SHORT_CHARS) + 4);
    let mut shown = 0;
    for c in text.chars() {
        let escaped = c.is_control().then(|| c.escape_default());
        let width = escaped.as_ref().map_or(1, ExactSizeIterator::len);
        if shown + width > SHORT_CHARS {
            out.push('…');
            return Cow::Owned(out);
        }
        shown += width;
        match escaped {
            Some(e) => out.extend(e),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `bytes` shown as text (invalid UTF-8 replaced), shortened like [`short`], without copying
/// more than the part shown.
pub fn short_bytes(bytes: &[u8]) -> String {
    // Four bytes a character at most, so this prefix holds every character shown.
    let prefix = &bytes[..bytes.len().min(4 * (SHORT_CHARS + 1))];
    let text = String::from_utf8_lossy(prefix);
    if prefix.len() < bytes.len() && text.chars().count() <= SHORT_CHARS {
        // A prefix shorter than SHORT_CHARS characters: only with replacement characters.
        return format!("{}…", short(&text));
    }
    short(&text).into_owned()
}

/// A message line with every word longer than [`SHORT_CHARS`] shortened, and the whole line cut
/// at [`LINE_CHARS`] characters.
pub fn short_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len().min(4 * LINE_CHARS));
    for (k, word) in line.split(' ').enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(&short(word));
    }
    match out.char_indices().nth(LINE_CHARS) {
        None => out,
        Some((end, _)) => format!("{}…", &out[..end]),
    }
}

/// A number in the shortest form that reads back to the same `f64`, in scientific notation
/// when it is tiny or huge (`1e-50`, not fifty zeros).
pub fn number(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-4..1e16).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// `v` to `digits` significant digits, in plain or scientific notation as it reads best.
pub fn significant(v: f64, digits: usize) -> String {
    if v == 0.0 {
        // −0 reads as 0.
        return "0".to_owned();
    }
    if !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-4..6).contains(&magnitude) {
        return format!("{:.*e}", digits.saturating_sub(1), v);
    }
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// `text` as one word: in quotes, with `"` and `\` escaped by a backslash, when it is empty or
/// holds a space, a quote, a backslash, a `|` or a control character (what a setup text's reader reads).
pub fn quote_word(text: &str) -> String {
    let plain = |c: char| !(c.is_whitespace() || c.is_control() || matches!(c, '"' | '\\' | '|'));
    if !text.is_empty() && text.chars().all(plain) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_readable_at_any_size() {
        assert_eq!(number(1e-50), "1e-50");
        assert_eq!(number(2.5e-300), "2.5e-300");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-3e20), "-3e20");
        for v in [1e-50, 0.1 + 0.2, 123_456.789, 1e300, f64::MIN_POSITIVE] {
            assert_eq!(number(v).parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn long_values_keep_sixty_characters_and_an_ellipsis() {
        assert_eq!(short("hot dog"), "hot dog");
        let long = "é".repeat(1000);
        let shown = short(&long);
        assert_eq!(shown.chars().count(), SHORT_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(short(&"x".repeat(SHORT_CHARS)), "x".repeat(SHORT_CHARS));
    }

    #[test]
    fn line_breaks_and_control_characters_are_escaped() {
        assert_eq!(short("x\ny"), "x\\ny");
        assert_eq!(short("a\r\n\tb\u{1b}"), "a\\r\\n\\tb\\u{1b}");
        assert_eq!(short_bytes(b"two\nlines"), "two\\nlines");
        let long = format!("{}\n", "x".repeat(SHORT_CHARS - 1));
        assert_eq!(short(&long), format!("{}…", "x".repeat(SHORT_CHARS - 1)));
        let escapes = short(&"\u{1b}".repeat(1000)).into_owned();
        assert_eq!(escapes, format!("{}…", "\\u{1b}".repeat(SHORT_CHARS / 6)));
    }

    #[test]
    fn bytes_are_shortened_without_reading_them_all() {
        let big = vec![b'9'; 50_000_000];
        let shown = short_bytes(&big);
        assert_eq!(shown, format!("{}…", "9".repeat(SHORT_CHARS)));
        assert_eq!(short_bytes(b"abc"), "abc");
        let bad = vec![0xff; 1000];
        assert!(short_bytes(&bad).ends_with('…'));
    }

    #[test]
    fn lines_shorten_each_long_word() {
        let line = format!("invalid value '{}' for '--hidden'", "5".repeat(10_000));
        let shown = short_line(&line);
        assert!(shown.len() < 120, "{shown}");
        assert!(shown.ends_with("for '--hidden'"), "{shown}");
        let spaced = "ab ".repeat(10_000);
        assert_eq!(short_line(&spaced).chars().count(), LINE_CHARS + 1);
    }

    #[test]
    fn numbers_keep_their_significant_digits() {
        assert_eq!(significant(0.123456, 4), "0.1235");
        assert_eq!(significant(-12.5, 4), "-12.5");
        assert_eq!(significant(1234.5678, 4), "1235");
        assert_eq!(significant(0.00001234, 3), "1.23e-5");
        assert_eq!(significant(0.0, 4), "0");
        assert_eq!(significant(2.0, 4), "2");
    }
}
