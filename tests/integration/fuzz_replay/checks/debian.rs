//! The fuzz checks of the Debian crate: `.deb` control members, deb822,
//! apt's method messages, archive indexes, and the other texts the distro
//! side reads (`.PKGINFO`, rebuilder lists, policy globs, the report's
//! escaping).

/// What apt and a Debian archive hand the distro code: a `.deb` (its
/// control member), deb822 paragraphs (control, `Packages`, `Release`)
/// and apt method messages. A package identity read from them never makes
/// a pool file name that leaves its directory; a message written back
/// reads back the same.
pub fn deb822(data: &[u8]) {
    use intoto_debian::{deb, method};
    let _ = deb::control_text(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(ps) = deb::paragraphs(text) {
        for p in &ps {
            if let Ok(i) = deb::DebInfo::from_control(p) {
                let name = i.pool_file_name();
                assert!(!name.contains('/') && !name.starts_with('.'), "{name:?}");
            }
        }
    }
    if let Ok(m) = method::Message::parse(text) {
        let again = method::Message::parse(m.to_text().trim_end_matches('\n'));
        assert!(again.is_ok(), "{m:?} does not read back");
    }
    let _ = method::AptConfig::from_message(
        &method::Message::new(601, "Configuration").with("Config-Item", text),
    );
    distro_text(text);
}

/// The other texts the distro side reads: a pacman `.PKGINFO`, the
/// community's rebuilder list, a policy glob. Each is read without a
/// panic; the HTML report lets no markup character through.
fn distro_text(text: &str) {
    use intoto_debian::{pacman, policy, rebuilder_keys, report};
    if let Ok(i) = pacman::PkgInfo::parse("fuzz", text) {
        assert!(!i.name.is_empty() && !i.version.is_empty() && !i.arch.is_empty());
    }
    if let Ok(list) = rebuilder_keys::parse_rebuilder_list("fuzz", text) {
        assert!(!list.is_empty());
    }
    let _ = rebuilder_keys::base_url(text);
    let escaped = report::escape_html(text);
    assert!(!escaped.contains(['<', '>', '"', '\'']), "{escaped:?}");
    // A glob without a class matches itself (`*` and `?` match
    // themselves too).
    if let Ok(p) = policy::PackagePolicy::new([text], "deny", [text], "allow", false)
        && !text.contains('[')
    {
        assert!(p.denied(text).is_some(), "{text:?} does not match itself");
    }
}

/// An archive's compressed index (`Packages.gz`, `.xz`, `.zst`), read as
/// `verify-archive` reads it: decompressed every member, never past the
/// limit, plain data as it is; two copies one after the other decompress
/// to the content twice; the limit is exact; the index checked against a
/// release that lists it (as it is, or by its content) gives the same
/// content, and one that lists another index accepts only that one.
pub fn archive_index(data: &[u8]) {
    use intoto_debian::archive::{IndexEntry, Release, parse_packages};
    use intoto_debian::compressed::{self, Format};
    use intoto_debian::deb::Control;
    const MAX: u64 = 4 << 20;
    let release = |entries: Vec<IndexEntry>| Release {
        fields: Control::default(),
        sha256: entries,
        signers: Vec::new(),
    };
    // A release listing another index: only that index is accepted.
    let other = release(vec![IndexEntry::new("main/binary-all/Packages", b"other")]);
    if let Ok((_, got)) = other.check_index("fuzz", data) {
        assert!(got == b"other", "another index accepted");
    }
    let plain = match compressed::decompress(data, MAX) {
        Ok(None) => {
            assert!(Format::of(data).is_none());
            data.to_vec()
        }
        Ok(Some(out)) => {
            assert!(out.len() as u64 <= MAX, "{} bytes out", out.len());
            let twice = compressed::decompress(&[data, data].concat(), 2 * MAX)
                .expect("two copies of a member decompress")
                .expect("compressed");
            assert!(twice == [&out[..], &out[..]].concat(), "two copies");
            if let Some(less) = (out.len() as u64).checked_sub(1) {
                assert!(matches!(
                    compressed::decompress(data, less),
                    Err(compressed::Error::TooLarge(_))
                ));
            }
            out
        }
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let _ = parse_packages("fuzz", &plain);
    let listed = release(vec![IndexEntry::new("main/binary-all/Packages.x", data)]);
    let (path, got) = listed.check_index("fuzz", data).expect("listed as it is");
    assert_eq!(path, "main/binary-all/Packages.x");
    assert!(got == plain, "listed as it is: another content");
    let by_content = release(vec![IndexEntry::new("main/binary-all/Packages", &plain)]);
    let (_, got) = by_content
        .check_index("fuzz", data)
        .expect("listed by its content");
    assert!(got == plain, "listed by its content: another content");
}
