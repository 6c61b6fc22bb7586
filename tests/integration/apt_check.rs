//! Finding and trying the apt method before apt runs: `intoto apt-check`
//! on the apt test's packages (`apt.rs`'s `Apt`: loopback rebuilders, an
//! isolated `APT_CONFIG`), and `intoto+http --help` (on a terminal, or
//! with `--help`: the manual, not apt's protocol).

use std::process::{Command, Stdio};

use crate::apt::{Apt, tools};
use crate::common::{Out, check};

/// `intoto apt-check ARGS` in the download directory, with the apt
/// test's configuration (`APT_CONFIG`) and nothing else of the host's.
fn apt_check(apt: &Apt, args: &str, code: i32) -> Out {
    let mut c = apt.env.cmd(format!("apt-check {args}"));
    c.env("APT_CONFIG", apt.root.join("apt.conf"))
        .env("TMPDIR", apt.root.join("tmp"))
        .current_dir(apt.root.join("dl"));
    check(c, code)
}

#[test]
fn apt_check_judges_packages_with_apts_configuration() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    apt.downloaded();
    // Each package judged as the method would: one line each, exit 1
    // when apt would refuse one.
    let out = apt_check(
        &apt,
        "good1_1.0_all.deb differs_1.0_all.deb nolinks_1.0_all.deb",
        1,
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert_eq!(lines[0], "good1_1.0_all.deb: verified");
    assert!(
        lines[1].starts_with("differs_1.0_all.deb: refused: differs 1.0 (all) failed verification"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2]
            .starts_with("nolinks_1.0_all.deb: refused: nolinks 1.0 (all): not enough evidence"),
        "{}",
        lines[2]
    );
    assert!(
        out.stderr.contains("apt's configuration: layout ")
            && out.stderr.contains(&apt.rebuilder_a.url)
            && out.stderr.contains("NoFail false"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("2 of 3 packages would be refused by apt"),
        "{}",
        out.stderr
    );
    let out = apt_check(&apt, "good1_1.0_all.deb good2_1.0_all.deb", 0);
    assert_eq!(
        out.stdout,
        "good1_1.0_all.deb: verified\ngood2_1.0_all.deb: verified\n"
    );
    // -o as apt takes it: NoFail lets missing evidence through (with the
    // warning apt would show), never contradicting evidence.
    let out = apt_check(
        &apt,
        "-o APT::Intoto::NoFail=true nolinks_1.0_all.deb onelink_1.0_all.deb",
        0,
    );
    assert!(
        out.stdout
            .contains("nolinks_1.0_all.deb: accepted with a warning: ")
            && out.stdout.contains("APT::Intoto::NoFail is set"),
        "{}",
        out.stdout
    );
    apt_check(&apt, "-o APT::Intoto::NoFail=true differs_1.0_all.deb", 1);
}

#[test]
fn apt_check_finds_a_broken_configuration_before_apt_runs() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    apt.downloaded();
    let d = apt.root.display();
    // What would fail every download is one error naming the setting.
    for (extra, needle) in [
        (
            format!("  Layout \"{d}/missing.layout\";\n"),
            "APT::Intoto::Layout",
        ),
        (
            format!("  Keyring \"{d}/etc/trusted.gpg\";\n"),
            "the layout must be signed by the keys of APT::Intoto::Keyring",
        ),
        (
            "  Rebuilders { \"ftp://x\"; };\n".to_owned(),
            "APT::Intoto::Rebuilders",
        ),
    ] {
        apt.configure(&apt.mirror.url, &extra, false);
        let out = apt_check(&apt, "good1_1.0_all.deb", 1);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        let errors: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(errors.len(), 1, "{}", out.stderr);
        assert!(
            errors[0].contains("apt's configuration is broken") && errors[0].contains(needle),
            "{needle}: {}",
            out.stderr
        );
    }
    // A configuration file apt has not read yet, given with -c.
    apt.configure(
        &apt.mirror.url,
        &format!("  Layout \"{d}/missing.layout\";\n"),
        false,
    );
    std::fs::write(
        apt.root.join("fixed.conf"),
        format!("APT::Intoto::Layout \"{d}/root.layout\";\n"),
    )
    .unwrap();
    apt_check(&apt, &format!("-c {d}/fixed.conf good1_1.0_all.deb"), 0);
    // apt-config's own refusal (a syntax error) is reported, in one line.
    std::fs::write(apt.root.join("bad.conf"), "APT::Intoto { Layout \"x\"\n").unwrap();
    let out = apt_check(&apt, &format!("-c {d}/bad.conf good1_1.0_all.deb"), 1);
    assert!(
        out.stderr
            .contains("apt-config could not read apt's configuration"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_apt_method_shows_its_manual_to_a_person() {
    if !tools() {
        return;
    }
    let apt = Apt::new();
    let method = apt.root.join("methods/intoto+http");
    // --help (apt never passes it): the manual, exit 0.
    let out = Command::new(&method).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.starts_with("intoto+http: the intoto apt method")
            && text.contains("APT::Intoto::Layout")
            && text.contains("APT::Intoto::Timeout")
            && text.contains("intoto apt-check")
            && !text.contains("100 Capabilities"),
        "{text}"
    );
    // On a terminal, with no argument: the same.
    let out = apt
        .env
        .on_a_terminal(&format!("{} </dev/tty", method.display()));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("man 8 intoto-apt"),
        "{text}"
    );
    // From apt (a pipe, no argument): the protocol, as before.
    let out = Command::new(&method).stdin(Stdio::null()).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("100 Capabilities"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // `intoto --help` points at the method's page.
    let out = apt.env.ok("--help");
    assert!(out.stdout.contains("man 8 intoto-apt"), "{}", out.stdout);
}
