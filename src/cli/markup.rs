//! The small markup the manual is written in (`manual.rs`, `pages/`), and
//! its two renderings: roff for the man pages, styled text for `--help`.
//!
//! Blocks are separated by blank lines:
//!
//! - `# TITLE` a section (`.SH`), `## Title` a subsection (`.SS`);
//! - lines indented by four spaces: a literal block, shown as it stands;
//! - `- text` a bullet item, `= term` an item headed by `term` whose body
//!   is the lines that follow;
//! - anything else a paragraph (its lines are filled).
//!
//! Inline, `` `text` `` is literal text shown in bold (commands, flags,
//! file names, rules) and `*text*` is a placeholder shown in italics. A
//! literal `*` or `` ` `` is written inside backquotes or in a literal
//! block; anything else is an error, so that no markup can reach a reader
//! as it stands.

use clap::builder::styling::Style;

/// One block of markup.
#[derive(Debug, PartialEq, Eq)]
pub enum Block {
    /// `# TITLE` (level 1) or `## Title` (level 2).
    Heading(u8, String),
    /// Lines of running text.
    Para(Vec<String>),
    /// Lines shown as they are (indentation removed).
    Literal(Vec<String>),
    /// `- text`: the item's lines.
    Bullet(Vec<String>),
    /// `= term` and its body's lines.
    Item(String, Vec<String>),
}

/// Splits markup into blocks.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut cur: Option<Block> = None;
    for line in text.lines() {
        let flush = |cur: &mut Option<Block>, out: &mut Vec<Block>| {
            if let Some(b) = cur.take() {
                out.push(b);
            }
        };
        if line.trim().is_empty() {
            flush(&mut cur, &mut out);
            continue;
        }
        if let Some(lit) = line.strip_prefix("    ") {
            match &mut cur {
                Some(Block::Literal(lines)) => lines.push(lit.to_owned()),
                Some(Block::Item(_, body) | Block::Bullet(body)) => {
                    body.push(lit.trim().to_owned())
                }
                _ => {
                    flush(&mut cur, &mut out);
                    cur = Some(Block::Literal(vec![lit.to_owned()]));
                }
            }
            continue;
        }
        let t = line.trim();
        if let Some(h) = t.strip_prefix("## ") {
            flush(&mut cur, &mut out);
            out.push(Block::Heading(2, h.to_owned()));
        } else if let Some(h) = t.strip_prefix("# ") {
            flush(&mut cur, &mut out);
            out.push(Block::Heading(1, h.to_owned()));
        } else if let Some(b) = t.strip_prefix("- ") {
            flush(&mut cur, &mut out);
            cur = Some(Block::Bullet(vec![b.to_owned()]));
        } else if let Some(term) = t.strip_prefix("= ") {
            flush(&mut cur, &mut out);
            cur = Some(Block::Item(term.to_owned(), Vec::new()));
        } else {
            match &mut cur {
                Some(Block::Para(l) | Block::Bullet(l) | Block::Item(_, l)) => l.push(t.to_owned()),
                _ => {
                    flush(&mut cur, &mut out);
                    cur = Some(Block::Para(vec![t.to_owned()]));
                }
            }
        }
    }
    if let Some(b) = cur {
        out.push(b);
    }
    out
}

/// A piece of inline text.
#[derive(Debug, PartialEq, Eq)]
enum Span<'a> {
    Plain(&'a str),
    Literal(&'a str),
    Placeholder(&'a str),
}

/// Splits inline markup; an unclosed `` ` `` or `*` is an error.
fn spans(text: &str) -> Result<Vec<Span<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let Some(i) = rest.find(['`', '*']) else {
            out.push(Span::Plain(rest));
            break;
        };
        if i > 0 {
            out.push(Span::Plain(&rest[..i]));
        }
        let mark = &rest[i..i + 1];
        let after = &rest[i + 1..];
        let Some(j) = after.find(mark) else {
            return Err(format!("unclosed {mark} in markup: {text}"));
        };
        let inner = &after[..j];
        if inner.is_empty() || (mark == "*" && inner.contains('`')) {
            return Err(format!("empty or nested {mark}{mark} in markup: {text}"));
        }
        out.push(if mark == "`" {
            Span::Literal(inner)
        } else {
            Span::Placeholder(inner)
        });
        rest = &after[j + 1..];
    }
    Ok(out)
}

/// Text escaped for roff: backslashes and hyphens (so that options stay
/// `-` when pasted).
fn roff_escape(s: &str) -> String {
    s.replace('\\', "\\e").replace('-', "\\-")
}

/// A roff line: starts a control line only when meant to.
fn roff_line(s: &str) -> String {
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s.to_owned()
    }
}

/// Inline markup as roff (`\fB…\fR`, `\fI…\fR`).
pub fn inline_roff(text: &str) -> Result<String, String> {
    let mut out = String::new();
    for s in spans(text)? {
        match s {
            Span::Plain(t) => out.push_str(&roff_escape(t)),
            Span::Literal(t) => {
                out.push_str("\\fB");
                out.push_str(&roff_escape(t));
                out.push_str("\\fR");
            }
            Span::Placeholder(t) => {
                out.push_str("\\fI");
                out.push_str(&roff_escape(t));
                out.push_str("\\fR");
            }
        }
    }
    Ok(roff_line(&out))
}

/// Plain text (no markup) as roff.
pub fn plain_roff(text: &str) -> String {
    roff_line(&roff_escape(text))
}

/// Markup blocks as roff requests.
pub fn to_roff(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut after_heading = false;
    for b in blocks(text) {
        let heading = matches!(b, Block::Heading(..));
        match b {
            Block::Heading(1, h) => {
                out.push_str(&format!(".SH {}\n", inline_roff(&h.to_uppercase())?))
            }
            Block::Heading(_, h) => out.push_str(&format!(".SS {}\n", inline_roff(&h)?)),
            Block::Para(lines) => {
                if !after_heading {
                    out.push_str(".PP\n");
                }
                out.push_str(&inline_roff(&lines.join(" "))?);
                out.push('\n');
            }
            Block::Literal(lines) => {
                out.push_str(".PP\n.RS 4\n.nf\n");
                for l in lines {
                    out.push_str(&plain_roff(&l));
                    out.push('\n');
                }
                out.push_str(".fi\n.RE\n");
            }
            Block::Bullet(lines) => {
                out.push_str(".IP \\(bu 2\n");
                out.push_str(&inline_roff(&lines.join(" "))?);
                out.push('\n');
            }
            Block::Item(term, body) => {
                out.push_str(".TP\n");
                out.push_str(&inline_roff(&term)?);
                out.push('\n');
                out.push_str(&inline_roff(&body.join(" "))?);
                out.push('\n');
            }
        }
        after_heading = heading;
    }
    Ok(out)
}

/// Markup as `--help` text: the source's line breaks kept, literal text
/// in bold and placeholders underlined (clap drops the styles when the
/// output is not a terminal or `NO_COLOR` is set).
pub fn to_help(text: &str) -> String {
    let bold = Style::new().bold();
    let under = Style::new().underline();
    let mut out = String::new();
    let inline = |out: &mut String, t: &str| match spans(t) {
        Ok(spans) => {
            for s in spans {
                match s {
                    Span::Plain(p) => out.push_str(p),
                    Span::Literal(p) => out.push_str(&format!("{bold}{p}{bold:#}")),
                    Span::Placeholder(p) => out.push_str(&format!("{under}{p}{under:#}")),
                }
            }
        }
        // The man page test reports it; help shows the source.
        Err(_) => out.push_str(t),
    };
    for (i, b) in blocks(text).into_iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        match b {
            Block::Heading(_, h) => inline(&mut out, &h),
            Block::Para(lines) => {
                for (j, l) in lines.iter().enumerate() {
                    if j > 0 {
                        out.push('\n');
                    }
                    inline(&mut out, l);
                }
            }
            Block::Literal(lines) => out.push_str(
                &lines
                    .iter()
                    .map(|l| format!("    {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Block::Bullet(lines) => {
                for (j, l) in lines.iter().enumerate() {
                    out.push_str(if j == 0 { "  - " } else { "\n    " });
                    inline(&mut out, l);
                }
            }
            Block::Item(term, body) => {
                inline(&mut out, &term);
                for l in &body {
                    out.push_str("\n    ");
                    inline(&mut out, l);
                }
            }
        }
    }
    out
}

/// Markup as plain text: [`to_help`] without its styles (for text that
/// is not printed through clap, such as the apt method's help).
pub fn to_plain(text: &str) -> String {
    strip_styles(&to_help(text))
}

/// `s` without ANSI SGR sequences (ESC `[` ... `m`).
fn strip_styles(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\x1b' {
            for d in it.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_inline_markup_become_roff() {
        let src = "# Name\n\nA `CREATE *` rule, *pattern* a-b.\nsecond line\n\n    $ intoto -v\n    .x\n\n- one\n  two\n\n= `MATCH` *p*\n  body\n";
        let roff = to_roff(src).unwrap();
        assert_eq!(
            roff,
            ".SH NAME\nA \\fBCREATE *\\fR rule, \\fIpattern\\fR a\\-b. second line\n\
             .PP\n.RS 4\n.nf\n$ intoto \\-v\n\\&.x\n.fi\n.RE\n\
             .IP \\(bu 2\none two\n.TP\n\\fBMATCH\\fR \\fIp\\fR\nbody\n"
        );
    }

    #[test]
    fn unclosed_markup_is_an_error() {
        assert!(to_roff("a *b").is_err());
        assert!(to_roff("a `b").is_err());
        assert!(to_roff("a ** b").is_err());
        assert!(to_roff("    literal * and ` are fine").is_ok());
    }

    #[test]
    fn help_keeps_line_breaks_and_drops_the_marks() {
        let h = to_help("A *layout*, `intoto run`\nnext\n\n    $ x *");
        let plain = strip_styles(&h);
        assert_eq!(plain, "A layout, intoto run\nnext\n\n    $ x *");
        assert_eq!(to_plain("A *layout*, `intoto run`"), "A layout, intoto run");
    }
}
