//! Compressed data as apt reads it: gzip, xz or zstd, told apart by their
//! magic bytes, every gzip member, xz stream and zstd frame decoded one
//! after the other (as `gzip -d`, `xz -d`, `zstd -d` and apt's `FileFd`
//! do), and never more than a given number of bytes out.
//!
//! Anything after the last member that is not another member (trailing
//! data) is refused: what apt would read there is either another member,
//! which is decoded, or garbage, which no archive writes.

use std::io::{self, Read};

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{FrameDecoder, StreamingDecoder};

/// A compression format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `1f 8b`.
    Gzip,
    /// `fd 37 7a 58 5a 00`.
    Xz,
    /// `28 b5 2f fd` (a skippable frame first is not recognised).
    Zstd,
}

impl Format {
    /// The format `data` starts with, if any.
    pub fn of(data: &[u8]) -> Option<Format> {
        if data.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Some(Format::Xz)
        } else if data.starts_with(&[0x1f, 0x8b]) {
            Some(Format::Gzip)
        } else if data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Format::Zstd)
        } else {
            None
        }
    }

    /// `gzip`, `xz` or `zstd`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Gzip => "gzip",
            Format::Xz => "xz",
            Format::Zstd => "zstd",
        }
    }
}

/// Why compressed data could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// It decodes to more than the limit (in bytes).
    #[error("larger than {} once decompressed", size(*.0))]
    TooLarge(u64),
    /// It is damaged, truncated, or followed by data that is not another
    /// member.
    #[error("{}: {why}", format.name())]
    Damaged {
        /// Its format.
        format: Format,
        /// What went wrong.
        why: String,
    },
}

/// `n` bytes in the largest whole unit (`64 MiB`, `1000 bytes`).
fn size(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

/// `data` decompressed (every member), at most `max` bytes; `Ok(None)`
/// when it is not compressed.
pub fn decompress(data: &[u8], max: u64) -> Result<Option<Vec<u8>>, Error> {
    let Some(format) = Format::of(data) else {
        return Ok(None);
    };
    let reader: Box<dyn Read + '_> = match format {
        Format::Gzip => Box::new(flate2::read::MultiGzDecoder::new(data)),
        Format::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(data)),
        Format::Zstd => Box::new(ZstdFrames::new(data)),
    };
    read_at_most(reader, max)
        .map(Some)
        .map_err(|e| e.into_error(format))
}

/// A reader of `data` decompressed (every member), and its format;
/// `None` when it is not compressed. Unbounded: the caller limits what it
/// reads.
pub fn reader(data: &[u8]) -> Option<(Format, Box<dyn Read + Send + '_>)> {
    let format = Format::of(data)?;
    let reader: Box<dyn Read + Send + '_> = match format {
        Format::Gzip => Box::new(flate2::read::MultiGzDecoder::new(data)),
        Format::Xz => Box::new(xz2::read::XzDecoder::new_multi_decoder(data)),
        Format::Zstd => Box::new(ZstdFrames::new(data)),
    };
    Some((format, reader))
}

/// Decompresses `data` (every member) into `sink`, a piece at a time, at
/// most `max` bytes; `Ok(false)` when it is not compressed (nothing is
/// given to `sink`). Stops as soon as `sink` answers `false`.
pub fn decompress_into(
    data: &[u8],
    max: u64,
    sink: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<bool, Error> {
    let Some((format, mut r)) = reader(data) else {
        return Ok(false);
    };
    let mut buf = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(true),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e).into_error(format)),
        };
        total += n as u64;
        if total > max {
            return Err(Error::TooLarge(max));
        }
        if !sink(&buf[..n]) {
            return Ok(true);
        }
    }
}

/// zstd data (every frame) decompressed, at most `max` bytes.
pub fn unzstd(data: &[u8], max: u64) -> Result<Vec<u8>, Error> {
    read_at_most(ZstdFrames::new(data), max).map_err(|e| e.into_error(Format::Zstd))
}

enum ReadError {
    TooLarge(u64),
    Io(io::Error),
}

impl ReadError {
    fn into_error(self, format: Format) -> Error {
        match self {
            ReadError::TooLarge(max) => Error::TooLarge(max),
            ReadError::Io(e) => Error::Damaged {
                format,
                why: e.to_string(),
            },
        }
    }
}

fn read_at_most(r: impl Read, max: u64) -> Result<Vec<u8>, ReadError> {
    let mut out = Vec::new();
    r.take(max.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(ReadError::Io)?;
    if out.len() as u64 > max {
        return Err(ReadError::TooLarge(max));
    }
    Ok(out)
}

/// Every frame of zstd data, one after the other (ruzstd's decoder reads
/// one): skippable frames are skipped, checksums are checked, and bytes
/// that are not a frame after one are an error.
struct ZstdFrames<'a> {
    rest: &'a [u8],
    frame: Option<StreamingDecoder<&'a [u8], FrameDecoder>>,
    /// Whether a frame (skippable or not) came before.
    after_frame: bool,
}

impl<'a> ZstdFrames<'a> {
    fn new(data: &'a [u8]) -> ZstdFrames<'a> {
        ZstdFrames {
            rest: data,
            frame: None,
            after_frame: false,
        }
    }

    /// Starts the next frame; `false` at the end of the data.
    fn next_frame(&mut self) -> io::Result<bool> {
        loop {
            if self.rest.is_empty() {
                return Ok(false);
            }
            match StreamingDecoder::new(self.rest) {
                Ok(d) => {
                    self.frame = Some(d);
                    self.after_frame = true;
                    return Ok(true);
                }
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    // Magic number and length (8 bytes), then `length` bytes.
                    let skip = 8usize.saturating_add(length as usize);
                    self.rest = self.rest.get(skip..).ok_or_else(|| {
                        io::Error::other("a skippable frame runs past the end of the data")
                    })?;
                    self.after_frame = true;
                }
                Err(FrameDecoderError::ReadFrameHeaderError(
                    ReadFrameHeaderError::BadMagicNumber(_),
                )) if self.after_frame => {
                    return Err(io::Error::other(format!(
                        "{} bytes after the last frame are not a zstd frame",
                        self.rest.len()
                    )));
                }
                Err(e) => return Err(io::Error::other(e)),
            }
        }
    }
}

impl Read for ZstdFrames<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(d) = &mut self.frame {
                let n = d.read(buf)?;
                if n > 0 {
                    return Ok(n);
                }
                // The frame is done: its checksum, then what follows it.
                let (rest, decoder) = self.frame.take().expect("a frame").into_parts();
                if let (Some(want), Some(got)) = (
                    decoder.get_checksum_from_data(),
                    decoder.get_calculated_checksum(),
                ) && want != got
                {
                    return Err(io::Error::other(format!(
                        "a frame's checksum is {want:08x}, its content's {got:08x}"
                    )));
                }
                self.rest = rest;
            }
            if !self.next_frame()? {
                return Ok(0);
            }
        }
    }
}

#[cfg(test)]
mod tests;
