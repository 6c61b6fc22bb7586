//! Python `fnmatch` semantics, compiled once per rule.
//!
//! Artifact rules use `fnmatch.filter` on POSIX: `*` matches any string
//! (including `/` and newlines), `?` any one character, `[...]` a class
//! with `!` negation and ranges, an unclosed `[` is literal, matching is
//! case-sensitive. Character classes are built with exactly the steps of
//! CPython's `fnmatch.translate` (3.11), including its handling of
//! hyphens and reversed ranges.

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Glob {
    toks: Vec<Tok>,
    kind: Kind,
}

#[derive(Clone, Debug)]
enum Kind {
    /// Only `*`s: matches everything.
    All,
    /// No wildcards at all.
    Literal(String),
    /// `*` then literal text.
    Suffix(String),
    /// Literal text then `*`.
    Prefix(String),
    /// Everything else.
    General,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Lit(char),
    Any,
    Star,
    Class(Class),
}

#[derive(Clone, Debug, PartialEq)]
enum Class {
    Never,
    AnyChar,
    Set {
        negated: bool,
        chars: Vec<char>,
        ranges: Vec<(char, char)>,
    },
}

impl Class {
    fn matches(&self, c: char) -> bool {
        match self {
            Class::Never => false,
            Class::AnyChar => true,
            Class::Set {
                negated,
                chars,
                ranges,
            } => {
                let hit = chars.contains(&c) || ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
                hit != *negated
            }
        }
    }
}

impl Glob {
    /// Compiles `pattern`.
    pub fn new(pattern: &str) -> Glob {
        let pat: Vec<char> = pattern.chars().collect();
        let n = pat.len();
        let mut toks = Vec::new();
        let mut i = 0;
        while i < n {
            let c = pat[i];
            i += 1;
            match c {
                '*' => {
                    if toks.last() != Some(&Tok::Star) {
                        toks.push(Tok::Star);
                    }
                }
                '?' => toks.push(Tok::Any),
                '[' => {
                    let mut j = i;
                    if j < n && pat[j] == '!' {
                        j += 1;
                    }
                    if j < n && pat[j] == ']' {
                        j += 1;
                    }
                    while j < n && pat[j] != ']' {
                        j += 1;
                    }
                    if j >= n {
                        toks.push(Tok::Lit('['));
                    } else {
                        toks.push(Tok::Class(class(&pat, i, j)));
                        i = j + 1;
                    }
                }
                c => toks.push(Tok::Lit(c)),
            }
        }
        let kind = if toks.iter().all(|t| *t == Tok::Star) && !toks.is_empty() {
            Kind::All
        } else if toks.iter().all(|t| matches!(t, Tok::Lit(_))) {
            Kind::Literal(pattern.to_owned())
        } else if let Some(lit) = literal_text(&toks[1..]).filter(|_| toks[0] == Tok::Star) {
            Kind::Suffix(lit)
        } else if let Some(lit) =
            literal_text(&toks[..toks.len() - 1]).filter(|_| toks.last() == Some(&Tok::Star))
        {
            Kind::Prefix(lit)
        } else {
            Kind::General
        };
        Glob { toks, kind }
    }

    /// True if the whole of `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        match &self.kind {
            Kind::All => true,
            Kind::Literal(l) => l == s,
            Kind::Suffix(l) => s.ends_with(l.as_str()),
            Kind::Prefix(l) => s.starts_with(l.as_str()),
            Kind::General => self.matches_general(s),
        }
    }

    fn matches_general(&self, s: &str) -> bool {
        let p = &self.toks;
        let (mut pi, mut si) = (0usize, 0usize);
        // Where to resume after the most recent star: (token after it, text position).
        let mut resume: Option<(usize, usize)> = None;
        loop {
            if pi < p.len() {
                if p[pi] == Tok::Star {
                    resume = Some((pi + 1, si));
                    pi += 1;
                    continue;
                }
                if let Some(c) = s[si..].chars().next() {
                    let ok = match &p[pi] {
                        Tok::Lit(l) => *l == c,
                        Tok::Any => true,
                        Tok::Class(cl) => cl.matches(c),
                        Tok::Star => unreachable!(),
                    };
                    if ok {
                        pi += 1;
                        si += c.len_utf8();
                        continue;
                    }
                }
            } else if si == s.len() {
                return true;
            }
            match resume {
                Some((rp, rs)) if rs < s.len() => {
                    let step = s[rs..].chars().next().map_or(1, char::len_utf8);
                    resume = Some((rp, rs + step));
                    pi = rp;
                    si = rs + step;
                }
                _ => return false,
            }
        }
    }
}

/// The text of a token run made only of literals.
fn literal_text(toks: &[Tok]) -> Option<String> {
    toks.iter()
        .map(|t| match t {
            Tok::Lit(c) => Some(*c),
            _ => None,
        })
        .collect()
}

/// The class between `pat[i]` (just after `[`) and `pat[j]` (the `]`),
/// following `fnmatch.translate` step by step.
fn class(pat: &[char], start: usize, j: usize) -> Class {
    let stuff: Vec<char> = pat[start..j].to_vec();
    let chunks: Vec<Vec<char>> = if !stuff.contains(&'-') {
        vec![stuff]
    } else {
        let mut chunks: Vec<Vec<char>> = Vec::new();
        let mut i = start;
        let mut k = if pat[i] == '!' { i + 2 } else { i + 1 };
        loop {
            let found = (k..j).find(|&x| pat[x] == '-');
            let Some(h) = found else { break };
            chunks.push(pat[i..h].to_vec());
            i = h + 1;
            k = h + 3;
        }
        let last: Vec<char> = pat[i..j].to_vec();
        if !last.is_empty() {
            chunks.push(last);
        } else if let Some(prev) = chunks.last_mut() {
            prev.push('-');
        }
        // Remove empty (reversed) ranges, as translate does.
        let mut k = chunks.len();
        while k > 1 {
            k -= 1;
            let prev_last = *chunks[k - 1].last().expect("chunks are non-empty");
            let next_first = chunks[k][0];
            if prev_last > next_first {
                let mut merged = chunks[k - 1][..chunks[k - 1].len() - 1].to_vec();
                merged.extend_from_slice(&chunks[k][1..]);
                chunks[k - 1] = merged;
                chunks.remove(k);
            }
        }
        chunks
    };
    // `stuff` as translate would join it (only its emptiness and first
    // character matter below).
    let total: usize = chunks.iter().map(Vec::len).sum::<usize>() + chunks.len().saturating_sub(1);
    if total == 0 {
        return Class::Never;
    }
    if total == 1 && chunks[0] == ['!'] {
        return Class::AnyChar;
    }
    let mut chunks = chunks;
    let negated = chunks[0][0] == '!';
    if negated {
        chunks[0].remove(0);
    }
    let mut chars = Vec::new();
    let mut ranges = Vec::new();
    let m = chunks.len();
    for (ci, chunk) in chunks.iter().enumerate() {
        let lo = if ci > 0 { 1 } else { 0 };
        let hi = if ci + 1 < m {
            chunk.len().saturating_sub(1)
        } else {
            chunk.len()
        };
        if lo < hi {
            chars.extend_from_slice(&chunk[lo..hi]);
        }
        if ci + 1 < m
            && let (Some(&a), Some(&b)) = (chunk.last(), chunks[ci + 1].first())
        {
            ranges.push((a, b));
        }
    }
    Class::Set {
        negated,
        chars,
        ranges,
    }
}

#[cfg(test)]
mod tests {
    use super::{Glob, Kind};

    fn m(p: &str, s: &str) -> bool {
        Glob::new(p).matches(s)
    }

    #[test]
    fn star_crosses_slashes_and_newlines() {
        assert!(m("*", "a/b/c"));
        assert!(m("demo-project/*", "demo-project/sub/foo.py"));
        assert!(m("*.py", "a/b.py"));
        assert!(m("a*b", "a\nb"));
        assert!(!m("*.py", "a.pyc"));
        assert!(m("**", ""));
        assert!(!m("?", ""));
        assert!(m("*", ""));
    }

    #[test]
    fn question_mark_is_one_code_point() {
        assert!(m("?", "é"));
        assert!(m("a?c", "a✓c"));
        assert!(!m("a?c", "ac"));
    }

    #[test]
    fn classes_follow_cpython_translate() {
        assert!(m("[abc]", "b"));
        assert!(!m("[!abc]", "b"));
        assert!(m("[!abc]", "d"));
        assert!(m("[]]", "]"));
        assert!(m("[!]]", "a"));
        assert!(m("[a-c]", "b"));
        assert!(m("[a-]", "-"));
        assert!(m("[-a]", "-"));
        assert!(!m("[z-a]", "z"));
        assert!(!m("[z-a]", "-"));
        assert!(m("[!z-a]", "q"));
        assert!(m("[xz-a]", "x"));
        assert!(!m("[xz-a]", "z"));
        // After a range, the next hyphen is literal: [a-c-e] is a-c, '-', 'e'.
        assert!(m("[a-c-e]", "-"));
        assert!(m("[a-c-e]", "e"));
        assert!(!m("[a-c-e]", "d"));
        assert!(m("[\\]", "\\"));
        assert!(m("[^a]", "^"));
        assert!(!m("[^a]", "b"));
        assert!(m("[", "["));
        assert!(m("a[b", "a[b"));
        assert!(m("[!]", "[!]"));
    }

    #[test]
    fn prefix_and_suffix_fast_paths_keep_the_semantics() {
        assert!(m("*.c", "a/b.c") && m("*.c", ".c") && !m("*.c", "a.h"));
        assert!(m("src/*", "src/") && m("src/*", "src/a/b") && !m("src/*", "src"));
        assert!(matches!(Glob::new("*.c").kind, Kind::Suffix(_)));
        assert!(matches!(Glob::new("src/*").kind, Kind::Prefix(_)));
        assert!(matches!(Glob::new("*a*").kind, Kind::General));
    }

    #[test]
    fn literal_and_all_fast_paths() {
        assert!(matches!(&Glob::new("foo/bar.txt").kind, Kind::Literal(s) if s == "foo/bar.txt"));
        assert!(Glob::new("*").matches("anything"));
        assert!(matches!(Glob::new("[").kind, Kind::Literal(_)));
    }
}
