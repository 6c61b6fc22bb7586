use std::io::Write as _;

use super::*;

const CONTROL: &str = "Package: hello-tool\nVersion: 1:2.10-3\nArchitecture: amd64\n\
Source: hello (1:2.10-2)\nMaintainer: A <a@example.org>\nDescription: greets\n more text\n .\n end\n";

/// A `.deb` with `control` in a control.tar compressed by `comp`.
fn deb(control: &str, comp: &str) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(control.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    let mut empty = h.clone();
    empty.set_size(0);
    tar.append_data(&mut empty, "./md5sums", &b""[..]).unwrap();
    tar.append_data(&mut h, "./control", control.as_bytes())
        .unwrap();
    let tar = tar.into_inner().unwrap();
    let member = match comp {
        "" => tar,
        ".gz" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&tar).unwrap();
            e.finish().unwrap()
        }
        ".xz" => {
            let mut e = xz2::write::XzEncoder::new(Vec::new(), 1);
            e.write_all(&tar).unwrap();
            e.finish().unwrap()
        }
        ".zst" => {
            ruzstd::encoding::compress_to_vec(&tar[..], ruzstd::encoding::CompressionLevel::Fastest)
        }
        _ => unreachable!(),
    };
    let mut ar = ar::Builder::new(Vec::new());
    ar.append(
        &ar::Header::new(b"debian-binary".to_vec(), 4),
        &b"2.0\n"[..],
    )
    .unwrap();
    let name = format!("control.tar{comp}");
    ar.append(
        &ar::Header::new(name.into_bytes(), member.len() as u64),
        &member[..],
    )
    .unwrap();
    ar.append(&ar::Header::new(b"data.tar.gz".to_vec(), 3), &b"xyz"[..])
        .unwrap();
    ar.into_inner().unwrap()
}

#[test]
fn every_control_compression_is_read() {
    for comp in ["", ".gz", ".xz", ".zst"] {
        let text = control_text(&deb(CONTROL, comp)[..]).unwrap();
        assert_eq!(text, CONTROL, "{comp}");
    }
}

#[test]
fn identity_with_epoch_and_source_version() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("x.deb");
    std::fs::write(&p, deb(CONTROL, ".xz")).unwrap();
    let info = read_deb(&p).unwrap();
    assert_eq!(info, crate::rebuilder::tests::hello());
    assert_eq!(info.pool_file_name(), "hello-tool_2.10-3_amd64.deb");
    let c = read_control(&p).unwrap();
    assert_eq!(c.get("description"), Some("greets\nmore text\n.\nend"));
}

#[test]
fn source_defaults_to_the_package() {
    let c = Control::parse("Package: foo\nVersion: 1.0\nArchitecture: all\n").unwrap();
    let i = DebInfo::from_control(&c).unwrap();
    assert_eq!(
        (i.source.as_str(), i.source_version.as_str()),
        ("foo", "1.0")
    );
    let c = Control::parse("Package: foo\nVersion: 1.0-1+b1\nArchitecture: all\nSource: bar\n")
        .unwrap();
    let i = DebInfo::from_control(&c).unwrap();
    assert_eq!(
        (i.source.as_str(), i.source_version.as_str()),
        ("bar", "1.0-1+b1")
    );
}

#[test]
fn names_that_would_escape_a_directory_are_refused() {
    for (field, value) in [
        ("Package", "../etc"),
        ("Package", "a/b"),
        ("Version", "1.0/../../x"),
        ("Architecture", "amd64/x"),
        ("Source", "src (1.0/x)"),
    ] {
        let mut fields = vec![
            ("Package", "foo"),
            ("Version", "1.0"),
            ("Architecture", "all"),
        ];
        fields.retain(|(k, _)| *k != field);
        fields.push((field, value));
        let e = DebInfo::from_control(&Control::from_fields(fields)).unwrap_err();
        assert!(e.to_string().contains(field), "{e}");
    }
    let e = DebInfo::from_control(&Control::from_fields([("Package", "foo")])).unwrap_err();
    assert_eq!(e.to_string(), "the control data has no Version field");
}

#[test]
fn not_a_deb() {
    let e = control_text(&b"hello"[..]).unwrap_err();
    assert!(matches!(e, ControlError::NotAr(_)), "{e}");
    assert!(e.to_string().contains("ar archive"), "{e}");
    let mut ar = ar::Builder::new(Vec::new());
    ar.append(&ar::Header::new(b"control.tar".to_vec(), 1), &b"x"[..])
        .unwrap();
    let e = control_text(&ar.into_inner().unwrap()[..]).unwrap_err();
    assert_eq!(e, ControlError::NotBinary);
    assert!(e.to_string().contains("debian-binary"), "{e}");
    let e = control_text(&deb(CONTROL, ".gz")[..200]).unwrap_err();
    assert!(!e.to_string().is_empty());
}

#[test]
fn paragraphs_of_a_packages_file() {
    let text =
        "# comment\nPackage: a\nVersion: 1\r\n\n\n\nPackage: b\nSHA256:\n abc 12 x\n def 34 y\n";
    let ps = paragraphs(text).unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0].get("VERSION"), Some("1"));
    assert_eq!(ps[1].get("sha256"), Some("\nabc 12 x\ndef 34 y"));
    assert_eq!(
        ps[1].fields().map(|(k, _)| k).collect::<Vec<_>>(),
        ["Package", "SHA256"]
    );
}

#[test]
fn paragraph_errors_name_the_line() {
    for (text, needle) in [
        (" x\n", "line 1: a continuation line"),
        ("A: 1\nB\n", "line 2: expected 'Field: value'"),
        ("A: 1\na: 2\n", "line 2: field a is given twice"),
        ("A: 1\n-B: 2\n", "line 2: invalid field name"),
    ] {
        let e = paragraphs(text).unwrap_err().to_string();
        assert!(e.starts_with(needle), "{text:?}: {e}");
    }
    assert!(Control::parse("A: 1\n\nB: 2\n").is_err());
    assert!(Control::parse("\n\n").is_err());
}

#[test]
fn a_package_built_by_dpkg_deb() {
    if std::process::Command::new("dpkg-deb")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipping: no dpkg-deb");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("pkg");
    std::fs::create_dir_all(root.join("DEBIAN")).unwrap();
    std::fs::create_dir_all(root.join("usr/share/doc/t")).unwrap();
    std::fs::write(root.join("usr/share/doc/t/README"), "hi\n").unwrap();
    std::fs::write(
        root.join("DEBIAN/control"),
        "Package: tt\nVersion: 2:0.1-1\nArchitecture: all\nMaintainer: M <m@example.org>\nDescription: test\n",
    )
    .unwrap();
    for comp in ["gzip", "xz", "zstd", "none"] {
        let out = d.path().join(format!("{comp}.deb"));
        let st = std::process::Command::new("dpkg-deb")
            .args(["--root-owner-group", "-Z", comp, "--build"])
            .arg(&root)
            .arg(&out)
            .output()
            .unwrap();
        if !st.status.success() {
            // An older dpkg-deb without zstd.
            assert_eq!(comp, "zstd", "{}", String::from_utf8_lossy(&st.stderr));
            continue;
        }
        let i = read_deb(&out).unwrap();
        assert_eq!(i.package, "tt");
        assert_eq!(i.version, "2:0.1-1");
        assert_eq!(i.pool_file_name(), "tt_0.1-1_all.deb");
    }
}
