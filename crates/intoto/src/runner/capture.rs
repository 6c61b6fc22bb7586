//! Capturing a command's streams for its link: spooled to a private
//! temporary file, at most [`RECORD_CAP`] bytes of each, however much the
//! command writes. What comes after the cap is still shown and counted,
//! never kept: memory and disk stay bounded, and every link stays small
//! enough to be loaded (by intoto, whose limit is 1 GiB, and by the
//! reference).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;

use crate::fsio::PrivateDir;

/// How many bytes of each stream are recorded: the first 16 MiB (some
/// 200,000 lines of a build log). Even when every byte is a control
/// character (written `\u00XX` in JSON, six times its size) both streams
/// take 192 MiB of canonical JSON, 256 MiB in a DSSE envelope's base64,
/// far under the 1 GiB intoto loads; the memory a run needs is a few
/// times that of the text recorded.
pub const RECORD_CAP: u64 = 16 << 20;

/// How much of a recorded stream the command wrote and how much of it the
/// link holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extent {
    /// Bytes the command wrote.
    pub written: u64,
    /// Bytes recorded: the first ones, all of them unless more than
    /// [`RECORD_CAP`] came (then cut back to a whole UTF-8 character).
    pub recorded: u64,
}

impl Extent {
    /// True when the link holds less than the command wrote.
    pub fn truncated(&self) -> bool {
        self.recorded < self.written
    }
}

/// One stream's spool: the first [`RECORD_CAP`] bytes in a file.
struct Spool {
    file: File,
    kept: u64,
    written: u64,
    /// A write failed (a full disk): nothing more is kept.
    stopped: bool,
}

impl Spool {
    fn new(dir: &PrivateDir, name: &str) -> io::Result<Spool> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW)
            .open(dir.path().join(name))?;
        Ok(Spool {
            file,
            kept: 0,
            written: 0,
            stopped: false,
        })
    }

    fn push(&mut self, b: &[u8]) {
        self.written += b.len() as u64;
        let room = RECORD_CAP.saturating_sub(self.kept);
        let take = &b[..b.len().min(room as usize)];
        if take.is_empty() || self.stopped {
            return;
        }
        if self.file.write_all(take).is_ok() {
            self.kept += take.len() as u64;
        } else {
            // A full disk: what was kept so far is what is recorded (the
            // link says how much the command wrote).
            self.stopped = true;
        }
    }

    /// What is recorded, as bytes, and its extent.
    fn finish(self) -> io::Result<(Vec<u8>, Extent)> {
        let mut bytes = Vec::new();
        let mut f = self.file;
        f.seek(SeekFrom::Start(0))?;
        bytes.reserve_exact(self.kept as usize);
        f.take(self.kept).read_to_end(&mut bytes)?;
        if (bytes.len() as u64) < self.written {
            // Cut before a character the cap split, so that the end of
            // what is recorded is not a replacement character.
            let cut = whole_chars(&bytes);
            bytes.truncate(cut);
        }
        let recorded = bytes.len() as u64;
        Ok((
            bytes,
            Extent {
                written: self.written,
                recorded,
            },
        ))
    }
}

/// The length of `b` without a UTF-8 sequence left incomplete at its end.
fn whole_chars(b: &[u8]) -> usize {
    // A sequence is at most 4 bytes: look at the last 3 for its start.
    for back in 1..=3.min(b.len()) {
        let i = b.len() - back;
        let c = b[i];
        if c & 0xC0 == 0x80 {
            continue; // a continuation byte
        }
        let need = match c {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if back < need { i } else { b.len() };
    }
    b.len()
}

/// Both streams' spools, in a private temporary directory (removed when
/// dropped, and on SIGINT, SIGTERM and SIGHUP).
pub(super) struct Captures {
    out: Spool,
    err: Spool,
    _dir: PrivateDir,
}

impl Captures {
    /// Made before the command runs: a failure here runs nothing.
    pub(super) fn new() -> io::Result<Captures> {
        let dir = PrivateDir::new(None, "intoto-streams-")?;
        Ok(Captures {
            out: Spool::new(&dir, "stdout")?,
            err: Spool::new(&dir, "stderr")?,
            _dir: dir,
        })
    }

    pub(super) fn push(&mut self, b: &[u8], is_err: bool) {
        if is_err {
            self.err.push(b);
        } else {
            self.out.push(b);
        }
    }

    /// The recorded text of stdout and stderr (see
    /// [`super::universal_newlines`]) and their extents.
    pub(super) fn finish(self) -> io::Result<[(String, Extent); 2]> {
        let (out, oe) = self.out.finish()?;
        let out = super::universal_newlines(&out);
        let (err, ee) = self.err.finish()?;
        let err = super::universal_newlines(&err);
        Ok([(out, oe), (err, ee)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_never_splits_a_character() {
        assert_eq!(whole_chars(b"abc"), 3);
        assert_eq!(whole_chars("aé".as_bytes()), 3);
        assert_eq!(whole_chars(&"aé".as_bytes()[..2]), 1);
        assert_eq!(whole_chars(&"a€".as_bytes()[..3]), 1);
        assert_eq!(whole_chars("a€".as_bytes()), 4);
        assert_eq!(whole_chars(&"a😀".as_bytes()[..4]), 1);
        assert_eq!(whole_chars("a😀".as_bytes()), 5);
        // Invalid bytes are left as they are (they are recorded as U+FFFD).
        assert_eq!(whole_chars(b"a\xff"), 2);
        assert_eq!(whole_chars(b""), 0);
    }

    #[test]
    fn only_the_cap_is_kept() {
        let dir = PrivateDir::new(None, "intoto-test-").unwrap();
        let mut s = Spool::new(&dir, "x").unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..(RECORD_CAP >> 20) {
            s.push(&chunk);
        }
        s.push(b"more");
        let (bytes, e) = s.finish().unwrap();
        assert_eq!(bytes.len() as u64, RECORD_CAP);
        assert_eq!(
            e,
            Extent {
                written: RECORD_CAP + 4,
                recorded: RECORD_CAP
            }
        );
        assert!(e.truncated());
        let mut s = Spool::new(&dir, "y").unwrap();
        s.push(b"short");
        let (bytes, e) = s.finish().unwrap();
        assert_eq!((bytes.as_slice(), e.truncated()), (&b"short"[..], false));
    }
}
