//! The EXAMPLES sections of `--help` (and of the man pages).
//!
//! Every line starting with `  $ ` (continued by lines ending in ` \`) is
//! a command that the test suite runs (`tests/integration/docs.rs`), in
//! the order TOP, LAYOUT, SIGN, RUN, MATCH_PRODUCTS, RECORD, MOCK, KEY,
//! VERIFY, VERIFY_SUMMARY, in one scratch directory holding the PEM keys
//! alice, bob and carl (`.pem`, `.pub`; bob's key id starts f0d61b92), alice's exported
//! OpenPGP key `alice.asc`, src/hello.c, and with GNUPGHOME set to a copy
//! of `gnupg-home/` (alice 00B6B27B..., bob DEC0DD37...). Every example
//! is such a line: keep them runnable and within 73 columns (80 in the
//! man pages, which indent them further). The exceptions are
//! VERIFY_ARCHIVE, APT_CHECK and PACMAN_FETCH, whose commands need an
//! archive, apt's configuration or pacman's files, and rebuilders: the
//! test only checks that they parse, and fails on any other command's
//! example it does not run.

/// `intoto --help`
pub const TOP: &str = "\
Examples:
  Write a layout, sign it, perform its step, verify:
  $ intoto layout new root.layout --expires 1y
  $ intoto layout add-key root.layout --key bob.pub
  $ intoto layout add-step root.layout --name build \\
        --functionary f0d61b92 --product 'CREATE hello'
  $ intoto sign -f root.layout -k alice.pem
  $ intoto run -n build --signing-key bob.pem -p hello -- \\
        cc -o hello src/hello.c
  $ intoto verify -l root.layout --verification-keys alice.pub";

/// `intoto layout --help`
pub const LAYOUT: &str = "\
Examples:
  $ intoto layout new chain.layout --expires 2099-12-31 --readme demo
  $ intoto layout add-key chain.layout --key bob.pub
  $ intoto layout add-key chain.layout \\
        --gpg DEC0DD373DA1BDFAA584577FC89B071CB4C788CC
  $ intoto layout add-step chain.layout --name build \\
        --functionary f0d61b92 \\
        --expected-command 'cc -o hello src/hello.c' \\
        --material 'ALLOW src/*' \\
        --product 'CREATE hello' --product 'DISALLOW *'
  $ intoto layout add-inspection chain.layout --name check \\
        --run 'test -x hello' \\
        --material 'MATCH hello WITH PRODUCTS FROM build'
  Change the expiry and the readme; take back what is not wanted:
  $ intoto layout set-expires chain.layout 6m
  $ intoto layout set-readme chain.layout 'hello, built from src'
  $ intoto layout add-step chain.layout --name lint \\
        --functionary f0d61b92
  $ intoto layout remove-step chain.layout --name lint
  $ intoto layout add-inspection chain.layout --name ls --run ls
  $ intoto layout remove-inspection chain.layout --name ls
  Rotate a key; change a step and an inspection in place:
  $ intoto layout replace-key chain.layout DEC0DD37 --key carl.pub
  $ intoto layout set-step chain.layout build \\
        --append --material 'ALLOW Makefile'
  $ intoto layout set-inspection chain.layout check \\
        --run 'test -s hello'
  $ intoto layout remove-key chain.layout 6f44242c
  $ intoto layout show chain.layout
  Draft a layout from a dry run of the chain; check one before signing:
  $ intoto layout draft -o draft.layout \\
        --from-run 'build=cc -o hello src/hello.c'
  $ intoto layout check chain.layout
  Draw the supply chain (SVG), or as a Markdown block for a README:
  $ intoto layout graph chain.layout -o chain.svg
  $ intoto layout graph chain.layout --format mermaid > chain.md";

/// `intoto sign --help`
pub const SIGN: &str = "\
Examples:
  Sign a layout in place, then add a co-signature by a second key:
  $ intoto sign -f chain.layout -k alice.pem
  $ intoto sign -f chain.layout -k bob.pem --append --signed-by alice.pub
  Check that both keys signed it:
  $ intoto sign -f chain.layout -k alice.pub bob.pub --verify
  Sign with a GnuPG key (gpg-agent asks for the passphrase or the card's
  PIN), writing the signed layout to another file:
  $ intoto sign -f chain.layout -o owner.layout \\
        --gpg 00B6B27BCD8D883CC73A4A753BD7CE7D6F787304";

/// `intoto run --help`
pub const RUN: &str = "\
Examples:
  Build, recording the sources as materials and the binary as product:
  $ intoto run -n build --signing-key bob.pem -m src -p hello -- \\
        cc -o hello src/hello.c
  Record a sign-off step without running anything, as a DSSE envelope:
  $ intoto run -n review --signing-key bob.pem -m src -x --use-dsse
  As a link attestation (an in-toto Statement v1 in DSSE):
  $ intoto run -n package --signing-key bob.pem -m hello \\
        -p hello.tar --attestation -- tar -cf hello.tar hello
  With a GnuPG key (gpg-agent asks for the passphrase or the card's PIN):
  $ intoto run -n review -m src -x \\
        --gpg DEC0DD373DA1BDFAA584577FC89B071CB4C788CC";

/// `intoto match-products --help`
pub const MATCH_PRODUCTS: &str = "\
Examples:
  Check that the files here are the products build's link lists, after
  checking that bob signed the link:
  $ intoto match-products -l build.f0d61b92.link -p hello \\
        --verification-keys bob.pub
  A copy in a release directory, whose prefix is stripped to compare:
  $ mkdir -p dist && cp hello dist/
  $ intoto match-products -l build.f0d61b92.link \\
        -p dist --lstrip-paths dist/";

/// `intoto record --help`
pub const RECORD: &str = "\
Examples:
  $ intoto record start -n edit --signing-key bob.pem -m src
  $ sed -i 's/world/in-toto/' src/hello.c
  $ intoto record stop -n edit --signing-key bob.pem -p src";

/// `intoto mock --help`
pub const MOCK: &str = "\
Examples:
  $ intoto mock -n try -- cc -o hello src/hello.c";

/// `intoto key --help`
pub const KEY: &str = "\
Examples:
  $ intoto key id bob.pub
  $ intoto key export --key bob.pub
  Under its legacy key id (securesystemslib < 1.0, in-toto-rs,
  in-toto-golang): how rebuilderd's attestations name their key:
  $ intoto key export --key bob.pub --legacy-keyid --with-id
  A GnuPG key with its subkeys and expiry, as a layout key entry:
  $ intoto key export --gpg DEC0DD373DA1BDFAA584577FC89B071CB4C788CC";

/// `intoto verify --help`
pub const VERIFY: &str = "\
Examples:
  $ intoto verify -l root.layout --verification-keys alice.pub
  $ intoto verify -l root.layout --verification-keys alice.pub --json
  Draw what passed, and where verification failed:
  $ intoto verify -l root.layout --verification-keys alice.pub --json \\
        > report.json
  $ intoto layout graph root.layout --report report.json -o report.svg
  With the owner's GnuPG key, from the GnuPG home, or from a keyring file
  without gpg (as gpgv):
  $ intoto verify -l owner.layout \\
        --gpg 00B6B27BCD8D883CC73A4A753BD7CE7D6F787304
  $ intoto verify -l owner.layout --keyring alice.asc
  Two of three release managers must have signed:
  $ intoto verify -l chain.layout --signatures 2 \\
        --verification-keys alice.pub bob.pub carl.pub
  Write a summary of a passing verification (an in-toto Simple
  Verification Result naming hello and the layout), signed by carl:
  $ intoto verify -l root.layout --verification-keys alice.pub \\
        --summary hello.svr.json --summary-signing-key carl.pem
  The same as a SLSA Verification Summary:
  $ intoto verify -l root.layout --verification-keys alice.pub \\
        --summary hello.vsa.json --summary-signing-key carl.pem \\
        --summary-type vsa \\
        --summary-resource https://example.org/dist/hello";

/// `intoto verify-summary --help`
pub const VERIFY_SUMMARY: &str = "\
Examples:
  Check that carl's summary names the release copy of hello (by its
  sha256) and says that the in-toto layout verified:
  $ intoto verify-summary hello.svr.json --artifact dist/hello \\
        --verification-keys carl.pub --property INTOTO_LAYOUT_VERIFIED
  $ intoto verify-summary hello.vsa.json --artifact dist/hello \\
        --verification-keys carl.pub";

/// `intoto verify-archive --help`. These need a signed archive index and
/// rebuilders, so the test suite does not run them; it checks that each
/// parses (`NOT_RUN` in `tests/integration/docs.rs`), and
/// `tests/integration/verify_archive.rs` runs the command on a loopback
/// archive.
pub const VERIFY_ARCHIVE: &str = "\
Examples:
  Every package of a signed index, by its digest, against two rebuilders,
  eight at a time:
  $ intoto verify-archive --packages Packages.xz --release InRelease \\
        --archive-keyring \\
        /usr/share/keyrings/debian-archive-keyring.gpg \\
        -l root.layout --keyring owner.asc \\
        --rebuilder rebuilderd:https://reproduce.debian.net \\
        --rebuilder https://rebuilder.example.org \\
        --jobs 8 > verdicts.jsonl
  The third of four machines' part (every machine computes the same
  split, and all packages of a source land in one part):
  $ intoto verify-archive --packages Packages.xz --release InRelease \\
        --archive-keyring archive.gpg -l root.layout \\
        --keyring owner.asc --shard 2/4 \\
        --rebuilder rebuilderd:https://reproduce.debian.net
  Downloaded packages instead of the index's digests:
  $ intoto verify-archive --packages Packages.xz --release InRelease \\
        --archive-keyring archive.gpg -l root.layout \\
        --keyring owner.asc --files /var/cache/apt/archives \\
        --rebuilder rebuilderd:https://reproduce.debian.net";

/// `intoto apt-check --help` (not run by the tests: it needs apt's
/// configuration for intoto and rebuilders; `apt_check.rs` runs it)
pub const APT_CHECK: &str = "\
Examples:
  Check a package with apt's configuration before apt runs:
  $ intoto apt-check hello_2.10-3_amd64.deb
  The same, with a configuration file not yet in apt.conf.d:
  $ intoto apt-check -c ./intoto.conf hello_2.10-3_amd64.deb";

/// `intoto pacman-fetch --help`. pacman runs it with a URL and a `.part`
/// file, so the test suite only checks that each parses (`NOT_RUN` in
/// `tests/integration/docs.rs`); `tests/integration/pacman.rs` runs it
/// under real pacman on loopback.
pub const PACMAN_FETCH: &str = "\
Examples:
  As pacman's XferCommand (in /etc/pacman.conf, XferCommand =
  /usr/bin/intoto pacman-fetch %u %o), with the settings in
  /etc/intoto/pacman.conf, pacman runs for a package:
  $ intoto pacman-fetch \\
        https://mirror.example/core/zstd-1.5.7-2-x86_64.pkg.tar.zst \\
        /var/cache/pacman/pkg/zstd-1.5.7-2-x86_64.pkg.tar.zst.part
  The settings as flags instead (before the URL):
  $ intoto pacman-fetch -l /etc/intoto/root.layout \\
        --keyring /etc/intoto/owners.gpg \\
        --rebuilder rebuilderd:https://reproducible.archlinux.org \\
        --allow linux \\
        https://mirror.example/core/linux-6.1-1-x86_64.pkg.tar.zst \\
        linux-6.1-1-x86_64.pkg.tar.zst.part";
