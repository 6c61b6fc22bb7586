//! Passphrases read from a file (`--passphrase-file`), as gpg reads them:
//! the first line, without its newline. The secret never appears on a
//! command line (shell history, the process list).
//!
//! The file may be a pipe (`--passphrase-file <(pass show key)`) or
//! `/dev/stdin`: it is read until the first newline, at most
//! [`MAX_PASSPHRASE_BYTES`], never to its end. An empty first line is
//! refused: in CI it is what an unset secret gives.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The longest passphrase read (gpg-agent takes at most 255 bytes from a
/// loopback pinentry; PEM passwords are rarely longer).
pub const MAX_PASSPHRASE_BYTES: usize = 4096;

/// Why a passphrase file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PassphraseFileError {
    /// It could not be opened or read.
    #[error("passphrase file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Its first line is longer than [`MAX_PASSPHRASE_BYTES`].
    #[error("passphrase file {path}: the first line is longer than {max} bytes")]
    TooLong {
        /// The file.
        path: PathBuf,
        /// The limit.
        max: usize,
    },
    /// Its first line is empty.
    #[error("passphrase file {path} is empty (its first line is): is the secret set?")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The passphrase is not UTF-8.
    #[error("passphrase file {path}: the passphrase is not UTF-8 text")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
}

/// The passphrase in the first line of `path` (its `\n` stripped, as gpg
/// does; a `\r` before it is kept, as gpg does).
pub fn read_passphrase_file(path: &Path) -> Result<String, PassphraseFileError> {
    let io = |source| PassphraseFileError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut limited = file.take(MAX_PASSPHRASE_BYTES as u64 + 1);
    let mut line = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        let n = match limited.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        if n == 0 {
            break;
        }
        if let Some(end) = buf[..n].iter().position(|b| *b == b'\n') {
            line.extend_from_slice(&buf[..end]);
            break;
        }
        line.extend_from_slice(&buf[..n]);
        if line.len() > MAX_PASSPHRASE_BYTES {
            break;
        }
    }
    if line.len() > MAX_PASSPHRASE_BYTES {
        return Err(PassphraseFileError::TooLong {
            path: path.to_owned(),
            max: MAX_PASSPHRASE_BYTES,
        });
    }
    if line.is_empty() {
        return Err(PassphraseFileError::Empty {
            path: path.to_owned(),
        });
    }
    String::from_utf8(line).map_err(|_| PassphraseFileError::NotUtf8 {
        path: path.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_without_its_newline() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("pp");
        let read = |bytes: &[u8]| {
            std::fs::write(&p, bytes).unwrap();
            read_passphrase_file(&p)
        };
        assert_eq!(read(b"secret\n").unwrap(), "secret");
        assert_eq!(read(b"secret").unwrap(), "secret");
        assert_eq!(read(b"two words\nsecond line\n").unwrap(), "two words");
        assert_eq!(read(b"crlf\r\n").unwrap(), "crlf\r");
        assert!(matches!(
            read(b"\nlater"),
            Err(PassphraseFileError::Empty { .. })
        ));
        assert!(matches!(read(b""), Err(PassphraseFileError::Empty { .. })));
        assert!(matches!(
            read(b"\xff\xfe\n"),
            Err(PassphraseFileError::NotUtf8 { .. })
        ));
        let long = vec![b'a'; MAX_PASSPHRASE_BYTES + 1];
        assert!(matches!(
            read(&long),
            Err(PassphraseFileError::TooLong { .. })
        ));
        let exact = vec![b'a'; MAX_PASSPHRASE_BYTES];
        assert_eq!(read(&exact).unwrap().len(), MAX_PASSPHRASE_BYTES);
        // A device without end: only the bound is read.
        let e = read_passphrase_file(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(e, PassphraseFileError::TooLong { .. }), "{e}");
        let e = read_passphrase_file(&d.path().join("missing")).unwrap_err();
        assert!(e.to_string().starts_with("passphrase file "), "{e}");
    }
}
