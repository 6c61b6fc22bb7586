//! The manual: what each command's man page says beyond its options, in
//! the markup of [`super::markup`]. The same text is the command's
//! `--help` description, so the two cannot drift; the options come from
//! the clap definitions and the EXAMPLES from [`super::examples`].
//! `intoto generate man DIR` writes the pages (`scripts/gen-docs`).

mod environment;

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
implementation (in-toto 3.1).",
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
with an error naming the path.",
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
finished link. Both must be given the same step name and key.",
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
file *name*`.`*keyid*`.link`; the unfinished link is then removed.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "verify",
        description: "\
Checks a final product against its layout and the links of its steps: the
layout's signatures and expiry, each step's links (their signers and
threshold), the artifact rules of every step, then the inspections, which
it runs in the current directory (as argument vectors, never through a
shell; they see every file there except `*.link*` files).

Owner keys: every key named with `--verification-keys` or `--gpg` must have
signed the layout; a `--keyring` given alone needs one valid signature by
any key in it (as gpgv and sqv); `--signatures` *N* asks for *N* distinct
keys among those given instead. Revoked and expired keys are refused.

On failure, one line names the stage and what is at fault. `--json` prints
one report for every outcome (usage errors too): version, result (passed,
failed or error), layout, time, signers, steps (the links that counted and
those skipped, and why), warnings, then failure (its stage, kind and message)
or error. Its JSON Schema
is `docs/verify-report.schema.json` in the source. A failed check and an
input that could not be read both exit 1: the report's result (failed or
error) tells them apart.

A failed inspection is followed by the last lines of its stderr; a layout
whose commands use `{`*NAME*`}` placeholders, verified without `--param`,
draws a warning naming them. On a terminal, a progress line shows an
inspection hashing a large tree.",
        examples: Some(examples::VERIFY),
        exit_status: &[("0", "verified"), ("1", EXIT_1), ("2", EXIT_2)],
        see_also: &["intoto-sign(1)", "gpgv(1)", "sqv(1)"],
    },
    Page {
        command: "sign",
        description: "\
Signs a link or a layout, co-signs a layout, or checks its signatures.

A layout is signed in place unless `-o` is given. Without `-a`, signing
replaces every signature the layout carries (a warning names those by
other keys that it drops). Co-signing with `-a` adds the new signature
(to an unsigned layout, as its first), after checking that every
existing one still verifies over the content, with the signers' keys
from `--signed-by`, the GnuPG home or the layout's own keys (a key given
with `--signed-by` that made none of the signatures is an error); the
signed content is never rewritten. Concurrent co-signers are serialised
by a lock on the file. Editing a layout (with `intoto layout add-step`,
say, or `remove-step` or `set-expires`) drops its signatures: sign it
again.

A link is signed by one key and written to *name*`.`*keyid*`.link`.

With `--verify`, checks that every given key signed the file; a failure
names the keys that did sign.

Errors that are not usage errors (a missing file or key, a key that
signed already) exit 1, as for every command; for them the reference's
command `in-toto-sign` exits 2.",
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
hold while writing a layout. Nothing is signed.",
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
PEM public or private key: the id a layout's `--functionary` names.
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
rule still names) and written atomically under a lock. Every edit writes
the layout back without its signatures (a warning names them): sign it
again afterwards with `intoto sign`.",
        examples: Some(examples::LAYOUT),
        exit_status: EXIT_COMMON,
        see_also: &["intoto-sign(1)"],
    },
    Page {
        command: "layout new",
        description: "\
Creates an empty, unsigned layout with an expiry date and a readme. An
expiry date in the past is written, with a warning.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
    },
    Page {
        command: "layout add-key",
        description: "\
Adds a functionary's public key to the layout: a GnuPG key (exported with
its subkeys and expiry) or a PEM public key. With `--legacy-keyid`, a PEM
key is added under its legacy key id, the one rebuilderd's links are
signed under (see `intoto key id`), so that a step can name it as their
functionary.",
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
in the final product's directory, with rules for what it finds there and
what it makes.",
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
rules, inspections, and signatures (checked when keys are given). Text
from the file is shown with control characters escaped.",
        examples: None,
        exit_status: EXIT_COMMON,
        see_also: &[],
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
file that changed, `Hashes differ:` *path*. With keys, first checks that
each of them signed the link. A layout is refused.",
        examples: Some(examples::MATCH_PRODUCTS),
        exit_status: &[("0", "the files match"), ("1", EXIT_1), ("2", EXIT_2)],
        see_also: &["intoto-run(1)"],
    },
    Page {
        command: "verify-archive",
        description: "\
Judges every package of a Debian archive's index against the links that
rebuilders publish, without downloading the packages. First the index is
checked: the `InRelease` file must be signed by a key of the archive
keyring (`--archive-keyring`, read without gpg) and be valid at the time
(its `Valid-Until`), and the `Packages` file (plain, `.xz`, `.gz` or `.zst`) must
be listed in it with its digest, or with that of its content. A compressed
file is read as apt reads it, every gzip member, xz stream or zstd frame
(bytes after the last one that are not another are refused); one that is
not listed itself is decompressed no further than the largest `Packages`
index listed. The layout is loaded and its signatures
checked once. Then the index's `SHA256` of each package stands for
the `.deb` in the layout's inspections, which works for inspections whose
command is `true` (the usual MATCH of the rebuilders' products); a layout
whose inspection runs a command is refused, saying so. With `--files` *DIR*,
the downloaded `.deb` files there are judged instead (each must have the
index's SHA256 and control data; an entry without a file in *DIR* is
counted as not downloaded and not printed). Each file is copied first:
its digest, its control data and the verification are those of the
copy, whatever happens to the file meanwhile.

Rebuilders are given as for the apt method: a bare *URL* is the legacy API
(`GET` *URL*`/sources/`*source*`/`*version*`/metadata`), and `rebuilderd:`*URL* is
rebuilderd's v1 API. For each package all of them are asked at once,
each within `--timeout` seconds for all its requests (rebuilderd's list of
builds, then the attestations of at most 8 of them, newest first). The
binary packages of one source version are judged by one worker, one after
the other, so a link given per source version is fetched once; the
answers are cached on disk for the run (`--cache-dir` keeps them). A
cache directory must be writable by you only (owned by you or root, not
writable by its group or others): an answer planted there would stand for
a rebuilder's, so another one is refused. Anything in it that is not a
plain file of yours is ignored and replaced. The links are verified in memory;
each check places the package in a private temporary directory: for large runs,
put `TMPDIR` on a tmpfs.

The output, on stdout, is one JSON object per line for each package, in
the index's order, with the members package, version, architecture,
source, source_version, filename and sha256 of its entry (and file,
with `--files`), then its result, a reason unless it was verified, and
rebuilders: what each rebuilder answered (`link`, `not found` or what went
wrong). The result is `verified`, `failed` (contradicting evidence: a bad
signature, a digest that differs, a rule that fails) or `missing-evidence`
(no link, fewer links than a step's threshold, a rebuilder that could
not be reached). The last line is one object, `{\"summary\": {...}}`, with
the release and index files checked, the counts verified, failed and
missing-evidence, the index's entries, the selected ones and their
sources, the shard, the jobs and the seconds taken (with `--files`, also
not-downloaded).

Missing evidence does not fail the run: the package is neither verified
nor contradicted, and its line says what is missing. A package that
failed makes the exit status 1, after every line is printed. An index
that cannot be trusted is an error (a bad or missing signature,
an `InRelease` past its `Valid-Until`, a `Packages` file it does not list):
one message, nothing on stdout, exit status 1.

With `--shard` *K*`/`*N* (*K* from 0 to *N*-1), only the packages whose source name
hashes to *K* modulo *N* are judged: the hash is the first 8 bytes of the
SHA-256 of the source name, read as a big-endian number. Every machine
computes the same split, all binary packages of a source land in the
same shard, and the *N* shards together cover the index once. The
summary's `selected` counts the shard's packages.",
        examples: Some(examples::VERIFY_ARCHIVE),
        exit_status: &[
            (
                "0",
                "no package failed: each selected one was verified or lacks evidence",
            ),
            ("1", EXIT_1),
            ("2", EXIT_2),
        ],
        see_also: &["intoto-verify(1)", "apt-secure(8)"],
    },
];

/// The sections 5 and 7 pages.
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
             for each command (`man intoto-verify`), `man 5 intoto-layout` and\n\
             the rule language's `man 7 intoto-rules`.",
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
mod tests {
    use super::*;

    #[test]
    fn every_text_is_valid_markup() {
        for p in PAGES {
            markup::to_roff(p.description).unwrap();
            for (_, m) in p.exit_status {
                markup::to_roff(m).unwrap();
            }
        }
        for e in ENVIRONMENT.iter().chain(FILES) {
            markup::to_roff(e.name).unwrap();
            markup::to_roff(e.text).unwrap();
        }
        for d in DOCUMENTS {
            markup::to_roff(d.text).unwrap();
        }
    }

    #[test]
    fn every_command_has_the_one_exit_status_table() {
        for p in PAGES {
            let codes: Vec<&str> = p.exit_status.iter().map(|(c, _)| *c).collect();
            let extra: &[&str] = if p.command.is_empty() || p.command == "run" {
                &["other"]
            } else {
                &[]
            };
            assert_eq!(
                codes,
                [&["0", "1", "2"][..], extra].concat(),
                "{}",
                p.command
            );
            assert_eq!(p.exit_status[1].1, EXIT_1, "{}", p.command);
            assert_eq!(p.exit_status[2].1, EXIT_2, "{}", p.command);
        }
    }

    /// clap's help wrapping loses the start of a line that begins with a
    /// styled word (and breaks it early), so none does.
    #[test]
    fn no_help_line_starts_with_markup() {
        for p in PAGES {
            for line in p.description.lines() {
                assert!(
                    !line.starts_with(['`', '*']),
                    "intoto {}: {line:?}",
                    p.command
                );
            }
        }
    }

    #[test]
    fn subcommand_examples_come_from_the_parent() {
        let e = examples_of("layout add-step").unwrap();
        assert!(
            e.starts_with("Examples:\n  $ intoto layout add-step "),
            "{e}"
        );
        assert!(!e.contains("add-key"), "{e}");
        assert!(examples_of("layout add-key").is_some());
    }

    #[test]
    fn entries_apply_to_their_commands_and_subcommands() {
        let gnupghome = &ENVIRONMENT[0];
        assert!(applies(gnupghome, "verify"));
        assert!(applies(gnupghome, "record start"));
        assert!(applies(gnupghome, "layout"));
        assert!(applies(gnupghome, "layout add-key"));
        assert!(!applies(gnupghome, "layout add-step"));
        assert!(!applies(gnupghome, "mock"));
        assert!(applies(gnupghome, ""));
    }
}
