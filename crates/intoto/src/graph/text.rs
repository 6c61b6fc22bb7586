//! Text from the layout or the report, made safe to show: control and
//! bidirectional-override characters become visible escapes (as the
//! binary's `ui::escape` shows them), long lines are wrapped, and each
//! output format quotes what is special to it.

use std::fmt::Write as _;

/// `text` with control characters and bidirectional overrides replaced
/// by visible escapes (`\n`, `\x1b`, `\u{202e}`): none of them can be
/// written in XML 1.0, and none may reorder or hide what is drawn.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control()
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{fffe}' | '\u{ffff}') =>
            {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to at most `max` characters (an ellipsis marks the cut).
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// `text` wrapped at spaces into lines of at most `width` characters
/// (a longer word is cut), at most `max_lines` of them (the last one
/// ends in an ellipsis when text was left out).
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let mut word = word.to_owned();
        loop {
            let cur_len = cur.chars().count();
            let word_len = word.chars().count();
            let sep = usize::from(cur_len > 0);
            if cur_len + sep + word_len <= width {
                if sep == 1 {
                    cur.push(' ');
                }
                cur.push_str(&word);
                break;
            }
            if cur_len > 0 {
                lines.push(std::mem::take(&mut cur));
                continue;
            }
            // A word longer than a line: cut it.
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = truncate(&format!("{last} …"), width);
            if !last.ends_with('…') {
                last.push('…');
            }
        }
    }
    lines
}

/// A command as a shell would need it typed: words with spaces, quotes or
/// nothing in them single-quoted.
pub fn command_line(argv: &[String]) -> String {
    argv.iter()
        .map(|w| {
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_alphanumeric() || "-_./=:,+@%^{}~".contains(c))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// XML character data and attribute values: `&`, `<`, `>`, `"`, `'`.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The inside of a DOT double-quoted string: `\` and `"` escaped (a
/// backslash would otherwise start an escape such as `\N` or `\l`), and
/// `&` as `&amp;` (Graphviz reads entities such as `&lt;` in labels).
pub fn dot(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// The inside of a Mermaid `"..."` label: what Mermaid or the HTML it
/// makes would read as markup, as Mermaid's `#code;` entities.
pub fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '<' | '>' | '&' | '#' | '%' | '`' | '|' => {
                let _ = write!(out, "#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_escapes_controls_and_overrides() {
        assert_eq!(visible("a\nb\u{1b}[2J\u{202e}c"), "a\\nb\\x1b[2J\\u{202e}c");
        assert_eq!(visible("plain ü"), "plain ü");
    }

    #[test]
    fn wrap_cuts_at_spaces_and_long_words() {
        assert_eq!(wrap("aaa bbb ccc", 8, 5), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghijkl", 8, 5), ["abcdefgh", "ijkl"]);
        assert_eq!(wrap("a b c d e f g h i j k", 8, 1).len(), 1);
        assert!(wrap("a b c d e f g h i j k", 8, 1)[0].ends_with('…'));
        assert_eq!(wrap("", 8, 2), [""]);
    }

    #[test]
    fn each_format_quotes_its_specials() {
        assert_eq!(
            xml("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
        assert_eq!(dot("a\"b\\l&amp;"), "a\\\"b\\\\l&amp;amp;");
        assert_eq!(mermaid("a\"]-->b<br>#`"), "a#34;]--#62;b#60;br#62;#35;#96;");
        assert_eq!(
            command_line(&["tar".into(), "x y".into(), "it's".into()]),
            "tar 'x y' 'it'\\''s'"
        );
    }
}
