//! The manual: what each command's man page says beyond its options, in
//! the markup of [`super::markup`]. The same text is the command's
//! `--help` description, so the two cannot drift; the options come from
//! the clap definitions and the EXAMPLES from [`super::examples`].
//! `intoto generate man DIR` writes the pages (`scripts/gen-docs`).

mod descriptions;
mod environment;
mod layout_tools;

pub use environment::{ENVIRONMENT, FILES, applies};

use super::examples;
use super::markup;

/// One command's page.
pub struct Page {
    /// The command after `intoto` (`""` for `intoto` itself,
    /// `"layout add-step"` for a subcommand).
    pub command: &'static str,
    /// DESCRIPTION (and the `--help` text above the options).
    pub description: &'static str,
    /// The EXAMPLES, in the form of [`super::examples`] (none: the
    /// parent's examples of this command).
    pub examples: Option<&'static str>,
    /// EXIT STATUS: (status, meaning).
    pub exit_status: &'static [(&'static str, &'static str)],
    /// SEE ALSO, besides the parent and subcommand pages.
    pub see_also: &'static [&'static str],
}

/// A page about a format or a language (sections 5 and 7).
pub struct Document {
    /// The page's name (`intoto-layout`).
    pub name: &'static str,
    /// The section.
    pub section: u8,
    /// The whole page in markup, from `# NAME` on.
    pub text: &'static str,
}

/// Exit status 1, the same for every command (`main.rs::exit_status`).
const EXIT_1: &str = "a check failed (a signature, an expiry, an artifact rule, an \
                      inspection, files that do not match), or the command could not be \
                      carried out (a file missing or invalid, a key not found or not usable, \
                      an output not writable); the message on stderr says which";

/// Exit status 2, the same for every command.
const EXIT_2: &str = "a usage error: the command line itself is wrong";

/// The exit status table every command shares; pages only say more
/// precisely what 0 means (and `run` adds its command's status).
const EXIT_COMMON: &[(&str, &str)] = &[("0", "success"), ("1", EXIT_1), ("2", EXIT_2)];

/// Every command's page.
pub static PAGES: &[Page] = &[
    Page {
        command: "",
        description: "\
intoto proves that a software supply chain was carried out as planned, by
the right people, with nothing tampered with in between.

A project owner writes and signs a *layout*: the steps of the supply chain,
who may perform each one, and rules for the files each step may use and
create. Functionaries perform the steps with `intoto run` or `intoto record`,
which write signed *link* metadata. A verifier checks the final product
with `intoto verify`.

Keys are GnuPG keys (signing goes through gpg-agent, so smartcards work)
or PEM files. Metadata is byte-compatible with the Python reference
implementation (in-toto 3.1).

The same binary is an apt method. Started by apt as `intoto+http` or
as `intoto+https`, it checks every `.deb` apt downloads against the
links of rebuilders; its settings are in `intoto-apt`(8), and the
command `intoto apt-check` tries them on a package before apt runs.

In every command, `--gpg` takes what gpg takes: a fingerprint, a key id
(16 hex digits or more), a user id or part of one, or an e-mail address
(`<addr>` for the exact address). It must match one key; when it matches
several, the error lists them. Keys are shown by their primary fingerprint
and user id, a signing subkey as subkey *X* of *PRIMARY* (*user id*).
The commands `run`, `record` and `sign` say on stderr which file they wrote and who
signed it (nothing with `-q`), and warn, without failing, of what will not
verify later: a signature by an Ed25519 subkey (or a subkey of an Ed25519
primary), which the Python reference cannot verify; a layout that expires
after one of its keys does; a layout that has expired already.",
        examples: Some(examples::TOP),
        exit_status: &[
            ("0", "success"),
            ("1", EXIT_1),
            ("2", EXIT_2),
            (
                "other",
                "`intoto run`: the status of the command it ran, when that failed",
            ),
        ],
        see_also: &["gpg(1)", "gpg-agent(1)", "sq(1)"],
    },
    Page {
        command: "run",
        description: "\
Records the *materials* (the files a step uses), runs the command,
records the *products* (the files it made) and writes the signed link
to the file *name*`.`*keyid*`.link` (the first 8 hex digits of the
signing key's id).

The command runs as an argument vector, never through a shell; its output
is shown, and recorded in the link's byproducts with `-s`. A command that
fails still gets its link, which records its status, and `intoto run`
exits with that status. Recording follows symbolic links to directories
and refuses what it cannot record (a missing path, a dangling link, a FIFO)
with an error naming the path.

With `--attestation` the link is written as a link attestation: a DSSE
envelope holding an in-toto Statement v1 with the link predicate v0.3
(the products are its subjects, the materials resource descriptors with
their `sha256` digests, then the command, byproducts and environment),
signed with the same key (a GnuPG key's signature is a binary OpenPGP
packet, `keyid` the fingerprint of the key that signed). A Statement
needs a subject: without products it is refused (write the classic
format instead).

Passphrases: gpg-agent asks for a GnuPG key's passphrase with
pinentry (on the terminal `GPG_TTY` names, or a graphical one).
Without a terminal (CI), give `--passphrase-file` *FILE*: its first
line, as gpg reads it, goes to gpg-agent through loopback pinentry
(allowed unless the agent has `no-allow-loopback-pinentry`), or
unlocks an encrypted PEM key. Or unlock the key in the agent
beforehand: `allow-preset-passphrase` in `gpg-agent.conf`,
then `gpg-preset-passphrase --preset` *KEYGRIP* (in `/usr/lib/gnupg`)
with the passphrase on its standard input (the keygrip is what the
command `gpg --with-keygrip -K` shows). Beware: `-P` *PASSWORD*
puts the password in the shell history and the process list (a
warning says so on a terminal).",
        examples: Some(examples::RUN),
        exit_status: &[
            ("0", "the command succeeded and the link was written"),
            ("1", EXIT_1),
            ("2", EXIT_2),
            (
                "other",
                "the command failed: its status (killed by signal *n*: 256 minus *n*, as the reference; a status whose low 8 bits are 0: 1); the link was written",
            ),
        ],
        see_also: &["intoto-record(1)", "intoto-link(5)"],
    },
    Page {
        command: "record",
        description: "\
Records a step done by hand in two parts: `intoto record start` records the
materials and writes a signed, unfinished link; after the work, the
command `intoto record stop` records the products and writes the
finished link. Both must be given the same step name and key.
Passphrases come as for `intoto run` (`--passphrase-file` *FILE*
without a terminal).",
        examples: Some(examples::RECORD),
        exit_status: EXIT_COMMON,
        see_also: &["intoto-run(1)", "intoto-link(5)"],
    },
    Page {
        command: "record start",
        description: "\
Records the materials and writes them, signed, to the hidden file
.*name*`.`*keyid*`.link-unfinished` in the current directory.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "record stop",
        description: "\
Reads the unfinished link of the step (checking its signature with the
given key), records the products, and writes the signed link to the
file *name*`.`*keyid*`.link`; the unfinished link is then removed.
With `--attestation` it is written as a link attestation, whatever the
format of the unfinished link (see `intoto run`).",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "verify",
        description: descriptions::VERIFY,
        examples: Some(examples::VERIFY),
        exit_status: &[("0", "verified"), ("1", EXIT_1), ("2", EXIT_2)],
        see_also: &["intoto-sign(1)", "gpgv(1)", "sqv(1)"],
    },
    Page {
        command: "verify-summary",
        description: descriptions::VERIFY_SUMMARY,
        examples: Some(examples::VERIFY_SUMMARY),
        exit_status: &[
            ("0", "the summary holds for every artifact given"),
            ("1", EXIT_1),
            ("2", EXIT_2),
        ],
        see_also: &["intoto-verify(1)"],
    },
    Page {
        command: "sign",
        description: descriptions::SIGN,
        examples: Some(examples::SIGN),
        exit_status: &[
            ("0", "signed, or every signature verified"),
            ("1", EXIT_1),
            ("2", EXIT_2),
        ],
        see_also: &["intoto-layout(1)", "intoto-verify(1)"],
    },
    Page {
        command: "mock",
        description: "\
Runs a command as `intoto run` would, recording the whole current
directory before and after and the command's output, and writes an
unsigned link to *name*`.link`: a quick way to see what a step's link will
hold while writing a layout. Nothing is signed. With `--attestation` it is
an unsigned link attestation (see `intoto run`).",
        examples: Some(examples::MOCK),
        exit_status: &[
            (
                "0",
                "the link was written (also when the command failed: a warning says so)",
            ),
            ("1", EXIT_1),
            ("2", EXIT_2),
        ],
        see_also: &["intoto-run(1)"],
    },
    Page {
        command: "key",
        description: "\
Shows the in-toto key id of a PEM key, and exports a GnuPG or PEM key as
the key entry a layout holds.",
        examples: Some(examples::KEY),
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "key id",
        description: "\
Prints the in-toto key id (the SHA-256 of the key's canonical entry) of a
PEM public or private key: the id a layout's `--functionary` names. For
an OpenPGP key file (armored or binary) it prints the key's fingerprint,
its in-toto key id; a file of several keys needs `--gpg` to pick one.
With `--legacy-keyid`, the id securesystemslib before 1.0, in-toto-rs
and in-toto-golang compute (over the entry with `keyid_hash_algorithms`
among its fields): the id rebuilderd's attestations name their key by.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "key export",
        description: "\
Prints the layout key entry (JSON) of a GnuPG key, with its subkeys and
expiry, or of a PEM public key. Revoked OpenPGP keys are not exported.
With `--legacy-keyid`, a PEM key's entry is the one securesystemslib
before 1.0, in-toto-rs and in-toto-golang write, under its legacy key id
(see `intoto key id`).",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "layout",
        description: "\
Writes a layout step by step, changes it, and shows one. Each change is
checked as it is made (an unknown rule keyword, a MATCH naming no step, a
functionary key the layout does not hold, removing a step that a MATCH
rule still names) and written atomically under a lock. Steps and
inspections are changed in place with `set-step` and `set-inspection`,
and a functionary key is rotated in every step at once with the
command `replace-key`. Every edit writes the layout back without its
signatures (a warning names them): sign it again afterwards with the
command `intoto sign`.",
        examples: Some(examples::LAYOUT),
        exit_status: EXIT_COMMON,
        see_also: &["intoto-sign(1)"],
    },
    Page {
        command: "layout new",
        description: "\
Creates an empty, unsigned layout with an expiry date and a readme. An
expiry date in the past is written, with a warning.

With `--rebuilders` *URL*... and `--threshold` *K*, it writes the standard
rebuild layout instead, ready to sign: each rebuilder's signing key,
fetched from rebuilderd's `/api/v0/public-keys` as the command
add-key does with `--rebuilder` (trust on first use: each fingerprint is
shown), under the key id its attestations carry; the step rebuild,
which *K* of those keys must have signed, with the products rules
CREATE `{DEB}`, ALLOW `*.deb` (the other binaries of the source) and
then DISALLOW `*`; and the inspection verify-reprobuilds, whose command
is `true` and whose materials must `MATCH {DEB} WITH PRODUCTS FROM rebuild`,
with `DISALLOW *` for anything else. The package handed over is then the
one *K* rebuilders built, for the apt method and verify-archive alike.
The rebuilder entries to give them (`rebuilderd:`*URL*) are printed.
With `--rebuilders-from` *FILE*, the URLs come from the list of
kpcyrd/rebuilderd-community (`[[rebuilder]]` entries with url and
distributions, in a TOML file or in the fenced `toml` block of its
README): those serving `--distribution` (default debian). A URL without
a scheme is asked over HTTPS. Nothing is written unless every key was
fetched.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "layout add-key",
        description: "\
Adds a functionary's public key to the layout: a GnuPG key (exported with
its subkeys and expiry; from the GnuPG home, or from an OpenPGP key file
with `--keyring`, alone when it holds one key) or a PEM public key. It
warns when the key has a subkey the Python reference cannot verify, or
expires before the layout does. With `--legacy-keyid`, a PEM
key is added under its legacy key id, the one rebuilderd's links are
signed under (see `intoto key id`), so that a step can name it as their
functionary.

With `--rebuilder` *URL*, the key is the current signing key of the
rebuilderd at *URL*, fetched from its `/api/v0/public-keys` (over HTTPS
unless *URL* says `http://`; `rebuilderd:`*URL* is taken as well), and
added under the legacy key id its attestations carry. Its fingerprint (the
SHA-256 of its DER SubjectPublicKeyInfo) and that key id are shown, with a
warning: the key is trusted on first use, as the server answered it, so
compare the fingerprint with one the rebuilder's operators publish.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "layout add-step",
        description: "\
Adds a step at the end of the layout: who may perform it, how many of them
must, the command they are expected to run, and the rules for its
materials and products (see `intoto-rules`(7)).",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "layout add-inspection",
        description: "\
Adds an inspection at the end of the layout: a command the verifier runs
in the final product's directory (in a private copy of it: see the
page `intoto-verify`(1)), with rules for what it finds there and what
it makes.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "layout remove-step",
        description: "\
Removes a step from the layout. Refused while a MATCH rule of another
step or of an inspection takes artifacts from it (the rule would silently
stop matching): remove or change those first. The layout is written back
without its signatures (a warning names them): sign it again with the
command `intoto sign`.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &["intoto-layout-add-step(1)", "intoto-sign(1)"],
    },
    Page {
        command: "layout remove-inspection",
        description: "\
Removes an inspection from the layout. Refused while a MATCH rule of
another inspection takes artifacts from it. The layout is written back
without its signatures (a warning names them): sign it again with the
command `intoto sign`.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &["intoto-layout-add-inspection(1)", "intoto-sign(1)"],
    },
    Page {
        command: "layout remove-key",
        description: "\
Removes a functionary key from the layout, and from every step it may
perform. *KEYID* may be a unique prefix of 8 or more hex digits; a
subkey's fingerprint names its primary key. Refused, changing nothing,
when a step would be left with fewer keys than its threshold (remove or
change that step first). The layout is written back without its
signatures (a warning names them): sign it again with `intoto sign`.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &["intoto-layout-add-key(1)", "intoto-sign(1)"],
    },
    Page {
        command: "layout replace-key",
        description: "\
Puts a new functionary key in the place of an old one, everywhere the
old one appears: in the layout's keys and in every step it may perform,
at the same positions, with the thresholds kept: the way to rotate a
key. *OLD* is a key id as `intoto layout show` prints it (a unique prefix
of 8 or more hex digits; a subkey's fingerprint names its primary key);
the new key is given as for `intoto layout add-key`: a PEM public key, or
a GnuPG key from the GnuPG home or a keyring file. A new key that is
another key of the layout already is refused; the same key again (say,
with a new subkey or expiry) replaces its entry. The change is made
under a lock and written atomically, without the layout's signatures (a
warning names them): sign it again with `intoto sign`.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[
            "intoto-layout-add-key(1)",
            "intoto-layout-remove-key(1)",
            "intoto-sign(1)",
        ],
    },
    Page {
        command: "layout set-step",
        description: "\
Changes a step in place: who may perform it (`--functionary`, keys of the
layout), how many of them must (`--threshold`), the command they are
expected to run, and its material and product rules. What is given
replaces what the step has; with `--append`, functionaries and rules are
added after the step's own. What is not given is kept. The step keeps its
name and its position, so the MATCH rules of other steps and inspections
that name it still do. Refused, changing nothing, when the threshold
would exceed the number of functionaries. The layout is written back
without its signatures (a warning names them): sign it again with the
command `intoto sign`.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[
            "intoto-layout-add-step(1)",
            "intoto-rules(7)",
            "intoto-sign(1)",
        ],
    },
    Page {
        command: "layout set-inspection",
        description: "\
Changes an inspection in place: the command the verifier runs, and its
material and product rules (given rules replace the inspection's, or
with `--append` follow them). Its name and position stay. The layout is
written back without its signatures (a warning names them): sign it
again with `intoto sign`.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &["intoto-layout-add-inspection(1)", "intoto-sign(1)"],
    },
    Page {
        command: "layout set-expires",
        description: "\
Changes when the layout expires: a date, a time, or a duration from now.
A date in the past is written, with a warning that verification will
refuse the layout. The layout is written back without its signatures (a
warning names them): sign it again with `intoto sign`.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &["intoto-layout-new(1)", "intoto-sign(1)"],
    },
    Page {
        command: "layout set-readme",
        description: "\
Changes the layout's readme, its free-text description of the supply
chain (an empty one is allowed). The layout is written back without its
signatures (a warning names them): sign it again with `intoto sign`.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &["intoto-layout-new(1)", "intoto-sign(1)"],
    },
    Page {
        command: "layout show",
        description: "\
Shows a layout: its expiry, keys, steps with who may sign them and their
rules, inspections, and signatures, each checked with the keys given, or
without any, with the signers' keys in the GnuPG home, and named by
fingerprint and user id. `WARNING` lines mark an expired layout, keys
that expire before it does, and subkeys the Python reference cannot
verify. Text from the file is shown with control characters escaped.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "layout draft",
        description: layout_tools::DRAFT,
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &["intoto-layout-check(1)", "intoto-mock(1)", "intoto-sign(1)"],
    },
    Page {
        command: "layout check",
        description: layout_tools::CHECK,
        examples: None,
        exit_status: &[("0", "no error found"), ("1", EXIT_1), ("2", EXIT_2)],
        see_also: &[
            "intoto-layout-draft(1)",
            "intoto-rules(7)",
            "intoto-verify(1)",
        ],
    },
    Page {
        command: "layout graph",
        description: "\
Draws the supply chain the layout describes: each step (its functionaries,
threshold and expected command) and each inspection as a box, each MATCH
rule as an arrow from the step it names, labelled with its pattern, what
steps take from outside the layout and what they make that no later step
takes (the final products). Functionaries with OpenPGP keys are named by
user id when the GnuPG home (or `--keyring`) has their certificate, others
by key id.

With `--report`, a report of `intoto verify --json` for this layout, the
picture shows what passed, where verification failed (the step or
inspection, and the MATCH rule that did not match) and what it did not
reach.

The SVG is laid out by intoto itself, without Graphviz; `--format dot`
writes Graphviz source and `--format mermaid` a Markdown block that GitHub
and GitLab draw. Text from the layout is escaped for each format.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &["intoto-verify(1)", "dot(1)"],
    },
    Page {
        command: "match-products",
        description: "\
Checks that local files are the products a link lists, recorded as the
command `intoto run` records them. Prints one line per difference,
sorted, each of the form `Only in products:` *path* (listed in the link,
not here), `Not in products:` *path* (here, not in the link) or, for a
file that changed, `Hashes differ:` *path*. With keys, first checks the
link's signature: each key named with `--verification-keys` or `--gpg`
must have signed it, and a `--keyring` given alone needs a valid signature
by any key in it. A layout is refused.",
        examples: Some(examples::MATCH_PRODUCTS),
        exit_status: &[("0", "the files match"), ("1", EXIT_1), ("2", EXIT_2)],
        see_also: &["intoto-run(1)"],
    },
    Page {
        command: "verify-archive",
        description: descriptions::VERIFY_ARCHIVE,
        examples: Some(examples::VERIFY_ARCHIVE),
        exit_status: &[
            (
                "0",
                "no package failed or was denied: each selected one was verified, lacks evidence or was allowed",
            ),
            ("1", EXIT_1),
            ("2", EXIT_2),
        ],
        see_also: &["intoto-verify(1)", "apt-secure(8)"],
    },
    Page {
        command: "apt-check",
        description: "\
Checks `.deb` files as the apt method `intoto+http` would check them when
apt downloads them (see `intoto-apt`(8)), with the configuration apt would
give it: `intoto apt-check` reads apt's configuration with `apt-config
dump` (`APT_CONFIG`, `/etc/apt/apt.conf.d/`, and `-c` and `-o` as apt
takes them), reads the method's settings `APT::Intoto::*` from it, loads
the layout, checks its signatures, then asks the rebuilders for each
package's links and verifies it. A broken configuration (no layout, a key
that cannot be found, a layout the keys did not sign, a malformed
rebuilder entry) is one error naming the setting to fix, found before it
fails every download.

Prints one line per package: *file*`: verified`, or *file*`: refused:`
and the reason, or, for missing evidence with `APT::Intoto::NoFail` set,
the file name, `: accepted with a warning:` and the reason. Before them,
on stderr, one line says what the configuration gave: the layout, the
keys that signed it, the rebuilders, `NoFail` and `Timeout`. It runs as
the user who starts it: it does not drop privileges as the method does.",
        examples: Some(examples::APT_CHECK),
        exit_status: &[
            (
                "0",
                "apt would take every package: each verified (or, with `APT::Intoto::NoFail`, lacks evidence)",
            ),
            ("1", EXIT_1),
            ("2", EXIT_2),
        ],
        see_also: &["intoto-verify-archive(1)", "apt-config(8)"],
    },
    Page {
        command: "pacman-fetch",
        description: descriptions::PACMAN_FETCH,
        examples: Some(examples::PACMAN_FETCH),
        exit_status: &[
            ("0", "downloaded, and verified when a package (or allowed)"),
            ("1", EXIT_1),
            ("2", EXIT_2),
        ],
        see_also: &["pacman.conf(5)", "intoto-verify-archive(1)"],
    },
];

/// The sections 5, 7 and 8 pages.
pub static DOCUMENTS: &[Document] = &[
    Document {
        name: "intoto-layout",
        section: 5,
        text: include_str!("pages/intoto-layout.5"),
    },
    Document {
        name: "intoto-link",
        section: 5,
        text: include_str!("pages/intoto-link.5"),
    },
    Document {
        name: "intoto-rules",
        section: 7,
        text: include_str!("pages/intoto-rules.7"),
    },
    Document {
        name: "intoto-apt",
        section: 8,
        text: include_str!("pages/intoto-apt.8"),
    },
];

/// The page of `command` (see [`Page::command`]).
pub fn page(command: &str) -> Option<&'static Page> {
    PAGES.iter().find(|p| p.command == command)
}

/// The `--help` description of `command`.
pub fn help(command: &str) -> String {
    page(command).map_or_else(String::new, |p| markup::to_help(p.description))
}

/// The examples of `command`: its own, or those of its parent that run it.
pub fn examples_of(command: &str) -> Option<String> {
    let p = page(command)?;
    if let Some(e) = p.examples {
        return Some(e.to_owned());
    }
    let (parent, _) = command.rsplit_once(' ')?;
    let all = page(parent)?.examples?;
    let prefix = format!("  $ intoto {command} ");
    let mut out = vec!["Examples:".to_owned()];
    let mut open = false;
    for line in all.lines() {
        if line.starts_with(&prefix) || open {
            out.push(line.to_owned());
            open = line.ends_with('\\');
        }
    }
    (out.len() > 1).then(|| out.join("\n"))
}

/// What `--help` shows after the options: the examples and the exit
/// status.
pub fn after_help(command: &str) -> String {
    let Some(p) = page(command) else {
        return String::new();
    };
    let mut out = examples_of(command).unwrap_or_default();
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    let codes: Vec<String> = p
        .exit_status
        .iter()
        .map(|(c, m)| format!("{c} {m}"))
        .collect();
    out.push_str(&markup::to_help(&wrap(
        &format!("Exit status: {}.", codes.join("; ")),
        76,
    )));
    if command.is_empty() {
        // (No line starts with a styled word: clap's wrapping would not
        // know where that line begins.)
        out.push_str("\n\n");
        out.push_str(&markup::to_help(
            "See `intoto` *command* `--help` and the man pages: `man intoto`, one\n\
             for each command (`man intoto-verify`), `man 5 intoto-layout`, the\n\
             rule language's `man 7 intoto-rules`, and the apt method\n\
             (`intoto+https` in sources.list) `man 8 intoto-apt`.",
        ));
    }
    out
}

/// `text` broken at spaces into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut len = 0;
    for w in text.split_whitespace() {
        if len > 0 && len + 1 + w.chars().count() > width {
            out.push('\n');
            len = 0;
        } else if len > 0 {
            out.push(' ');
            len += 1;
        }
        out.push_str(w);
        len += w.chars().count();
    }
    out
}

#[cfg(test)]
mod tests;
