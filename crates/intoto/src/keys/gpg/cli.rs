//! GnuPG through the `gpg` program (used without the gpgme feature, and
//! for `INTOTO_GPG_BACKEND=cli`).

use std::io::Write;
use std::process::{Command, Stdio};

use super::{GpgError, GpgHome, Passphrase, SecretKeyInfo, err};
use crate::keys::openpgp::{PgpSignature, parse_packet};

/// Runs gpg in a process group of its own, which the signals that end
/// intoto (SIGINT, SIGTERM, SIGHUP) are passed on to while it runs
/// ([`crate::fsio::spawn_in_group`]): gpg and what it started do not
/// outlive intoto. (gpg needs no terminal: pinentry is gpg-agent's.)
fn run(mut cmd: Command, input: Option<&[u8]>, what: &str) -> Result<Vec<u8>, GpgError> {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let (mut child, _group) = crate::fsio::spawn_in_group(&mut cmd)
        .map_err(|e| err(format!("cannot run gpg ({e}); is GnuPG installed?")))?;
    if let Some(data) = input {
        let mut stdin = child.stdin.take().expect("piped stdin");
        let data = data.to_vec();
        // Write from a thread so a large payload cannot deadlock against stdout.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }
    let out = child
        .wait_with_output()
        .map_err(|e| err(format!("gpg failed: {e}")))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        return Err(err(format!("gpg could not {what}: {last}")));
    }
    Ok(out.stdout)
}

/// `gpg --export ID`.
pub fn export(home: &GpgHome, id: &str) -> Result<Vec<u8>, GpgError> {
    let mut c = home.gpg();
    c.args(["--batch", "--no-tty", "--export", "--", id]);
    run(c, None, &format!("export key {id}"))
}

/// `gpg --list-secret-keys --with-colons --with-keygrip [FPR]`.
pub fn secret_keys(home: &GpgHome, fpr: Option<&str>) -> Result<Vec<Vec<SecretKeyInfo>>, GpgError> {
    let mut c = home.gpg();
    c.args([
        "--batch",
        "--no-tty",
        "--with-colons",
        "--with-keygrip",
        "--fixed-list-mode",
        "--list-secret-keys",
    ]);
    if let Some(f) = fpr {
        c.arg("--").arg(f);
    }
    let out = match run(c, None, "list secret keys") {
        Ok(o) => o,
        // "No secret key" for a specific key is an empty answer, not an error.
        Err(_) if fpr.is_some() => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(parse_colons(&String::from_utf8_lossy(&out)))
}

/// Parses `--with-colons` secret-key listings.
fn parse_colons(text: &str) -> Vec<Vec<SecretKeyInfo>> {
    let mut bundles: Vec<Vec<SecretKeyInfo>> = Vec::new();
    let mut pending: Option<(bool, Option<String>)> = None;
    for line in text.lines() {
        let f: Vec<&str> = line.split(':').collect();
        match f.first().copied() {
            Some(kind @ ("sec" | "ssb")) => {
                if kind == "sec" {
                    bundles.push(Vec::new());
                }
                // Field 15: '#' for a stub without secret, a serial number
                // for a card key, '+' or empty when the secret is here.
                let token = f.get(14).copied().unwrap_or("");
                let available = token != "#";
                let card =
                    (!token.is_empty() && token != "#" && token != "+").then(|| token.to_owned());
                pending = Some((available, card));
            }
            Some("fpr") => {
                if let (Some((available, card)), Some(b)) = (pending.take(), bundles.last_mut()) {
                    b.push(SecretKeyInfo {
                        fpr: f.get(9).unwrap_or(&"").to_string(),
                        keygrip: None,
                        available,
                        card,
                    });
                }
            }
            Some("grp") => {
                if let Some(k) = bundles.last_mut().and_then(|b| b.last_mut())
                    && k.keygrip.is_none()
                {
                    k.keygrip = Some(f.get(9).unwrap_or(&"").to_string());
                }
            }
            _ => {}
        }
    }
    bundles
}

/// `gpg --detach-sign --digest-algo SHA256 --local-user FPR!` over
/// `payload` (pinentry as usual; no time limit). With a `passphrase`:
/// `--batch --pinentry-mode loopback --passphrase-file F`, F a file in a
/// private directory (mode 0700, removed when gpg is done, and on
/// signals), so the secret is on no command line.
pub fn detach_sign(
    home: &GpgHome,
    fpr: &str,
    payload: &[u8],
    passphrase: Option<&Passphrase>,
) -> Result<PgpSignature, GpgError> {
    let mut c = home.gpg();
    // Kept until gpg is done.
    let mut _private = None;
    if let Some(p) = passphrase {
        let dir = crate::fsio::PrivateDir::new(None, "intoto-gpg.").map_err(|e| {
            err(format!(
                "making a private directory for the passphrase: {e}"
            ))
        })?;
        let file = dir.path().join("passphrase");
        write_private(&file, p.secret.as_bytes())
            .map_err(|e| err(format!("writing {}: {e}", file.display())))?;
        c.args([
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase-file",
        ])
        .arg(&file);
        _private = Some(dir);
    }
    c.args(["--detach-sign", "--digest-algo", "SHA256", "--local-user"])
        .arg(format!("{}!", fpr.to_uppercase()));
    c.args(["--output", "-"]);
    let packet =
        run(c, Some(payload), &format!("sign with key {fpr}")).map_err(|e| match passphrase {
            Some(p) if e.0.contains("Bad passphrase") => err(format!(
                "gpg could not sign with key {fpr}: the passphrase from {} is wrong",
                p.source
            )),
            _ => match super::pin_problem(&e.0).and_then(super::advice) {
                Some(what) => err(format!("{}: {what}", e.0)),
                None => e,
            },
        })?;
    let sig = parse_packet(&packet)
        .map_err(|e| err(format!("gpg produced an unusable signature: {e}")))?;
    if !sig.keyid.eq_ignore_ascii_case(fpr) {
        return Err(err(format!(
            "gpg signed with key {} instead of {fpr}",
            sig.keyid
        )));
    }
    Ok(sig)
}

/// Writes `bytes` to the new file `path`, readable by its owner only.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    f.write_all(bytes)?;
    f.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colon_listing_marks_stubs_and_cards() {
        let text = "sec:u:255:22:AAAA:1:::u:::scESC:::#:::23::0:\nfpr:::::::::AAAAFPR:\ngrp:::::::::GRIP1:\n\
                    ssb:u:255:22:BBBB:1::::::s:::D2760001:::23:\nfpr:::::::::BBBBFPR:\ngrp:::::::::GRIP2:\n";
        let b = parse_colons(text);
        assert_eq!(b.len(), 1);
        assert!(!b[0][0].available);
        assert_eq!(b[0][1].card.as_deref(), Some("D2760001"));
        assert_eq!(b[0][1].keygrip.as_deref(), Some("GRIP2"));
    }
}
