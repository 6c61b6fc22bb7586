//! The DESCRIPTION of the longer command pages (`verify`, `sign`,
//! `verify-archive`, `pacman-fetch`, `verify-summary`), in the manual's markup.

/// `intoto verify`
pub const VERIFY: &str = "\
Checks a final product against its layout and the links of its steps: the
layout's signatures and expiry, each step's links (their signers and
threshold), the artifact rules of every step, then the inspections (as
argument vectors, never through a shell).

Inspections see the current directory, but run in a private copy
of it, `$TMPDIR/intoto-inspect.`*XXXXXX*`/`*name*
(mode 0700), made before the first inspection and removed afterwards
(also when intoto is interrupted), so `intoto verify` never changes
the directory and a second run gives the same answer. The copy has the
same relative paths, so an inspection records what it would record in
place (every file except `*.link*` files); symbolic links are copied
as links, and a FIFO, socket or device there is refused. Files are
cloned copy-on-write where the file system can (Btrfs, XFS: put
the directory `TMPDIR` names on the same file system), else copied:
a large directory costs its size in time and space (at most 16 GiB
copied, one million entries, 128 levels deep). Verify in a directory
holding only the final product, or give `--inspect-in-place` to run
inspections in the directory itself, as the reference does (they may
change it). The option `--write-inspection-links` writes
the links into the current directory either way.

A step's link by a key is *step*`.`*keyid*`.link` or *step*`.`*keyid*`.json`
(one key may not have both). Either may be a classic link or a link
attestation: a DSSE envelope (standard or URL-safe base64) holding an
in-toto Statement v1 (`_type` exactly `https://in-toto.io/Statement/v1`)
with the link predicate `https://in-toto.io/attestation/link/v0.3`,
signed by a key the step names (PEM, or OpenPGP as a binary or
ASCII-armored signature; its `keyid` is only a hint). It counts once its
signature verifies and only if its `predicate.name` is the step's name,
it has subjects, every subject and material has a unique name and a
digest of lower-case hex, and it has none of the older link shapes
(`products`, materials as a map); then its subjects are the step's
products and its materials the step's materials, and thresholds, the
command check, rules and inspections treat it as a link. A signed
attestation that breaks one of these fails the step (link signatures
stage), naming the file and why. Two digests of an artifact match when
they share an algorithm of SHA-256 or stronger and agree on every
algorithm they share, for classic links and attestations alike.

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

With `--summary` *FILE* and a key to sign with (`--summary-signing-key`
or `--summary-gpg`), a passing verification writes a signed summary for
those who trust the verifier rather than check the chain themselves
(`intoto verify-summary` checks it): a DSSE envelope holding an in-toto
Statement v1 whose subjects are the final products (the products of the
last step, by name and sha256; `--summary-subject` names other files).
Its predicate is a Simple Verification Result, of type
https://in-toto.io/attestation/svr/v0.2: the verifier, named
pkg:generic/intoto@*version*; the layout with its sha256 as the policy;
the time of verification; and the properties that held, which are
INTOTO_LAYOUT_VERIFIED and each `--summary-property`. With
the option `--summary-type vsa` it is a SLSA Verification Summary, of type
https://slsa.dev/verification_summary/v1: `--summary-resource` as its
resourceUri, the layout as its policy, every link file that counted with
its sha256 as inputAttestations, the same properties as verifiedLevels
(intoto's own never start with SLSA_). An SVR is only written after a
pass; a VSA with `--summary-on-failure` is written after a failure too,
saying FAILED.

A failed inspection is followed by the last lines of its stderr; a layout
whose commands use `{`*NAME*`}` placeholders, verified without `--param`,
draws a warning naming them. On a terminal, a progress line shows an
inspection hashing a large tree. When an inspection's rules fail and the
layout or the links lie in the current directory, a note says that the
inspections saw them too.";

/// `intoto sign`
pub const SIGN: &str = "\
Signs a link or a layout, co-signs a layout, or checks its signatures.

A layout is signed in place unless `-o` is given. Without `-a`, signing
replaces every signature the layout carries (a warning names those by
other keys that it drops). Co-signing with `-a` adds the new signature
(to an unsigned layout, as its first), after checking that every
existing one still verifies over the content, with the signers' keys
from `--signed-by`, the GnuPG home or the layout's own keys (a key given
with `--signed-by` that made none of the signatures is an error); the
signed content is never rewritten. A key that signed already is refused
unless `--replace` is given: then its own signature (for OpenPGP, one by
any subkey of the same primary key, say after moving to a new subkey) is
replaced and the others are kept. Concurrent co-signers are serialised
by a lock on the file. Editing a layout (with `intoto layout add-step`,
say, or `remove-step` or `set-expires`) drops its signatures: sign it
again.

A link is signed by one key and written to *name*`.`*keyid*`.link`.

Passphrases: `-p` asks for the password of encrypted PEM keys;
gpg-agent asks for GnuPG passphrases. Without a terminal, the
option `--passphrase-file` *FILE* gives either (its first line, as
gpg reads it); `intoto-run`(1) says how to preset a passphrase in
gpg-agent instead.

With `--merge` *A* *B*..., combines the signatures of copies of one layout
signed on different machines, into the first copy or into `-o` *PATH*. The
copies must hold the same signed content (the canonical bytes of `signed`;
how the file is laid out does not matter): a copy that differs is refused,
naming it. Exact duplicates are dropped, and so is a second, different
signature by a key that signed already (the first one given is kept, and
a warning names it). Every signature whose key is known is checked, as
with `-a` (keys from `--signed-by`, `--keyring`, the GnuPG home and the
layout's own keys); one that does not verify is refused. The copies are
read under their locks and the result is written atomically.

With `--verify`, checks the signatures by the rule of `intoto verify`:
each key given with `-k` or `--gpg` must have signed; a `--keyring` given
alone needs one valid signature by any key in it; `--signatures` *N* asks
for *N* distinct keys among all those given. A failure lists the keys that
signed and those that did not.

Errors that are not usage errors (a missing file or key, a key that
signed already) exit 1, as for every command; for them the reference's
command `in-toto-sign` exits 2.";

/// `intoto verify-archive`
pub const VERIFY_ARCHIVE: &str = "\
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
checked once, as `intoto verify` checks them (each named key; one key of
a `--keyring` given alone; `--signatures` *N* distinct keys among all
those given). Then the index's `SHA256` of each package stands for
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
answers are cached on disk for the run (`--cache-dir` keeps them): a link
given per source version is fetched once for the consecutive binary
packages of its source in the index (judged by one worker, one after the
other), and the others usually find it in the cache. A cache directory
must be writable by you only (owned by you or root, not writable by its
group or others): an answer planted there would stand for a rebuilder's,
so another one is refused. Anything in it that is not a plain file of
yours is ignored and replaced. The links are verified in memory, and a
package judged by its digest needs no file at all; with `--files`, each
file is copied into a private temporary directory (and placed in another
for an inspection that runs a command). The index is read as a
stream, twice (checked whole first, so that a damaged entry refuses it
before anything is judged), and judgements are printed as they come:
memory does not grow with the number of packages, beyond the index file
as given (held as it is, compressed) and the rows of a `--report` page.

The output, on stdout, is one JSON object per line for each package, in
the index's order, with the members package, version, architecture,
source, source_version, filename and sha256 of its entry (and file,
with `--files`), then its result, a reason unless it was verified, and
rebuilders: what each rebuilder answered (`link`, `not found` or what went
wrong). The result is `verified`, `failed` (contradicting evidence: a bad
signature, a digest that differs, a rule that fails), `missing-evidence`
(no link, fewer links than a step's threshold, a rebuilder that could
not be reached), `allowed` (missing evidence for a source that an
allow pattern matches) or `denied` (a source that a deny pattern
matches: refused without asking the rebuilders). Each line's rule says
what decided it: `layout` (the verification), `allow` or `deny`, with
the pattern that matched in pattern. The last line is one
object, `{\"summary\": {...}}`, with the release and index files checked, the
counts verified, failed, missing-evidence, allowed and denied, the index's
entries, the selected ones and their sources, the shard, the jobs and the
seconds taken (with `--files`, also not-downloaded).

The options `--allow` and `--deny` take globs on the source package name
(`*`, `?`, `[...]`, as in artifact rules; repeatable), as the apt
method's `APT::Intoto::Allow` and `APT::Intoto::Deny` lists do. A deny pattern is
looked at first: a denied package is refused even when it would verify.
An allow pattern tolerates missing evidence only; contradicting evidence
fails the package whatever the patterns say.

With `--report` *FILE*, the run also writes one self-contained HTML page
(inline style and an inline SVG chart, no script, nothing it would fetch:
its Content-Security-Policy forbids loading anything) after the last
package: the counts verified, failed, missing evidence, allowed and
denied, overall and per component and architecture, as numbers and as
stacked bars; the packages, those that did not verify first, each with
its result, the rule and the verification stage that decided it, and the
reason; and per rebuilder how many questions it was asked (answers kept
in the run's cache counted apart), how many links, not found and errors
it answered, and its median and slowest answer time. All text from the
archive, the layout and the rebuilders is HTML-escaped.

Missing evidence does not fail the run: the package is neither verified
nor contradicted, and its line says what is missing. A package that
failed or was denied makes the exit status 1, after every line is
printed. An index
that cannot be trusted is an error (a bad or missing signature,
an `InRelease` past its `Valid-Until`, a `Packages` file it does not list):
one message, nothing on stdout, exit status 1.

With `--shard` *K*`/`*N* (*K* from 0 to *N*-1), only the packages whose source name
hashes to *K* modulo *N* are judged: the hash is the first 8 bytes of the
SHA-256 of the source name, read as a big-endian number. Every machine
computes the same split, all binary packages of a source land in the
same shard, and the *N* shards together cover the index once. The
summary's `selected` counts the shard's packages.";

/// `intoto pacman-fetch`
pub const PACMAN_FETCH: &str = "\
Downloads *URL* to *OUTPUT* for pacman, as its XferCommand
(`XferCommand = /usr/bin/intoto pacman-fetch %u %o` in pacman.conf), and
verifies each package (a `.pkg.tar.zst`, `.xz`, `.gz` or `.tar`) against
rebuilders' in-toto links before pacman sees it; databases and
signatures pass through. The file is downloaded next to *OUTPUT* under a
new name; a package's `.PKGINFO` names it (pkgname, pkgbase, pkgver,
arch), every rebuilder is asked at once (rebuilderd's v1 API answers for
Arch Linux as for Debian), and the layout verifies it under its own file
name, the parameter `{DEB}` (with `{PACKAGE}`, `{VERSION}`, the
parameters `{ARCHITECTURE}` and `{SOURCE}`, the pkgbase). Deny patterns
refuse a pkgbase outright, allow patterns tolerate its missing evidence
with a warning, as `verify-archive` does. Only a file that passes is
renamed to *OUTPUT*: a refused package leaves nothing, not even the
file *OUTPUT* (pacman's `.part` file), and the exit status is 1.

The settings come from the flags before *URL*, else from the file
that `--config` names (default /etc/intoto/pacman.conf, ignored when it does
not exist): one *name* `=` *value* a line, the names of the flags
(layout, keyring, verification-key, gpg, gpg-home, rebuilder, allow,
deny, timeout), a list by repeating its line, `#` starting a comment. A
flag replaces the file's setting of the same name.";

/// `intoto verify-summary`
pub const VERIFY_SUMMARY: &str = "\
Checks a signed verification summary, as `intoto verify --summary` writes
it, the way its consumer would, in the order of the SLSA Verification
Summary spec. First a DSSE signature over the exact payload by one of the
keys given (with `--verification-keys`, `--gpg` or `--keyring`, as
for `intoto verify`); then that every `--artifact` file is one of the
Statement's subjects by its sha256 (names are not compared); that the
predicate is a Simple Verification Result (in-toto's svr/v0.2) or a SLSA
Verification Summary (verification_summary/v1); with `--resource` that
the VSA is about that resourceUri; that the result is a pass (a VSA
saying FAILED is refused); and, when asked, that the layout
whose sha256 `--policy-digest` gives is one of its policies and that
each `--property` is among its properties (SVR) or verified levels
(VSA). Prints who verified what and when: the verifier, the time, the
key that signed, the policies, the subjects and the properties. Text
from the file is shown with control characters escaped.";
