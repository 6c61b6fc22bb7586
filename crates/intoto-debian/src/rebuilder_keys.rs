//! Rebuilders' signing keys and the community's list of rebuilders.
//!
//! - [`fetch_public_keys`]: rebuilderd's `GET {url}/api/v0/public-keys`
//!   (else `/api/v1/meta/public-keys`), `{"current": ["-----BEGIN PUBLIC
//!   KEY-----…"]}`, over HTTPS unless the URL says `http://`, bounded in
//!   size and time. What it answers is trusted on first use: the caller says so.
//! - [`parse_rebuilder_list`]: kpcyrd/rebuilderd-community's list, TOML
//!   `[[rebuilder]]` tables with `name`, `url`, `distributions` (the
//!   repository's README.md holds it in a fenced `toml` block: such a file
//!   is read too).

use std::time::Duration;

/// Largest answer read from the public-keys endpoint.
pub const MAX_KEYS_ANSWER: u64 = 1 << 20;
/// Largest rebuilder list read.
pub const MAX_LIST: u64 = 4 << 20;

/// Why a rebuilder's keys could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFetchError {
    /// The URL is not one.
    #[error(
        "{0:?}: expected a rebuilderd URL (https://host/path, http://host/path or rebuilderd:URL)"
    )]
    BadUrl(String),
    /// It could not be reached, answered an error or too slowly.
    #[error("{url}: {why}")]
    Unreachable {
        /// The URL asked.
        url: String,
        /// What went wrong.
        why: String,
    },
    /// It answered something that is not rebuilderd's list of keys.
    #[error("{url}: not rebuilderd's public keys: {why}")]
    Bad {
        /// The URL asked.
        url: String,
        /// What is wrong with the answer.
        why: String,
    },
}

/// The base URL of a rebuilder entry: `rebuilderd:` dropped, `https://`
/// added when no scheme is given, no trailing slash.
pub fn base_url(entry: &str) -> Result<String, KeyFetchError> {
    let e = entry.trim();
    let e = e.strip_prefix("rebuilderd:").unwrap_or(e);
    let url = if e.starts_with("http://") || e.starts_with("https://") {
        e.to_owned()
    } else if e.contains("://") {
        return Err(KeyFetchError::BadUrl(entry.to_owned()));
    } else {
        format!("https://{e}")
    };
    let url = url.trim_end_matches('/').to_owned();
    let host = url.split_once("://").map_or("", |(_, h)| h);
    if host.is_empty()
        || host.starts_with('/')
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(KeyFetchError::BadUrl(entry.to_owned()));
    }
    Ok(url)
}

/// The rebuilder's current signing keys (PEM `PUBLIC KEY` blocks, as it
/// answers them), asked at `{base_url(entry)}/api/v0/public-keys`, and
/// when that is not found at `/api/v1/meta/public-keys` (rebuilderd's v1
/// API, the same answer), each within `timeout`.
pub fn fetch_public_keys(entry: &str, timeout: Duration) -> Result<Vec<String>, KeyFetchError> {
    let base = base_url(entry)?;
    match fetch_from(&format!("{base}/api/v0/public-keys"), timeout) {
        Err(KeyFetchError::Unreachable { why, .. }) if why.starts_with("HTTP 404") => {
            fetch_from(&format!("{base}/api/v1/meta/public-keys"), timeout)
        }
        other => other,
    }
}

fn fetch_from(url: &str, timeout: Duration) -> Result<Vec<String>, KeyFetchError> {
    let url = url.to_owned();
    let unreachable = |why: String| KeyFetchError::Unreachable {
        url: url.clone(),
        why,
    };
    let bad = |why: String| KeyFetchError::Bad {
        url: url.clone(),
        why,
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .user_agent(concat!("intoto/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut resp = agent
        .get(&url)
        .header("Accept", "application/json")
        .call()
        .map_err(|e| unreachable(e.to_string()))?;
    let status = resp.status().as_u16();
    if status != 200 {
        return Err(unreachable(format!(
            "HTTP {status} (is it a rebuilderd? its public-keys endpoint answers 200)"
        )));
    }
    let body = resp
        .body_mut()
        .with_config()
        .limit(MAX_KEYS_ANSWER)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::Timeout(_) | ureq::Error::Io(_) => unreachable(e.to_string()),
            other => bad(other.to_string()),
        })?;
    let v: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| bad(format!("not JSON: {e}")))?;
    let current = v
        .get("current")
        .and_then(|c| c.as_array())
        .ok_or_else(|| bad("no \"current\" array".into()))?;
    let keys = current
        .iter()
        .map(|k| {
            k.as_str()
                .filter(|s| s.contains("-----BEGIN PUBLIC KEY-----"))
                .map(str::to_owned)
                .ok_or_else(|| bad("an entry of \"current\" is not a PEM public key".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(bad("\"current\" lists no key".into()));
    }
    Ok(keys)
}

/// One rebuilder of the community's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedRebuilder {
    /// Its `name` (empty when the entry has none).
    pub name: String,
    /// Its `url`.
    pub url: String,
    /// Its `distributions` (`debian`, `archlinux`, …).
    pub distributions: Vec<String>,
}

/// Why a rebuilder list cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ListError {
    /// Not TOML (the parser's message, one line).
    #[error("{file}: not TOML: {why}")]
    Toml {
        /// The file, for messages.
        file: String,
        /// The parser's message.
        why: String,
    },
    /// No `[[rebuilder]]` table.
    #[error("{file}: no [[rebuilder]] entry (expected kpcyrd/rebuilderd-community's format)")]
    Empty {
        /// The file.
        file: String,
    },
    /// An entry without a string `url`, or with a field of the wrong type.
    #[error("{file}: rebuilder entry {index}: {why}")]
    Entry {
        /// The file.
        file: String,
        /// Its position, from 1.
        index: usize,
        /// What is wrong.
        why: String,
    },
}

/// Reads the community's list (`file` names it in errors): a TOML file,
/// or a Markdown file whose fenced `toml` blocks hold it.
pub fn parse_rebuilder_list(file: &str, text: &str) -> Result<Vec<ListedRebuilder>, ListError> {
    let toml_text = fenced_toml(text).unwrap_or_else(|| text.to_owned());
    let table: toml::Table = toml_text
        .parse()
        .map_err(|e: toml::de::Error| ListError::Toml {
            file: file.to_owned(),
            why: e.message().split_whitespace().collect::<Vec<_>>().join(" "),
        })?;
    let entries = match table.get("rebuilder") {
        Some(toml::Value::Array(a)) if !a.is_empty() => a,
        _ => {
            return Err(ListError::Empty {
                file: file.to_owned(),
            });
        }
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let err = |why: &str| ListError::Entry {
                file: file.to_owned(),
                index: i + 1,
                why: why.to_owned(),
            };
            let t = e.as_table().ok_or_else(|| err("not a table"))?;
            let string = |k: &str| match t.get(k) {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(err(&format!("\"{k}\" is not a string"))),
            };
            let url = string("url")?.ok_or_else(|| err("no \"url\""))?;
            let distributions = match t.get("distributions") {
                None => Vec::new(),
                Some(toml::Value::Array(a)) => a
                    .iter()
                    .map(|d| d.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| err("\"distributions\" is not a list of strings"))?,
                Some(_) => return Err(err("\"distributions\" is not a list")),
            };
            Ok(ListedRebuilder {
                name: string("name")?.unwrap_or_default(),
                url,
                distributions,
            })
        })
        .collect()
}

/// The fenced ```` ```toml ```` blocks of a Markdown text, joined; `None`
/// when there is none.
fn fenced_toml(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut inside = false;
    let mut found = false;
    for line in text.lines() {
        let t = line.trim();
        if !inside && t.starts_with("```") && t[3..].trim() == "toml" {
            inside = true;
            found = true;
            continue;
        }
        if inside && t.starts_with("```") {
            inside = false;
            continue;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    found.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = r#"Public instances of rebuilderd.

```toml
## template:
# [[rebuilder]]
# url = "https://example.com/"
##

[[rebuilder]]
name = "Reproducible Arch Linux"
url = "https://reproducible.archlinux.org/"
distributions = ["archlinux"]
country = "FIN"

[[rebuilder]]
name = "Reproduce Debian (arch: amd64)"
url = "https://reproduce.debian.net/amd64/"
distributions = ["debian"]
```
"#;

    #[test]
    fn the_communitys_readme_and_plain_toml() {
        let l = parse_rebuilder_list("README.md", README).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].url, "https://reproduce.debian.net/amd64/");
        assert_eq!(l[1].distributions, ["debian"]);
        assert_eq!(l[0].name, "Reproducible Arch Linux");
        let plain = "[[rebuilder]]\nurl = \"http://127.0.0.1:1/\"\n";
        let l = parse_rebuilder_list("list.toml", plain).unwrap();
        assert_eq!(l[0].url, "http://127.0.0.1:1/");
        assert!(l[0].distributions.is_empty());
    }

    #[test]
    fn broken_lists_say_where() {
        let e = parse_rebuilder_list("l", "[[rebuilder]]\nname = \"x\"\n").unwrap_err();
        assert_eq!(e.to_string(), "l: rebuilder entry 1: no \"url\"");
        let e = parse_rebuilder_list("l", "x = 1\n").unwrap_err();
        assert!(e.to_string().contains("no [[rebuilder]] entry"), "{e}");
        let e = parse_rebuilder_list("l", "[[rebuilder]\n").unwrap_err();
        assert!(e.to_string().starts_with("l: not TOML"), "{e}");
        let e = parse_rebuilder_list(
            "l",
            "[[rebuilder]]\nurl = \"u\"\ndistributions = \"debian\"\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("not a list"), "{e}");
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("rebuilderd:https://r.example/amd64/").unwrap(),
            "https://r.example/amd64"
        );
        assert_eq!(base_url("r.example").unwrap(), "https://r.example");
        assert_eq!(
            base_url("http://127.0.0.1:8/").unwrap(),
            "http://127.0.0.1:8"
        );
        for bad in ["ftp://x", "https://", "https:///x", "http://a b"] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }
}
