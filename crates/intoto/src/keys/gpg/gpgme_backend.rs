//! GnuPG through gpgme: key listing and export with an OpenPGP context,
//! and signing with gpg-agent over gpgme's Assuan channel.
//!
//! The `gpgme` crate has no safe wrapper for `gpgme_op_assuan_transact_ext`,
//! so the one FFI call lives here, with its two callbacks. Everything
//! else is the safe API.
#![allow(unsafe_code)]

use std::ffi::{CString, c_char, c_void};
use std::process::Stdio;

use gpgme::{Context, ExportMode, Protocol};
use gpgme_sys as ffi;
use sequoia_openpgp::crypto::mpi;

use super::{GpgError, GpgHome, Passphrase, PinProblem, SecretKeyInfo, err};

fn context(home: &GpgHome) -> Result<Context, GpgError> {
    gpgme::init();
    let mut ctx =
        Context::from_protocol(Protocol::OpenPgp).map_err(|e| err(format!("gpgme: {e}")))?;
    if let Some(d) = home.dir() {
        let d = d
            .to_str()
            .ok_or_else(|| err("the GnuPG home path is not UTF-8"))?;
        ctx.set_engine_home_dir(d)
            .map_err(|e| err(format!("gpgme: {e}")))?;
    }
    Ok(ctx)
}

/// Exports public keys matching `id` (binary OpenPGP).
pub fn export(home: &GpgHome, id: &str) -> Result<Vec<u8>, GpgError> {
    let mut ctx = context(home)?;
    ctx.set_armor(false);
    let mut out = Vec::new();
    ctx.export(Some(id), ExportMode::empty(), &mut out)
        .map_err(|e| gpgme_error(&format!("export key {id}"), home, e))?;
    Ok(out)
}

/// Secret (sub)keys of `fpr`, or of every secret key, grouped by bundle.
pub fn secret_keys(home: &GpgHome, fpr: Option<&str>) -> Result<Vec<Vec<SecretKeyInfo>>, GpgError> {
    let mut ctx = context(home)?;
    let mut out = Vec::new();
    let keys = match fpr {
        Some(f) => ctx.find_secret_keys(Some(f)),
        None => ctx.secret_keys(),
    }
    .map_err(|e| gpgme_error("list secret keys", home, e))?;
    for key in keys {
        let Ok(key) = key else { continue };
        let bundle = key
            .subkeys()
            .map(|sk| SecretKeyInfo {
                fpr: sk.fingerprint().unwrap_or("").to_owned(),
                keygrip: sk.keygrip().ok().map(str::to_owned),
                available: sk.is_secret(),
                card: if sk.is_card_key() {
                    Some(sk.card_serial_number().unwrap_or("card").to_owned())
                } else {
                    None
                },
            })
            .collect();
        out.push(bundle);
    }
    Ok(out)
}

/// Asks gpg-agent to sign a SHA-256 `digest` with the key `keygrip`
/// (`SIGKEY`, `SETKEYDESC`, `SETHASH 8`, `PKSIGN`). The agent runs
/// pinentry and routes card keys to scdaemon; there is no time limit.
/// With a `passphrase`, the session asks for loopback pinentry and the
/// agent's `INQUIRE PASSPHRASE` is answered with it, once.
pub fn agent_sign(
    home: &GpgHome,
    keygrip: &str,
    digest: &[u8],
    desc: &str,
    passphrase: Option<&Passphrase>,
) -> Result<mpi::Signature, GpgError> {
    let socket = agent_socket(home)?;
    let mut ctx =
        Context::from_protocol(Protocol::Assuan).map_err(|e| err(format!("gpgme: {e}")))?;
    ctx.set_engine_info(Some(socket.as_str()), None::<&str>)
        .map_err(|e| err(format!("gpgme: {e}")))?;
    let agent = socket.as_str();
    transact(&mut ctx, agent, "RESET")?;
    for opt in session_options() {
        // Options the agent does not know are not fatal.
        let _ = transact(&mut ctx, agent, &opt);
    }
    if let Some(p) = passphrase {
        transact(&mut ctx, agent, "OPTION pinentry-mode=loopback").map_err(|e| {
            err(format!(
                "{e}; gpg-agent must allow loopback pinentry to take the passphrase from {} \
                 (allow-loopback-pinentry in gpg-agent.conf, the default)",
                p.source
            ))
        })?;
    }
    transact(&mut ctx, agent, &format!("SIGKEY {keygrip}"))?;
    transact(
        &mut ctx,
        agent,
        &format!("SETKEYDESC {}", plus_escape(desc)),
    )?;
    transact(
        &mut ctx,
        agent,
        &format!("SETHASH 8 {}", hex::encode_upper(digest)),
    )?;
    let mut inquiry = Inquiry {
        passphrase: passphrase.map(|p| p.secret.as_bytes()),
        asked: 0,
    };
    let reply =
        transact_answering(&mut ctx, agent, "PKSIGN", &mut inquiry).map_err(
            |e| match passphrase {
                Some(p) if e.0.contains("Bad passphrase") => err(format!(
                    "gpg-agent refused PKSIGN: the passphrase from {} is wrong",
                    p.source
                )),
                _ => e,
            },
        )?;
    parse_sig_val(&reply).map_err(|e| err(format!("gpg-agent returned an unusable signature: {e}")))
}

/// The agent's socket, starting the agent if needed.
fn agent_socket(home: &GpgHome) -> Result<String, GpgError> {
    let mut launch = home.gpgconf();
    launch
        .args(["--launch", "gpg-agent"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _ = launch.status();
    let out = home
        .gpgconf()
        .args(["--list-dirs", "agent-socket"])
        .output()
        .map_err(|e| err(format!("cannot run gpgconf ({e}); is GnuPG installed?")))?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() || path.is_empty() {
        return Err(err(format!(
            "gpgconf could not locate gpg-agent for {}",
            home.describe()
        )));
    }
    // gpgconf percent-escapes some characters in paths.
    Ok(percent_unescape(&path))
}

/// Terminal and display for pinentry, like gpg sends them.
fn session_options() -> Vec<String> {
    let mut opts = Vec::new();
    let tty = std::env::var("GPG_TTY")
        .ok()
        .filter(|t| !t.is_empty())
        .or_else(stdin_tty);
    if let Some(t) = tty {
        opts.push(format!("OPTION ttyname={t}"));
    }
    for (var, opt) in [("TERM", "ttytype"), ("DISPLAY", "display")] {
        if let Ok(v) = std::env::var(var)
            && !v.is_empty()
        {
            opts.push(format!("OPTION {opt}={v}"));
        }
    }
    for var in ["WAYLAND_DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS"] {
        if let Ok(v) = std::env::var(var) {
            opts.push(format!("OPTION putenv={var}={v}"));
        }
    }
    opts
}

fn stdin_tty() -> Option<String> {
    std::fs::read_link("/proc/self/fd/0")
        .ok()
        .map(|p| p.display().to_string())
        .filter(|p| p.starts_with("/dev/pts/") || p.starts_with("/dev/tty"))
}

/// The most data one Assuan command may bring back from gpg-agent. A
/// signature is a few hundred bytes (an RSA-4096 `sig-val` about 530);
/// an agent that sends more is stopped, not buffered.
pub(crate) const MAX_AGENT_DATA: usize = 16 * 1024;

/// The data lines of one answer, at most [`MAX_AGENT_DATA`] bytes.
#[derive(Debug, Default)]
struct Reply {
    data: Vec<u8>,
    too_long: bool,
}

impl Reply {
    /// Appends `chunk`; `false`, keeping nothing more, once the answer
    /// would pass [`MAX_AGENT_DATA`].
    fn push(&mut self, chunk: &[u8]) -> bool {
        if self.too_long || chunk.len() > MAX_AGENT_DATA - self.data.len() {
            self.too_long = true;
            return false;
        }
        self.data.extend_from_slice(chunk);
        true
    }
}

/// What the agent's inquiries are answered with: `INQUIRE PASSPHRASE`
/// (loopback pinentry) with the passphrase, once; anything else with
/// nothing.
struct Inquiry<'a> {
    passphrase: Option<&'a [u8]>,
    asked: u32,
}

/// Runs one Assuan command on the gpg-agent at `agent` (its socket, for
/// messages) and returns its data lines (already unescaped by gpgme).
fn transact(ctx: &mut Context, agent: &str, command: &str) -> Result<Vec<u8>, GpgError> {
    let mut none = Inquiry {
        passphrase: None,
        asked: 0,
    };
    transact_answering(ctx, agent, command, &mut none)
}

/// [`transact`], answering the agent's inquiries from `inquiry`.
fn transact_answering(
    ctx: &mut Context,
    agent: &str,
    command: &str,
    inquiry: &mut Inquiry<'_>,
) -> Result<Vec<u8>, GpgError> {
    let c = CString::new(command).map_err(|_| err("Assuan command contains NUL"))?;
    let mut reply = Reply::default();
    let mut op_err: ffi::gpgme_error_t = 0;
    // SAFETY: `ctx` is a live gpgme context for the Assuan protocol; `c`
    // outlives the call; `reply` is only touched by `data_cb` and
    // `inquiry` only by `inquire_cb` during the call, through the pointers
    // passed as their opaque values; `op_err` is a valid out pointer. The
    // call is synchronous.
    let rc = unsafe {
        ffi::gpgme_op_assuan_transact_ext(
            ctx.as_raw(),
            c.as_ptr(),
            Some(data_cb),
            (&mut reply as *mut Reply).cast::<c_void>(),
            Some(inquire_cb),
            (inquiry as *mut Inquiry<'_>).cast::<c_void>(),
            None,
            std::ptr::null_mut(),
            &mut op_err,
        )
    };
    let verb = command.split_whitespace().next().unwrap_or(command);
    if reply.too_long {
        return Err(err(format!(
            "gpg-agent ({agent}) sent more than {} KiB of data for {verb}, where a signature is \
             a few hundred bytes; it was cut off (is that socket really gpg-agent's?)",
            MAX_AGENT_DATA / 1024
        )));
    }
    if rc != 0 {
        return Err(agent_error(verb, gpgme::Error::new(rc)));
    }
    if op_err != 0 {
        return Err(agent_error(verb, gpgme::Error::new(op_err)));
    }
    Ok(reply.data)
}

/// Appends data lines to the [`Reply`] behind `opaque`; an error (which
/// ends the command) once it is full.
unsafe extern "C" fn data_cb(
    opaque: *mut c_void,
    data: *const c_void,
    len: usize,
) -> ffi::gpgme_error_t {
    if opaque.is_null() || (data.is_null() && len > 0) {
        return 0;
    }
    // SAFETY: `opaque` is the `&mut Reply` passed by `transact`, alive for
    // the duration of the synchronous call; `data` points to `len` bytes.
    let kept = unsafe {
        let reply = &mut *opaque.cast::<Reply>();
        len == 0 || reply.push(std::slice::from_raw_parts(data.cast::<u8>(), len))
    };
    if kept {
        0
    } else {
        gpgme::Error::TOO_LARGE.raw()
    }
}

/// Answers `INQUIRE PASSPHRASE` with the [`Inquiry`]'s passphrase (once:
/// asked again, it was wrong), every other inquiry with no data. gpgme
/// calls it again with no name once it has sent the data: the data
/// object is released then.
unsafe extern "C" fn inquire_cb(
    opaque: *mut c_void,
    name: *const c_char,
    _args: *const c_char,
    r_data: *mut ffi::gpgme_data_t,
) -> ffi::gpgme_error_t {
    if r_data.is_null() {
        return 0;
    }
    // SAFETY: gpgme passes a valid out pointer; `opaque` is null or the
    // `&mut Inquiry` passed by `transact_answering`, alive for the
    // duration of the synchronous call; `name` is null or NUL-terminated.
    unsafe {
        if name.is_null() {
            if !(*r_data).is_null() {
                ffi::gpgme_data_release(*r_data);
                *r_data = std::ptr::null_mut();
            }
            return 0;
        }
        *r_data = std::ptr::null_mut();
        if opaque.is_null() || std::ffi::CStr::from_ptr(name).to_bytes() != b"PASSPHRASE" {
            return 0;
        }
        let inquiry = &mut *opaque.cast::<Inquiry<'_>>();
        let Some(secret) = inquiry.passphrase else {
            return gpgme::Error::NO_PIN_ENTRY.raw();
        };
        inquiry.asked += 1;
        if inquiry.asked > 1 {
            return gpgme::Error::BAD_PASSPHRASE.raw();
        }
        let mut data: ffi::gpgme_data_t = std::ptr::null_mut();
        // Copied by gpgme (copy = 1), released above.
        let rc = ffi::gpgme_data_new_from_mem(
            &mut data,
            secret.as_ptr().cast::<c_char>(),
            secret.len(),
            1,
        );
        if rc != 0 {
            return rc;
        }
        *r_data = data;
    }
    0
}

/// gpg-agent's refusal of `verb`, as a sentence that says what to do;
/// gpg's own words kept in parentheses.
fn agent_error(verb: &str, e: gpgme::Error) -> GpgError {
    let code = e.code();
    let text = e.description();
    let no_tty = code == gpgme::Error::from_errno(libc::ENOTTY).code()
        || text.contains("Inappropriate ioctl");
    let sentence = match code {
        _ if no_tty => super::advice(PinProblem::NoTerminal),
        85 | 86 => super::advice(PinProblem::PinentryFailed),
        269 => super::advice(PinProblem::AgentDown),
        112 | 108 | 113 => super::advice(PinProblem::CardAbsent),
        11 => Some("the passphrase was wrong"),
        87 => Some("the PIN was wrong (the card locks after too many wrong PINs)"),
        99 => Some("the passphrase or PIN prompt was cancelled"),
        17 => Some(
            "gpg-agent has no secret key for it (gpg --list-secret-keys shows the keys it has)",
        ),
        _ => None,
    };
    match sentence {
        Some(s) => err(format!("gpg-agent could not sign ({verb}: {text}): {s}")),
        None => err(format!("gpg-agent refused {verb}: {text}")),
    }
}

/// gpgme's failure to `what` in `home`: GnuPG not installed (no engine
/// for the OpenPGP protocol) said as such, with the way around it.
fn gpgme_error(what: &str, home: &GpgHome, e: gpgme::Error) -> GpgError {
    // GPG_ERR_UNSUPPORTED_PROTOCOL, GPG_ERR_INV_ENGINE: no gpg to run.
    if matches!(e.code(), 121 | 150) {
        return err(format!(
            "GnuPG is not available (gpgme found no gpg to {what}: {e}): install GnuPG, or give \
             the key's file with --keyring FILE"
        ));
    }
    err(format!(
        "gpgme could not {what} in {}: {e}",
        home.describe()
    ))
}

/// gpg-agent's SETKEYDESC escaping: `+` for space, `%XX` for the rest.
fn plus_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            b'+' | b'%' | b'"' | b':' | 0..=0x1f | 0x7f..=0xff => {
                out.push_str(&format!("%{b:02X}"))
            }
            _ => out.push(b as char),
        }
    }
    out
}

fn percent_unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len() + 1
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A canonical S-expression.
#[derive(Debug, PartialEq)]
enum Sexp {
    Atom(Vec<u8>),
    List(Vec<Sexp>),
}

fn parse_sexp(input: &[u8]) -> Result<(Sexp, &[u8]), String> {
    match input.first() {
        Some(b'(') => {
            let mut rest = &input[1..];
            let mut items = Vec::new();
            loop {
                match rest.first() {
                    Some(b')') => return Ok((Sexp::List(items), &rest[1..])),
                    Some(_) => {
                        let (item, r) = parse_sexp(rest)?;
                        items.push(item);
                        rest = r;
                    }
                    None => return Err("unterminated list".into()),
                }
            }
        }
        Some(c) if c.is_ascii_digit() => {
            let colon = input
                .iter()
                .position(|b| *b == b':')
                .ok_or("atom without length")?;
            let len: usize = std::str::from_utf8(&input[..colon])
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or("bad atom length")?;
            let body = input
                .get(colon + 1..colon + 1 + len)
                .ok_or("truncated atom")?;
            Ok((Sexp::Atom(body.to_vec()), &input[colon + 1 + len..]))
        }
        _ => Err("not a canonical S-expression".into()),
    }
}

/// `(sig-val (rsa (s …)))`, `(sig-val (dsa|eddsa|ecdsa (r …) (s …)))`.
fn parse_sig_val(reply: &[u8]) -> Result<mpi::Signature, String> {
    let (sexp, _) = parse_sexp(reply)?;
    let Sexp::List(top) = sexp else {
        return Err("expected a list".into());
    };
    if top.first() != Some(&Sexp::Atom(b"sig-val".to_vec())) {
        return Err("expected sig-val".into());
    }
    let Some(Sexp::List(alg)) = top.iter().find(|s| matches!(s, Sexp::List(_))) else {
        return Err("no algorithm in sig-val".into());
    };
    let name = match alg.first() {
        Some(Sexp::Atom(a)) => a.clone(),
        _ => return Err("no algorithm name".into()),
    };
    let param = |p: &[u8]| -> Option<Vec<u8>> {
        alg.iter().find_map(|s| match s {
            Sexp::List(l) if l.first() == Some(&Sexp::Atom(p.to_vec())) => match l.get(1) {
                Some(Sexp::Atom(v)) => Some(v.clone()),
                _ => None,
            },
            _ => None,
        })
    };
    let m = |v: Vec<u8>| mpi::MPI::new(&v);
    match name.as_slice() {
        b"rsa" => Ok(mpi::Signature::RSA {
            s: m(param(b"s").ok_or("no s")?),
        }),
        b"dsa" => Ok(mpi::Signature::DSA {
            r: m(param(b"r").ok_or("no r")?),
            s: m(param(b"s").ok_or("no s")?),
        }),
        b"eddsa" => Ok(mpi::Signature::EdDSA {
            r: m(param(b"r").ok_or("no r")?),
            s: m(param(b"s").ok_or("no s")?),
        }),
        b"ecdsa" => Ok(mpi::Signature::ECDSA {
            r: m(param(b"r").ok_or("no r")?),
            s: m(param(b"s").ok_or("no s")?),
        }),
        other => Err(format!(
            "unsupported algorithm {:?}",
            String::from_utf8_lossy(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_agent_signatures() {
        let rsa = b"(7:sig-val(3:rsa(1:s3:\x01\x02\x03)))";
        assert!(
            matches!(parse_sig_val(rsa).unwrap(), mpi::Signature::RSA { s } if s.value() == [1, 2, 3])
        );
        let ed = b"(7:sig-val(5:eddsa(1:r2:\x00\x05)(1:s1:\x07)))";
        assert!(matches!(
            parse_sig_val(ed).unwrap(),
            mpi::Signature::EdDSA { .. }
        ));
        assert!(parse_sig_val(b"(7:sig-val").is_err());
        assert!(parse_sig_val(b"(3:foo)").is_err());
    }

    #[test]
    fn agent_answers_are_capped() {
        let mut r = Reply::default();
        assert!(r.push(&[b'a'; 1000]));
        assert!(r.push(&vec![b'b'; MAX_AGENT_DATA - 1000]));
        assert_eq!(r.data.len(), MAX_AGENT_DATA);
        assert!(!r.push(b"c"));
        assert!(r.too_long);
        // Nothing more is kept once it is too long, not even a small chunk.
        assert!(!r.push(b""));
        assert_eq!(r.data.len(), MAX_AGENT_DATA);
        let mut r = Reply::default();
        assert!(!r.push(&vec![0; MAX_AGENT_DATA + 1]));
        assert!(r.data.is_empty());
    }

    #[test]
    fn escapes_descriptions() {
        assert_eq!(plus_escape("Sign a+b 100%:"), "Sign+a%2Bb+100%25%3A");
        assert_eq!(
            percent_unescape("/run/user/0/gnupg/d.x%3ay/S.gpg-agent"),
            "/run/user/0/gnupg/d.x:y/S.gpg-agent"
        );
    }
}
