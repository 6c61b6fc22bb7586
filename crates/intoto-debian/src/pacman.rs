//! What an Arch Linux package (`.pkg.tar.zst`, `.xz`, `.gz` or plain
//! `.tar`) says it is: its `.PKGINFO` (`pkgname`, `pkgbase`, `pkgver`,
//! `arch`), read from the first members of the archive, streamed and
//! bounded (makepkg writes the metadata first).
//!
//! [`PkgInfo::as_deb_info`] puts it where the rest of this crate expects a
//! package's identity: rebuilderd answers for Arch Linux with the same
//! API (`name`, `version`, `architecture`), and the layout's parameters
//! stay `{PACKAGE}`, `{VERSION}`, `{ARCHITECTURE}`, `{SOURCE}` (`pkgbase`)
//! and `{DEB}` (the package's file name).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use super::deb::DebInfo;

/// Largest `.PKGINFO` read.
pub const MAX_PKGINFO: u64 = 1 << 20;
/// Members looked at before `.PKGINFO` must have come.
pub const MAX_MEMBERS: usize = 16;
/// Most bytes decompressed while looking for it.
pub const MAX_HEAD: u64 = 64 << 20;

/// A package's identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PkgInfo {
    /// `pkgname`.
    pub name: String,
    /// `pkgbase` (`pkgname` when absent).
    pub base: String,
    /// `pkgver` (with its epoch and release: `1:2.3-1`).
    pub version: String,
    /// `arch` (`x86_64`, `any`).
    pub arch: String,
}

/// Why a package's identity could not be read (names the file).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PacmanError {
    /// It could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The error.
        source: io::Error,
    },
    /// It is not a pacman package.
    #[error("{file}: not a pacman package: {why}")]
    Format {
        /// The file.
        file: String,
        /// Why.
        why: String,
    },
}

impl PkgInfo {
    /// The identity as the rebuilder and check code takes it.
    pub fn as_deb_info(&self) -> DebInfo {
        DebInfo {
            package: self.name.clone(),
            version: self.version.clone(),
            architecture: self.arch.clone(),
            source: self.base.clone(),
            source_version: self.version.clone(),
        }
    }

    /// Parses `.PKGINFO` text (`key = value` lines, `#` comments).
    pub fn parse(file: &str, text: &str) -> Result<PkgInfo, PacmanError> {
        let get = |k: &str| {
            text.lines()
                .filter_map(|l| l.split_once('='))
                .find(|(key, _)| key.trim() == k)
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let need = |k: &str| {
            get(k).ok_or_else(|| PacmanError::Format {
                file: file.to_owned(),
                why: format!(".PKGINFO has no {k}"),
            })
        };
        let name = need("pkgname")?;
        Ok(PkgInfo {
            base: get("pkgbase").unwrap_or_else(|| name.clone()),
            version: need("pkgver")?,
            arch: need("arch")?,
            name,
        })
    }
}

/// Is `name` (a file or URL's last segment) a package, not a database or
/// a signature?
pub fn is_package(name: &str) -> bool {
    [".pkg.tar.zst", ".pkg.tar.xz", ".pkg.tar.gz", ".pkg.tar"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Reads the `.PKGINFO` of the package at `path`.
pub fn read_pkginfo(path: &Path) -> Result<PkgInfo, PacmanError> {
    let file = path.display().to_string();
    let io = |source: io::Error| PacmanError::Io {
        file: file.clone(),
        source,
    };
    let bad = |why: String| PacmanError::Format {
        file: file.clone(),
        why,
    };
    let mut f = BufReader::new(File::open(path).map_err(io)?);
    let mut magic = [0u8; 6];
    let n = read_up_to(&mut f, &mut magic).map_err(io)?;
    let head = std::io::Cursor::new(magic[..n].to_vec()).chain(f);
    let reader: Box<dyn Read> = if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(
            ruzstd::decoding::StreamingDecoder::new(head).map_err(|e| bad(format!("zstd: {e}")))?,
        )
    } else if magic.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Box::new(xz2::read::XzDecoder::new(head))
    } else if magic.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::GzDecoder::new(head))
    } else {
        Box::new(head)
    };
    let mut archive = tar::Archive::new(reader.take(MAX_HEAD));
    let entries = archive.entries().map_err(|e| bad(format!("tar: {e}")))?;
    for entry in entries.take(MAX_MEMBERS) {
        let entry = entry.map_err(|e| bad(format!("tar: {e}")))?;
        let is_info = entry.path().is_ok_and(|p| p.as_os_str() == ".PKGINFO");
        if !is_info {
            continue;
        }
        if entry.size() > MAX_PKGINFO {
            return Err(bad(format!(
                ".PKGINFO of {} bytes (at most {MAX_PKGINFO} read)",
                entry.size()
            )));
        }
        let mut text = String::new();
        entry
            .take(MAX_PKGINFO)
            .read_to_string(&mut text)
            .map_err(|e| bad(format!(".PKGINFO: {e}")))?;
        return PkgInfo::parse(&file, &text);
    }
    Err(bad(format!(
        "no .PKGINFO among its first {MAX_MEMBERS} members"
    )))
}

/// Largest download.
pub const MAX_DOWNLOAD: u64 = 16 << 30;
/// Time to connect, and to wait for an answer's head.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Time for a whole download's body.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);

/// Why a download failed (names the URL or the file).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DownloadError {
    /// The server could not be reached, answered an error or too slowly,
    /// or the body was too large.
    #[error("{url}: {why}")]
    Http {
        /// The URL.
        url: String,
        /// What went wrong.
        why: String,
    },
    /// The file could not be written.
    #[error("{file}: {source}")]
    Write {
        /// The file (or its directory).
        file: String,
        /// The error.
        source: io::Error,
    },
}

/// Downloads `url` into a new file in `dir` (fsynced; removed unless the
/// caller persists it), bounded by [`MAX_DOWNLOAD`] and the timeouts.
pub fn download(url: &str, dir: &Path) -> Result<tempfile::NamedTempFile, DownloadError> {
    use std::io::Write as _;
    let http = |why: String| DownloadError::Http {
        url: url.to_owned(),
        why,
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_recv_response(Some(CONNECT_TIMEOUT))
        .timeout_recv_body(Some(BODY_TIMEOUT))
        .user_agent(concat!("intoto/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut resp = agent.get(url).call().map_err(|e| http(e.to_string()))?;
    let status = resp.status().as_u16();
    if status != 200 {
        return Err(http(format!("HTTP {status}")));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".intoto-pacman-")
        .tempfile_in(dir)
        .map_err(|source| DownloadError::Write {
            file: dir.display().to_string(),
            source,
        })?;
    let written = |source: io::Error, tmp: &tempfile::NamedTempFile| DownloadError::Write {
        file: tmp.path().display().to_string(),
        source,
    };
    let mut body = resp.body_mut().with_config().limit(MAX_DOWNLOAD).reader();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = body.read(&mut buf).map_err(|e| http(e.to_string()))?;
        if n == 0 {
            break;
        }
        if let Err(e) = tmp.write_all(&buf[..n]) {
            return Err(written(e, &tmp));
        }
    }
    if let Err(e) = tmp.as_file().sync_all() {
        return Err(written(e, &tmp));
    }
    Ok(tmp)
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(dir: &Path, info: &str, compress: bool) -> std::path::PathBuf {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(info.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, ".PKGINFO", info.as_bytes()).unwrap();
        let tar = b.into_inner().unwrap();
        let (name, bytes) = if compress {
            let mut e = xz2::write::XzEncoder::new(Vec::new(), 1);
            std::io::Write::write_all(&mut e, &tar).unwrap();
            ("p.pkg.tar.xz", e.finish().unwrap())
        } else {
            ("p.pkg.tar", tar)
        };
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn pkginfo_from_plain_and_compressed_packages() {
        let d = tempfile::tempdir().unwrap();
        let info = "# Generated by makepkg\npkgname = good\npkgbase = goods\npkgver = 1:1.0-1\narch = any\n";
        for compress in [false, true] {
            let p = package(d.path(), info, compress);
            let i = read_pkginfo(&p).unwrap();
            assert_eq!(
                (
                    i.name.as_str(),
                    i.base.as_str(),
                    i.version.as_str(),
                    i.arch.as_str()
                ),
                ("good", "goods", "1:1.0-1", "any")
            );
            assert_eq!(i.as_deb_info().source, "goods");
        }
        let p = package(d.path(), "pkgname = x\narch = any\n", false);
        let e = read_pkginfo(&p).unwrap_err().to_string();
        assert!(e.ends_with(".PKGINFO has no pkgver"), "{e}");
        std::fs::write(d.path().join("junk"), b"not a package at all").unwrap();
        assert!(read_pkginfo(&d.path().join("junk")).is_err());
        assert!(is_package("good-1.0-1-any.pkg.tar.zst"));
        assert!(!is_package("good-1.0-1-any.pkg.tar.zst.sig"));
        assert!(!is_package("core.db"));
    }
}
