//! The ENVIRONMENT and FILES sections: every variable and file intoto
//! reads besides its command line, and the commands each applies to.

/// An environment variable or a file the program reads.
pub struct Entry {
    /// The variable's or file's name (markup).
    pub name: &'static str,
    /// What it does (markup).
    pub text: &'static str,
    /// The commands that read it (prefixes of [`Page::command`](super::Page::command); `""`
    /// all of them).
    pub commands: &'static [&'static str],
}

/// Commands that use keys (and so GnuPG and OpenPGP settings).
const KEY_COMMANDS: &[&str] = &[
    "run",
    "record",
    "verify",
    "sign",
    "key export",
    "layout add-key",
    "layout show",
    "layout graph",
    "match-products",
    "verify-archive",
    "verify-summary",
    "pacman-fetch",
];

/// Commands that look up `--gpg` keys in the shared certificate store.
const CERT_STORE_COMMANDS: &[&str] = &[
    "verify",
    "sign",
    "key export",
    "layout add-key",
    "verify-archive",
];

/// Commands that sign with GnuPG (gpg-agent, pinentry).
const GPG_SIGNING: &[&str] = &["run", "record", "sign", "verify"];

/// Commands that record artifacts and read settings.
const RECORDING: &[&str] = &["run", "record"];

/// Every environment variable intoto reads.
pub static ENVIRONMENT: &[Entry] = &[
    Entry {
        name: "GNUPGHOME",
        text: "The GnuPG home used when `--gpg-home` is not given (gpg's default: \
               `~/.gnupg`).",
        commands: KEY_COMMANDS,
    },
    Entry {
        name: "GNUPG",
        text: "The gpg program to run where intoto runs gpg (default `gpg`).",
        commands: KEY_COMMANDS,
    },
    Entry {
        name: "INTOTO_GPG_BACKEND",
        text: "`cli`: sign, list and export GnuPG keys with the gpg command line \
               (`gpg --detach-sign`) instead of through gpgme and gpg-agent directly.",
        commands: KEY_COMMANDS,
    },
    Entry {
        name: "GPG_TTY, TERM, DISPLAY, WAYLAND_DISPLAY, XAUTHORITY, DBUS_SESSION_BUS_ADDRESS",
        text: "Passed to gpg-agent so that pinentry can ask for a passphrase or a \
               card's PIN on this terminal or display (without `GPG_TTY`, the terminal \
               of standard input). Without a terminal, give `--passphrase-file`.",
        commands: GPG_SIGNING,
    },
    Entry {
        name: "PGP_CERT_D",
        text: "The shared OpenPGP certificate store (pgp.cert.d) where `--gpg` keys \
               are looked up when the GnuPG home does not have them; `--cert-store` \
               overrides it.",
        commands: CERT_STORE_COMMANDS,
    },
    Entry {
        name: "XDG_DATA_HOME",
        text: "Without `PGP_CERT_D`, the certificate store is \
               `$XDG_DATA_HOME/pgp.cert.d` (default `~/.local/share/pgp.cert.d`), \
               used when it exists.",
        commands: CERT_STORE_COMMANDS,
    },
    Entry {
        name: "SEQUOIA_CRYPTO_POLICY",
        text: "The system crypto policy file (sequoia-policy-config format) that \
               judges OpenPGP keys and signatures, instead of \
               `/etc/crypto-policies/back-ends/sequoia.config`. A configured policy is \
               taken as it is.",
        commands: &[""],
    },
    Entry {
        name: "IN_TOTO_ARTIFACT_EXCLUDE_PATTERNS",
        text: "Exclude patterns for recording (`:` separates them), unless \
               `--exclude` or `--isolated` is given or an rcfile sets them. Every \
               applied setting is announced on stderr.",
        commands: RECORDING,
    },
    Entry {
        name: "IN_TOTO_ARTIFACT_BASE_PATH",
        text: "The directory artifact paths are resolved from, unless `--base-path` \
               or `--isolated` is given or an rcfile sets it.",
        commands: RECORDING,
    },
    Entry {
        name: "HOME",
        text: "Where the per-user rcfiles and the default GnuPG home are.",
        commands: KEY_COMMANDS,
    },
    Entry {
        name: "TMPDIR",
        text: "Where private temporary directories are made (default `/tmp`): the \
               copy of the current directory `verify` runs inspections in (on the same \
               file system as that directory, Btrfs or XFS clone files instead of copying \
               them); with `INTOTO_GPG_BACKEND=cli` and `--passphrase-file`, the file gpg \
               reads the passphrase from; for `verify-archive`, with `--files`, each \
               package's check and its copy of the file, and the run's cache of \
               rebuilder answers without `--cache-dir`.",
        commands: &["verify", "verify-archive", "run", "record", "sign"],
    },
    Entry {
        name: "RAYON_NUM_THREADS",
        text: "How many threads record artifacts and verify (default, or `0`: one \
               per core); more than 256 are not started (a warning says so).",
        commands: &["run", "mock", "record", "verify", "verify-archive"],
    },
    Entry {
        name: "NO_COLOR",
        text: "When set and not empty, messages on stderr are not coloured.",
        commands: &[""],
    },
];

/// Every file intoto reads besides the ones named on its command line.
pub static FILES: &[Entry] = &[
    Entry {
        name: "/etc/in_toto/config, /etc/in_totorc, ~/.config/in_toto/config, \
               ~/.config/in_toto, ~/.in_toto/config, ~/.in_totorc",
        text: "rcfiles: an `[in-toto settings]` section with `artifact_exclude_patterns` \
               and `artifact_base_path`, later files overriding earlier ones and the \
               environment, and a file named with `--rcfile` last. A file counts only \
               when it is owned by the user or root, not writable by others, at most \
               64 KiB, and neither in the working directory nor inside a tree being \
               recorded (a cloned repository's `.in_totorc` is never read unless named \
               with `--rcfile`); `--isolated` ignores them all.",
        commands: RECORDING,
    },
    Entry {
        name: "~/.gnupg",
        text: "The default GnuPG home (see `GNUPGHOME` and `--gpg-home`); its \
               `gpg.conf` `default-key` is the key `--gpg` without a key id signs with.",
        commands: KEY_COMMANDS,
    },
    Entry {
        name: "~/.local/share/pgp.cert.d",
        text: "The default shared OpenPGP certificate store, read without gpg.",
        commands: CERT_STORE_COMMANDS,
    },
    Entry {
        name: "/etc/intoto/pacman.conf",
        text: "The settings of `intoto pacman-fetch` when `--config` names no other \
               file: one `name = value` a line, named as its flags; ignored when it \
               does not exist.",
        commands: &["pacman-fetch"],
    },
    Entry {
        name: "/etc/crypto-policies/back-ends/sequoia.config",
        text: "The system crypto policy for OpenPGP, when it exists.",
        commands: &[""],
    },
];

/// Whether an entry applies to the page of `command`.
pub fn applies(e: &Entry, command: &str) -> bool {
    command.is_empty()
        || e.commands.iter().any(|c| {
            c.is_empty()
                || command == *c
                || command.starts_with(&format!("{c} "))
                || c.starts_with(&format!("{command} "))
        })
}
