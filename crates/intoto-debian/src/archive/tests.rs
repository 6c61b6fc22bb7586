use super::*;

#[test]
fn shards_are_stable_and_cover_every_source_once() {
    // Values computed independently (Python: int.from_bytes(sha256(name)[:8], "big") % n).
    assert_eq!(shard_of("hello", 7), 0);
    assert_eq!(shard_of("coreutils", 7), 5);
    assert_eq!(shard_of("rust-as-slice", 7), 5);
    for name in ["hello", "coreutils", "bash", "rust-as-slice", "zlib"] {
        let owners: Vec<u64> = (0..3)
            .filter(|k| Shard { k: *k, n: 3 }.takes(name))
            .collect();
        assert_eq!(owners.len(), 1, "{name}");
    }
    assert_eq!("1/2".parse::<Shard>(), Ok(Shard { k: 1, n: 2 }));
    for bad in ["2/2", "0/0", "1", "a/b", "-1/2", "1/2/3"] {
        assert!(bad.parse::<Shard>().is_err(), "{bad}");
    }
}

#[test]
fn release_dates_as_debian_writes_them() {
    assert_eq!(
        parse_release_date("Sat, 02 Dec 2026 01:35:34 UTC"),
        Some(1796175334)
    );
    assert_eq!(
        parse_release_date("02 Dec 2026 02:35:34 +0100"),
        Some(1796175334)
    );
    for bad in [
        "",
        "yesterday",
        "Sat, 32 Dec 2026 01:35:34 UTC",
        "Sat, 02 Foo 2026 01:35:34 UTC",
        "Sat, 02 Dec 2026 01:35 UTC",
        "Sat, 02 Dec 2026 01:35:34 CET",
    ] {
        assert_eq!(parse_release_date(bad), None, "{bad}");
    }
}

const PACKAGES: &str = "Package: hello\nVersion: 1:2.10-3\nArchitecture: amd64\nFilename: pool/main/h/hello/hello_2.10-3_amd64.deb\nSize: 10\nSHA256: 00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF\nDescription: hi\n there\n\nPackage: libhello1\nSource: hello (2.10-3)\nVersion: 1:2.10-3+b1\nArchitecture: amd64\nFilename: pool/main/h/hello/libhello1_2.10-3+b1_amd64.deb\nSHA256: ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n";

#[test]
fn packages_entries_are_read_with_their_source_and_digest() {
    let ps = parse_packages("Packages", PACKAGES.as_bytes()).unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0].info.source, "hello");
    assert_eq!(ps[0].info.version, "1:2.10-3");
    assert_eq!(
        ps[0].sha256,
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
    );
    assert_eq!(ps[1].info.source, "hello");
    assert_eq!(ps[1].info.source_version, "2.10-3");
    assert_eq!(ps[1].info.pool_file_name(), "libhello1_2.10-3+b1_amd64.deb");
    let e = parse_packages(
        "P",
        b"Package: x1\nVersion: 1\nArchitecture: all\nFilename: a.deb\n",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("entry 1 (x1)") && e.contains("SHA256"), "{e}");
    let e = parse_packages("P", b"Package: x1\nArchitecture: all\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("Version"), "{e}");
}

fn release(entries: &[(&[u8], &str)]) -> Release {
    Release {
        fields: Control::default(),
        sha256: entries
            .iter()
            .map(|(data, path)| IndexEntry::new(path, data))
            .collect(),
        signers: Vec::new(),
    }
}

fn xz(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = xz2::write::XzEncoder::new(Vec::new(), 6);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_packages_file_must_be_listed_by_the_release() {
    let plain = PACKAGES.as_bytes();
    let compressed = xz(plain);
    // Listed as it is, compressed or not.
    let r = release(&[(&compressed, "main/binary-amd64/Packages.xz")]);
    let (path, text) = r.check_index("Packages.xz", &compressed).unwrap();
    assert_eq!(path, "main/binary-amd64/Packages.xz");
    assert_eq!(text, plain);
    // Only the plain file listed: the decompressed content is checked.
    let r = release(&[(plain, "main/binary-amd64/Packages")]);
    assert_eq!(r.check_index("Packages.xz", &compressed).unwrap().1, plain);
    assert_eq!(
        r.check_index("Packages", plain).unwrap().0,
        "main/binary-amd64/Packages"
    );
    // Altered, or listed under another kind of index: refused.
    let mut altered = plain.to_vec();
    altered[10] ^= 1;
    let e = r.check_index("Packages", &altered).unwrap_err().to_string();
    assert!(
        e.starts_with("Packages: its SHA256") && e.contains("not among"),
        "{e}"
    );
    assert!(r.check_index("Packages.xz", &xz(&altered)).is_err());
    let r = release(&[(plain, "main/source/Sources")]);
    assert!(r.check_index("Packages", plain).is_err());
    // Damaged compression names the file.
    let mut broken = compressed.clone();
    broken.truncate(compressed.len() / 2);
    let e = decompress("Packages.xz", &broken).unwrap_err().to_string();
    assert!(e.starts_with("Packages.xz: cannot decompress"), "{e}");
}

fn gz(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// apt reads every gzip member, xz stream and zstd frame of an index: so
/// does the check, and a package in the second member is an entry.
#[test]
fn every_member_of_a_compressed_index_is_read() {
    let plain = PACKAGES.as_bytes();
    let (first, second) = PACKAGES.split_at(PACKAGES.find("\n\n").unwrap() + 2);
    let zst = |d: &[u8]| {
        ruzstd::encoding::compress_to_vec(d, ruzstd::encoding::CompressionLevel::Fastest)
    };
    for (kind, c) in [
        ("gz", gz as fn(&[u8]) -> Vec<u8>),
        ("xz", xz as fn(&[u8]) -> Vec<u8>),
        ("zst", zst as fn(&[u8]) -> Vec<u8>),
    ] {
        let two = [c(first.as_bytes()), c(second.as_bytes())].concat();
        let path = format!("main/binary-amd64/Packages.{kind}");
        let (_, text) = release(&[(&two, &path)])
            .check_index("Packages", &two)
            .unwrap();
        assert_eq!(text, plain, "{kind}");
        assert_eq!(parse_packages("P", &text).unwrap().len(), 2, "{kind}");
        // Listed by its decompressed content only.
        let (_, text) = release(&[(plain, "main/binary-amd64/Packages")])
            .check_index("Packages", &two)
            .unwrap();
        assert_eq!(text, plain, "{kind}");
        // Trailing bytes that are not a member: refused.
        let trailing = [c(first.as_bytes()), second.as_bytes().to_vec()].concat();
        let e = release(&[(&trailing, &path)])
            .check_index("Packages", &trailing)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("Packages: cannot decompress"), "{kind}: {e}");
    }
}

/// A listed zstd index may be as large as any index, not only as large as
/// a link.
#[test]
fn a_zstd_index_has_the_index_limit() {
    let mut big = PACKAGES.as_bytes().to_vec();
    big.extend(std::iter::repeat_n(b'#', 65 << 20));
    big.push(b'\n');
    let zst =
        ruzstd::encoding::compress_to_vec(&big[..], ruzstd::encoding::CompressionLevel::Fastest);
    let (_, text) = release(&[(&zst, "main/binary-amd64/Packages.zst")])
        .check_index("Packages.zst", &zst)
        .unwrap();
    assert_eq!(text.len(), big.len());
}

/// A file the release does not list is decompressed no further than its
/// largest Packages index: a small bomb is refused before it expands.
#[test]
fn an_unlisted_file_is_decompressed_no_further_than_the_largest_index() {
    let plain = PACKAGES.as_bytes();
    let r = release(&[
        (plain, "main/binary-amd64/Packages"),
        (b"x", "main/source/Sources"),
    ]);
    let mut bomb = plain.to_vec();
    bomb.push(b'\n');
    let e = r
        .check_index("Packages.gz", &gz(&bomb))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!(
            "decompresses to more than the {} bytes",
            plain.len()
        )),
        "{e}"
    );
    // Exactly as large, but different: not listed.
    let mut other = plain.to_vec();
    other[0] = b'p';
    let e = r
        .check_index("Packages.gz", &gz(&other))
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not among the Packages indexes"), "{e}");
    assert!(!e.contains("decompresses to more"), "{e}");
    // No Packages index listed at all: nothing is decompressed.
    let r = release(&[(b"x", "main/source/Sources")]);
    let e = r
        .check_index("Packages.gz", &gz(plain))
        .unwrap_err()
        .to_string();
    assert!(e.contains("more than the 0 bytes"), "{e}");
}

/// All the entries `read_index` gives, or its error.
fn streamed(r: &Release, name: &str, data: &[u8]) -> Result<(String, Vec<PackageEntry>), String> {
    let mut got = Vec::new();
    let path = r
        .read_index(name, data, &mut |e| {
            got.push(e);
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    Ok((path, got))
}

/// Read as a stream, an index gives the entries and the errors read whole
/// gives: the parser fed a byte at a time, `read_index` and
/// `read_packages` the same as `check_index` then `parse_packages`.
#[test]
fn an_index_read_as_a_stream_is_the_index_read_whole() {
    let plain = PACKAGES.as_bytes();
    let whole = parse_packages("P", plain).unwrap();
    let mut one_by_one = Vec::new();
    let mut p = PackagesParser::new("P");
    for b in plain {
        p.feed(std::slice::from_ref(b), &mut |e| {
            one_by_one.push(e);
            Ok(())
        })
        .unwrap();
    }
    p.finish(&mut |e| {
        one_by_one.push(e);
        Ok(())
    })
    .unwrap();
    assert_eq!(one_by_one, whole);
    assert_eq!(p.entries(), 2);
    let mut read = Vec::new();
    read_packages("P", &xz(plain), &mut |e| {
        read.push(e);
        Ok(())
    })
    .unwrap();
    assert_eq!(read, whole);

    let compressed = xz(plain);
    let mut altered = plain.to_vec();
    altered[10] ^= 1;
    let mut bomb = plain.to_vec();
    bomb.push(b'\n');
    let damaged = PACKAGES.replace("Filename: pool/main/h/hello/hello_2.10-3_amd64.deb\n", "");
    for r in [
        release(&[(&compressed, "main/binary-amd64/Packages.xz")]),
        release(&[(plain, "main/binary-amd64/Packages")]),
        release(&[(plain, "main/source/Sources")]),
        release(&[(damaged.as_bytes(), "main/binary-amd64/Packages")]),
    ] {
        for (name, data) in [
            ("Packages.xz", compressed.clone()),
            ("Packages", plain.to_vec()),
            ("Packages", altered.clone()),
            ("Packages.xz", xz(&altered)),
            ("Packages.gz", gz(&bomb)),
            ("Packages", damaged.as_bytes().to_vec()),
            ("Packages.xz", xz(damaged.as_bytes())),
            ("Packages.xz", compressed[..compressed.len() / 2].to_vec()),
        ] {
            let expected = r
                .check_index(name, &data)
                .map_err(|e| e.to_string())
                .and_then(|(path, text)| {
                    let entries = parse_packages(name, &text).map_err(|e| e.to_string())?;
                    Ok((path, entries))
                });
            assert_eq!(streamed(&r, name, &data), expected, "{name}");
        }
    }
}
