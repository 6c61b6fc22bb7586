//! A Debian archive's package index, verified without downloading the
//! packages.
//!
//! - [`verify_inrelease`]: `InRelease` (a cleartext-signed `Release`
//!   file) checked with the archive's keyring (sequoia, no gpg), its
//!   `Valid-Until` at the policy's time, and its `SHA256` index read;
//! - [`Release::check_index`]: a `Packages` file (plain, `.xz`, `.gz` or
//!   `.zst`, every member of it, as apt reads it) must be listed there, by
//!   its own digest (checked before it is decompressed) or by its
//!   decompressed one;
//! - [`parse_packages`]: every entry (identity, `Filename`, `SHA256`);
//! - [`Shard`]: `K/N`, the entries whose source name hashes to `K`
//!   modulo `N` ([`shard_of`]: the first 8 bytes of SHA-256 of the source
//!   name, big-endian, modulo `N`), so that runners anywhere split an
//!   archive the same way, every binary package of a source in one shard.

use std::io::Read as _;

use sequoia_openpgp as openpgp;

use openpgp::Cert;
use openpgp::parse::Parse;
use openpgp::parse::stream::{MessageLayer, MessageStructure, VerificationHelper, VerifierBuilder};
use sha2::{Digest as _, Sha256};

use super::compressed;
use super::deb::{Control, DebInfo, ParagraphParser, paragraphs};
use intoto::keys::openpgp::cert::system_time;
use intoto::policy::Policy;
use intoto_format::time::days_from_civil;

/// Largest index read after decompression.
pub const MAX_INDEX: u64 = 1 << 30;

/// Why an archive index cannot be trusted or read (one line, naming the
/// file).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ArchiveError(pub String);

fn err(m: impl Into<String>) -> ArchiveError {
    ArchiveError(m.into())
}

/// One file the `Release` file vouches for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// Relative to the `Release` file's directory
    /// (`main/binary-amd64/Packages.xz`).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
}

/// A verified `Release`.
#[derive(Clone, Debug)]
pub struct Release {
    /// Its fields (`Suite`, `Codename`, `Date`, …).
    pub fields: Control,
    /// The `SHA256` index.
    pub sha256: Vec<IndexEntry>,
    /// Fingerprints of the keys whose signatures verified.
    pub signers: Vec<String>,
}

struct Helper<'a> {
    certs: &'a [Cert],
    good: Vec<String>,
    bad: Vec<String>,
}

impl VerificationHelper for Helper<'_> {
    fn get_certs(&mut self, _ids: &[openpgp::KeyHandle]) -> openpgp::Result<Vec<Cert>> {
        Ok(self.certs.to_vec())
    }

    fn check(&mut self, structure: MessageStructure) -> openpgp::Result<()> {
        for layer in structure.into_iter() {
            match layer {
                MessageLayer::SignatureGroup { results } => {
                    for r in results {
                        match r {
                            Ok(g) => self.good.push(g.ka.cert().fingerprint().to_hex()),
                            Err(e) => self.bad.push(one_line(&e.to_string())),
                        }
                    }
                }
                MessageLayer::Compression { .. } => {}
                _ => return Err(anyhow::anyhow!("not a signed message")),
            }
        }
        if self.good.is_empty() {
            return Err(anyhow::anyhow!("no valid signature"));
        }
        Ok(())
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Verifies `InRelease` (`name` for messages) with `certs` at `policy`'s
/// time (one valid signature by any of them suffices, as apt's gpgv
/// does), then reads it: a `Valid-Until` in the past refuses it.
pub fn verify_inrelease(
    name: &str,
    bytes: &[u8],
    certs: &[Cert],
    policy: &Policy,
) -> Result<Release, ArchiveError> {
    if certs.is_empty() {
        return Err(err("the archive keyring holds no OpenPGP certificate"));
    }
    let helper = Helper {
        certs,
        good: Vec::new(),
        bad: Vec::new(),
    };
    let time = Some(system_time(policy.time()));
    let refused = |h: Option<&Helper>, e: &dyn std::fmt::Display| {
        let why = match h {
            Some(h) if !h.bad.is_empty() => h.bad.join("; "),
            _ => one_line(&e.to_string()),
        };
        err(format!(
            "{name}: no valid signature by a key of the archive keyring ({why})"
        ))
    };
    let mut v = VerifierBuilder::from_bytes(bytes)
        .map_err(|e| {
            err(format!(
                "{name}: not an OpenPGP signed message: {}",
                one_line(&e.to_string())
            ))
        })?
        .with_policy(policy.openpgp().policy(), time, helper)
        .map_err(|e| refused(None, &e))?;
    let mut text = Vec::new();
    let read = v.read_to_end(&mut text);
    let helper = v.into_helper();
    if let Err(e) = read {
        return Err(refused(Some(&helper), &e));
    }
    if helper.good.is_empty() {
        return Err(refused(Some(&helper), &"no signature"));
    }
    let text = String::from_utf8(text).map_err(|_| err(format!("{name}: not UTF-8 text")))?;
    let mut ps = paragraphs(&text).map_err(|e| err(format!("{name}: {e}")))?;
    if ps.len() != 1 {
        return Err(err(format!(
            "{name}: expected one Release paragraph, found {}",
            ps.len()
        )));
    }
    let fields = ps.remove(0);
    if let Some(v) = fields.get("Valid-Until") {
        let until = parse_release_date(v)
            .ok_or_else(|| err(format!("{name}: Valid-Until {v:?} is not a date")))?;
        if until < policy.time() {
            return Err(err(format!(
                "{name}: it expired on {} (Valid-Until); the archive index is stale",
                intoto_format::models::layout_time(until)
            )));
        }
    }
    let mut sha256 = Vec::new();
    for line in fields.get("SHA256").unwrap_or("").lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            [] => {}
            [h, size, path] if h.len() == 64 && intoto_format::format::is_hex(h) => {
                let size = size
                    .parse()
                    .map_err(|_| err(format!("{name}: SHA256 line {line:?}: bad size")))?;
                sha256.push(IndexEntry {
                    path: (*path).to_owned(),
                    size,
                    sha256: h.to_ascii_lowercase(),
                });
            }
            _ => return Err(err(format!("{name}: SHA256 line {line:?} is malformed"))),
        }
    }
    if sha256.is_empty() {
        return Err(err(format!("{name}: it lists no SHA256 index")));
    }
    Ok(Release {
        fields,
        sha256,
        signers: helper.good,
    })
}

impl IndexEntry {
    /// The entry for `data` listed as `path`.
    pub fn new(path: &str, data: &[u8]) -> IndexEntry {
        IndexEntry {
            path: path.to_owned(),
            size: data.len() as u64,
            sha256: hex::encode(Sha256::digest(data)),
        }
    }

    /// Whether it is a `Packages` index (`Packages`, `Packages.xz`, …).
    fn is_packages(&self) -> bool {
        let base = self.path.rsplit('/').next().unwrap_or("");
        base == "Packages" || base.starts_with("Packages.")
    }
}

impl Release {
    /// Checks that `data` (the file `name`) is a `Packages` index this
    /// release lists, by its own SHA-256 and size or, when compressed, by
    /// those of its decompressed content; returns the path listed and the
    /// decompressed bytes (every gzip member, xz stream or zstd frame, as
    /// apt reads them).
    ///
    /// A file listed as it is is decompressed only after its digest
    /// matched (up to [`MAX_INDEX`]); one that is not is decompressed no
    /// further than the size of the largest `Packages` index listed, since
    /// its content can only be one of them.
    pub fn check_index(&self, name: &str, data: &[u8]) -> Result<(String, Vec<u8>), ArchiveError> {
        let find = |bytes: &[u8]| self.listed(&Sha256::digest(bytes), bytes.len() as u64);
        if let Some(p) = find(data) {
            let plain = decompress(name, data)?;
            return Ok((p, plain));
        }
        let largest = self.largest_packages();
        match compressed::decompress(data, largest) {
            Ok(Some(plain)) => {
                if let Some(p) = find(&plain) {
                    return Ok((p, plain));
                }
            }
            Ok(None) => {}
            Err(compressed::Error::TooLarge(_)) => {
                return Err(not_listed(name, data, Some(largest)));
            }
            Err(e) => return Err(err(format!("{name}: cannot decompress: {e}"))),
        }
        Err(not_listed(name, data, None))
    }

    /// The path of the `Packages` index this release lists with this
    /// SHA-256 and size.
    fn listed(&self, sha256: &[u8], size: u64) -> Option<String> {
        let h = hex::encode(sha256);
        self.sha256
            .iter()
            .find(|e| e.sha256 == h && e.size == size && e.is_packages())
            .map(|e| e.path.clone())
    }

    /// The size of the largest `Packages` index listed (at most
    /// [`MAX_INDEX`]): how far an unlisted file is decompressed.
    fn largest_packages(&self) -> u64 {
        self.sha256
            .iter()
            .filter(|e| e.is_packages())
            .map(|e| e.size)
            .max()
            .unwrap_or(0)
            .min(MAX_INDEX)
    }
}

/// `data` decompressed by its magic bytes (xz, gzip, zstd: every member,
/// stream or frame), or as it is; at most [`MAX_INDEX`] bytes.
pub fn decompress(name: &str, data: &[u8]) -> Result<Vec<u8>, ArchiveError> {
    match compressed::decompress(data, MAX_INDEX) {
        Ok(Some(plain)) => Ok(plain),
        Ok(None) => Ok(data.to_vec()),
        Err(e @ compressed::Error::TooLarge(_)) => Err(err(format!("{name}: {e}"))),
        Err(e) => Err(err(format!("{name}: cannot decompress: {e}"))),
    }
}

/// One entry of a `Packages` index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageEntry {
    /// What it is.
    pub info: DebInfo,
    /// `Filename` (`pool/main/h/hello/hello_2.10-3_amd64.deb`).
    pub filename: String,
    /// `SHA256`, lowercase hex.
    pub sha256: String,
}

/// Reads every entry of a `Packages` index (`name` for messages).
pub fn parse_packages(name: &str, data: &[u8]) -> Result<Vec<PackageEntry>, ArchiveError> {
    let text = std::str::from_utf8(data).map_err(|_| err(format!("{name}: not UTF-8 text")))?;
    let ps = paragraphs(text).map_err(|e| err(format!("{name}: {e}")))?;
    ps.iter()
        .enumerate()
        .map(|(i, p)| entry_of(name, i, p))
        .collect()
}

/// Entry `i` (from 0) of the index `name`, read from its paragraph.
fn entry_of(name: &str, i: usize, p: &Control) -> Result<PackageEntry, ArchiveError> {
    let at = || {
        format!(
            "{name}: entry {} ({})",
            i + 1,
            p.get("Package").unwrap_or("no Package field")
        )
    };
    let info = DebInfo::from_control(p).map_err(|e| err(format!("{}: {e}", at())))?;
    let filename = p
        .get("Filename")
        .filter(|f| !f.is_empty())
        .ok_or_else(|| err(format!("{}: no Filename", at())))?
        .to_owned();
    let sha256 = p
        .get("SHA256")
        .filter(|h| h.len() == 64 && intoto_format::format::is_hex(h))
        .ok_or_else(|| err(format!("{}: no SHA256 of 64 hex digits", at())))?
        .to_ascii_lowercase();
    Ok(PackageEntry {
        info,
        filename,
        sha256,
    })
}

/// What is done with each entry of an index read as a stream; an error
/// stops the reading.
pub type EachEntry<'a> = dyn FnMut(PackageEntry) -> Result<(), ArchiveError> + 'a;

/// [`parse_packages`] on text given a piece at a time: never more than a
/// line is kept, and each entry goes to a callback as soon as its
/// paragraph ends.
pub struct PackagesParser<'a> {
    name: &'a str,
    paragraphs: ParagraphParser,
    /// The start of a line whose end has not come yet.
    partial: Vec<u8>,
    /// Entries read so far.
    entries: usize,
}

impl<'a> PackagesParser<'a> {
    /// A parser of the index `name` (for messages).
    pub fn new(name: &'a str) -> PackagesParser<'a> {
        PackagesParser {
            name,
            paragraphs: ParagraphParser::default(),
            partial: Vec::new(),
            entries: 0,
        }
    }

    /// Reads the next piece of the text.
    pub fn feed(&mut self, mut chunk: &[u8], each: &mut EachEntry) -> Result<(), ArchiveError> {
        while let Some(nl) = chunk.iter().position(|&b| b == b'\n') {
            let (line, rest) = chunk.split_at(nl);
            chunk = &rest[1..];
            if self.partial.is_empty() {
                self.line(line, each)?;
            } else {
                let mut whole = std::mem::take(&mut self.partial);
                whole.extend_from_slice(line);
                self.line(&whole, each)?;
                whole.clear();
                self.partial = whole;
            }
        }
        self.partial.extend_from_slice(chunk);
        Ok(())
    }

    /// The end of the text.
    pub fn finish(&mut self, each: &mut EachEntry) -> Result<(), ArchiveError> {
        let last = std::mem::take(&mut self.partial);
        self.line(&last, each)?;
        if let Some(p) = self.paragraphs.finish() {
            self.entry(&p, each)?;
        }
        Ok(())
    }

    /// Entries read so far.
    pub fn entries(&self) -> usize {
        self.entries
    }

    fn line(&mut self, line: &[u8], each: &mut EachEntry) -> Result<(), ArchiveError> {
        let name = self.name;
        let text = std::str::from_utf8(line).map_err(|_| err(format!("{name}: not UTF-8 text")))?;
        match self.paragraphs.line(text) {
            Ok(Some(p)) => self.entry(&p, each),
            Ok(None) => Ok(()),
            Err(e) => Err(err(format!("{name}: {e}"))),
        }
    }

    fn entry(&mut self, p: &Control, each: &mut EachEntry) -> Result<(), ArchiveError> {
        let e = entry_of(self.name, self.entries, p)?;
        self.entries += 1;
        each(e)
    }
}

impl Release {
    /// [`Release::check_index`] and [`parse_packages`] in one pass that
    /// keeps nothing decompressed: each entry goes to `each` as it is
    /// read; returns the path listed. When `data` is not listed as it is
    /// but may be by its decompressed content, `each` may have been
    /// given entries before that content turns out not to be listed (an
    /// error then); otherwise the errors are those of
    /// [`Release::check_index`], then of [`parse_packages`].
    pub fn read_index(
        &self,
        name: &str,
        data: &[u8],
        each: &mut EachEntry,
    ) -> Result<String, ArchiveError> {
        if let Some(p) = self.listed(&Sha256::digest(data), data.len() as u64) {
            read_packages(name, data, each)?;
            return Ok(p);
        }
        let largest = self.largest_packages();
        // Its content is hashed to the end; entries (and the first error
        // reading them) count only once it is found listed.
        let mut parser = PackagesParser::new(name);
        let mut parsed: Result<(), ArchiveError> = Ok(());
        let mut h = Sha256::new();
        let mut size: u64 = 0;
        let mut sink = |chunk: &[u8]| {
            h.update(chunk);
            size += chunk.len() as u64;
            if parsed.is_ok() {
                parsed = parser.feed(chunk, each);
            }
            true
        };
        match compressed::decompress_into(data, largest, &mut sink) {
            Ok(true) => {
                if let Some(p) = self.listed(&h.finalize(), size) {
                    parsed?;
                    parser.finish(each)?;
                    return Ok(p);
                }
            }
            Ok(false) => {}
            Err(compressed::Error::TooLarge(_)) => {
                return Err(not_listed(name, data, Some(largest)));
            }
            Err(e) => return Err(err(format!("{name}: cannot decompress: {e}"))),
        }
        Err(not_listed(name, data, None))
    }
}

/// The refusal of `data` (the file `name`), which is not a `Packages`
/// index the release lists; `too_large`: the size it decompressed beyond.
fn not_listed(name: &str, data: &[u8], too_large: Option<u64>) -> ArchiveError {
    let head = format!(
        "{name}: its SHA256 {} is not among the Packages indexes the release file lists",
        hex::encode(Sha256::digest(data))
    );
    err(match too_large {
        Some(largest) => format!(
            "{head}, and it decompresses to more than the {largest} bytes of the largest of them: it is not this archive's index (or it was altered)"
        ),
        None => format!("{head}: it is not this archive's index (or it was altered)"),
    })
}

/// Every entry of the `Packages` index `data` (compressed or not, as
/// [`decompress`] reads it: at most [`MAX_INDEX`] bytes), each given to
/// `each` as soon as it is read; nothing decompressed is kept.
pub fn read_packages(name: &str, data: &[u8], each: &mut EachEntry) -> Result<(), ArchiveError> {
    let mut parser = PackagesParser::new(name);
    let mut parsed: Result<(), ArchiveError> = Ok(());
    let mut sink = |chunk: &[u8]| {
        parsed = parser.feed(chunk, each);
        parsed.is_ok()
    };
    match compressed::decompress_into(data, MAX_INDEX, &mut sink) {
        Ok(true) => parsed?,
        Ok(false) => parser.feed(data, each)?,
        Err(e @ compressed::Error::TooLarge(_)) => return Err(err(format!("{name}: {e}"))),
        Err(e) => return Err(err(format!("{name}: cannot decompress: {e}"))),
    }
    parser.finish(each)
}

/// `K/N`: this runner's part of an archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which part, `0 ≤ k < n`.
    pub k: u64,
    /// How many parts.
    pub n: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("{s:?}: expected K/N with 0 <= K < N (e.g. 0/4 … 3/4)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u64, u64) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if n == 0 || k >= n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl Shard {
    /// Whether the packages of `source` are this shard's.
    pub fn takes(&self, source: &str) -> bool {
        shard_of(source, self.n) == self.k
    }
}

/// The shard of a source package among `n`: the first 8 bytes of the
/// SHA-256 of its name, as a big-endian integer, modulo `n`.
pub fn shard_of(source: &str, n: u64) -> u64 {
    let d = Sha256::digest(source.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_be_bytes(b) % n.max(1)
}

/// A `Release` date (RFC 2822 as Debian writes it:
/// `Sat, 02 Dec 2026 01:35:34 UTC`, also `+0000`/`GMT` and without the
/// weekday), in seconds since the epoch.
pub fn parse_release_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = match s.split_once(',') {
        Some((_, rest)) => rest.trim(),
        None => s,
    };
    let p: Vec<&str> = s.split_whitespace().collect();
    let [d, mon, y, hms, zone] = p.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(mon))? as i64 + 1;
    let d: i64 = d.parse().ok()?;
    let y: i64 = y.parse().ok()?;
    let t: Vec<i64> = hms
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let [h, mi, se] = t.as_slice() else {
        return None;
    };
    if !(1..=31).contains(&d) || *h > 23 || *mi > 59 || *se > 60 {
        return None;
    }
    let offset = match *zone {
        "UTC" | "GMT" | "Z" => 0,
        z if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            let hh: i64 = z[1..3].parse().ok()?;
            let mm: i64 = z[3..5].parse().ok()?;
            let o = hh * 3600 + mm * 60;
            if z.starts_with('-') { -o } else { o }
        }
        _ => return None,
    };
    Some(days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + se - offset)
}

#[cfg(test)]
mod tests;
