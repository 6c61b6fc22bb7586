use std::io::Write as _;

use super::*;

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = xz2::write::XzEncoder::new(Vec::new(), 6);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zst(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

const ONE: &[u8] = b"Package: one\nVersion: 1\n\n";
const TWO: &[u8] = b"Package: two\nVersion: 2\n";

#[test]
fn every_member_and_frame_is_decoded() {
    let both = cat(&[ONE, TWO]);
    for (name, c) in [
        ("gzip", gz as fn(&[u8]) -> Vec<u8>),
        ("xz", xz as fn(&[u8]) -> Vec<u8>),
        ("zstd", zst as fn(&[u8]) -> Vec<u8>),
    ] {
        let two_members = cat(&[&c(ONE), &c(TWO)]);
        assert_eq!(
            decompress(&two_members, 1 << 20).unwrap().as_deref(),
            Some(&both[..]),
            "{name}"
        );
        // An empty member in between changes nothing.
        let three = cat(&[&c(ONE), &c(b""), &c(TWO)]);
        assert_eq!(
            decompress(&three, 1 << 20).unwrap().as_deref(),
            Some(&both[..]),
            "{name}"
        );
        // Bytes after the last member that are not a member: refused.
        let trailing = cat(&[&c(ONE), b"Package: evil\n"]);
        let e = decompress(&trailing, 1 << 20).unwrap_err();
        assert!(matches!(e, Error::Damaged { .. }), "{name}: {e}");
        assert!(e.to_string().starts_with(name), "{e}");
        // The limit counts every member.
        let e = decompress(&two_members, both.len() as u64 - 1).unwrap_err();
        assert!(matches!(e, Error::TooLarge(_)), "{name}: {e}");
        assert_eq!(
            decompress(&two_members, both.len() as u64)
                .unwrap()
                .unwrap(),
            both
        );
    }
    // Not compressed: as it is.
    assert_eq!(decompress(ONE, 1).unwrap(), None);
}

#[test]
fn zstd_skippable_frames_and_checksums() {
    let both = cat(&[ONE, TWO]);
    let mut skippable = vec![0x50, 0x2a, 0x4d, 0x18];
    skippable.extend(5u32.to_le_bytes());
    skippable.extend(b"12345");
    let data = cat(&[&zst(ONE), &skippable, &zst(TWO), &skippable]);
    assert_eq!(unzstd(&data, 1 << 20).unwrap(), both);
    // A skippable frame longer than the data.
    let mut short = cat(&[&zst(ONE), &skippable]);
    short.truncate(short.len() - 1);
    let e = unzstd(&short, 1 << 20).unwrap_err().to_string();
    assert!(e.contains("runs past the end"), "{e}");
    // A frame whose checksum does not match its content.
    let mut bad = zst(ONE);
    let n = bad.len();
    bad[n - 1] ^= 1;
    let e = unzstd(&bad, 1 << 20).unwrap_err().to_string();
    assert!(e.contains("checksum"), "{e}");
    let e = unzstd(b"not zstd", 1 << 20).unwrap_err().to_string();
    assert!(e.starts_with("zstd: "), "{e}");
    let e = unzstd(&cat(&[&zst(ONE), b"junk"]), 1 << 20)
        .unwrap_err()
        .to_string();
    assert!(e.contains("4 bytes after the last frame"), "{e}");
    assert_eq!(
        unzstd(&zst(&[0; 3000]), 2048).unwrap_err().to_string(),
        "larger than 2 KiB once decompressed"
    );
}
