//! The EXAMPLES sections of `--help` (and of the man pages).
//!
//! Every line starting with `  $ ` (continued by lines ending in ` \`) is
//! a command that the test suite runs, in the order TOP, LAYOUT, SIGN,
//! RUN, MATCH_PRODUCTS, RECORD, MOCK, KEY, VERIFY, in one scratch
//! directory holding alice.pem/alice.pub (owner), bob.pem/bob.pub
//! (functionary, key id f0d61b92...), a GnuPG home and src/hello.c. Keep
//! them runnable and under 80 columns.

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
  $ intoto verify -l root.layout --verification-keys alice.pub

See `intoto <command> --help` and the man pages (man intoto-verify).";

/// `intoto layout --help`
pub const LAYOUT: &str = "\
Examples:
  $ intoto layout new chain.layout --expires 2099-12-31 --readme demo
  $ intoto layout add-key chain.layout --key bob.pub
  $ intoto layout add-step chain.layout --name build \\
        --functionary f0d61b92 --expected-command 'cc -o hello src/hello.c' \\
        --material 'ALLOW src/*' --product 'CREATE hello' \\
        --product 'DISALLOW *'
  $ intoto layout add-inspection chain.layout --name check \\
        --run 'test -x hello' --material 'MATCH hello WITH PRODUCTS FROM build'
  $ intoto layout show chain.layout";

/// `intoto sign --help`
pub const SIGN: &str = "\
Examples:
  Sign a layout in place, then add a co-signature by a second key:
  $ intoto sign -f chain.layout -k alice.pem
  $ intoto sign -f chain.layout -k bob.pem --append --signed-by alice.pub
  Check that both keys signed it:
  $ intoto sign -f chain.layout -k alice.pub bob.pub --verify";

/// `intoto run --help`
pub const RUN: &str = "\
Examples:
  Build, recording the sources as materials and the binary as product:
  $ intoto run -n build --signing-key bob.pem -m src -p hello -- \\
        cc -o hello src/hello.c
  Record a sign-off step without running anything, as a DSSE envelope:
  $ intoto run -n review --signing-key bob.pem -m src -x --use-dsse
  With a GnuPG key (gpg-agent asks for the passphrase or the card's PIN):
    intoto run -n build --gpg 4E9F2E80F2907949AD908DB5099E78515E71D866 \\
        -p hello -- make";

/// `intoto match-products --help`
pub const MATCH_PRODUCTS: &str = "\
Examples:
  Check that the files here are the products build's link lists, after
  checking that bob signed the link:
  $ intoto match-products -l build.f0d61b92.link -p hello \\
        --verification-keys bob.pub
  A release directory, whose prefix the step stripped when it recorded:
    intoto match-products -l package.f0d61b92.link -p dist \\
        --lstrip-paths dist/

Output: one line per difference, 'Only in products: PATH', 'Not in
products: PATH' or 'Hashes differ: PATH'. Exit status: 0 the files match,
1 they do not (or the signature does not verify), 2 usage error.";

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
    intoto key export --gpg 4E9F2E80F2907949AD908DB5099E78515E71D866";

/// `intoto verify --help`
pub const VERIFY: &str = "\
Examples:
  $ intoto verify -l root.layout --verification-keys alice.pub
  $ intoto verify -l root.layout --verification-keys alice.pub --json
  With the owner's GnuPG key, from a GnuPG home or from a keyring file:
    intoto verify -l root.layout --gpg 4E9F2E80F2907949AD908DB5099E78515E71D866
    intoto verify -l root.layout --keyring owners.asc
  Two of three release managers must have signed:
    intoto verify -l root.layout --verification-keys a.pub b.pub c.pub --signatures 2

Owner keys: every key named with --verification-keys or --gpg must have
signed the layout; a --keyring given alone needs one valid signature by any
key in it (as gpgv and sqv); --signatures N asks for N distinct keys among
those given instead.

--json prints one report for every outcome (usage errors too): version,
result (passed, failed or error), layout, time, time_given, signers (keyid,
source, type), steps (name, kind, links that counted with their signer,
links skipped and why), warnings, then failure (stage, message, step, rule,
...) or error (kind usage or input, message). The JSON Schema is
docs/verify-report.schema.json.

Exit status: 0 verified, 1 verification failed, 2 usage error.";

/// `intoto verify-archive --help` (not run by the tests: it needs an
/// archive and rebuilders).
pub const VERIFY_ARCHIVE: &str = "\
Examples:
  Every package of a signed index, by its digest, against two rebuilders:
    intoto verify-archive --packages Packages.xz --release InRelease \\
        --archive-keyring /usr/share/keyrings/debian-archive-keyring.gpg \\
        --layout root.layout --keyring owner.asc \\
        --rebuilder rebuilderd:https://reproduce.debian.net \\
        --rebuilder https://rebuilder.example.org --jobs 8 > verdicts.jsonl
  One of four machines' part (the same split everywhere):
    intoto verify-archive ... --shard 2/4
  Downloaded packages instead of digests:
    intoto verify-archive ... --files /var/cache/apt/archives

Output: one JSON object per package (result: verified, failed or
missing-evidence, with the reason), then {\"summary\": ...}. Exit status 0
when no package failed (missing evidence does not fail the run), 1 when
one did or the archive's index cannot be trusted.";
