//! The EXAMPLES sections of `--help` (and of the man pages).
//!
//! Every line starting with `  $ ` (continued by lines ending in ` \`) is
//! a command that the test suite runs, in the order TOP, LAYOUT, SIGN,
//! RUN, MATCH_PRODUCTS, RECORD, MOCK, KEY, VERIFY, in one scratch
//! directory holding alice.pem/alice.pub (owner), bob.pem/bob.pub
//! (functionary, key id f0d61b92...), a GnuPG home and src/hello.c. Keep
//! them runnable and under 80 columns.

/// The exit status table every command shares (`main.rs::exit_status`),
/// closing the help of `intoto`, `sign` and `verify`.
macro_rules! exit_status {
    () => {
        "

Exit status (the same for every command):
  0  success: verified, signed, written
  1  a check failed (a signature, expiry, a rule, an inspection), or the
     command could not be carried out (a file missing or invalid, a key
     not found or not usable, an output not writable)
  2  usage error: the command line itself is wrong
intoto run passes through the exit status of a command that failed."
    };
}

/// `intoto --help`
pub const TOP: &str = concat!(
    "\
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

See `intoto <command> --help` and the man pages (man intoto-verify).",
    exit_status!()
);

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
  $ intoto layout set-expires chain.layout 6m
  $ intoto layout set-readme chain.layout 'hello, built from src'
  $ intoto layout show chain.layout

Every edit writes the layout back without its signatures (a warning names
them): sign it again with intoto sign.";

/// `intoto sign --help`
pub const SIGN: &str = concat!(
    "\
Examples:
  Sign a layout in place, then add a co-signature by a second key:
  $ intoto sign -f chain.layout -k alice.pem
  $ intoto sign -f chain.layout -k bob.pem --append --signed-by alice.pub
  Check that both keys signed it:
  $ intoto sign -f chain.layout -k alice.pub bob.pub --verify

Co-signing: without --append, signing replaces every signature the layout
carries (a warning names those dropped); with --append it adds one, after
checking that the existing signatures still verify (their keys from
--signed-by, the GnuPG home or the layout's own keys). Editing a layout
(intoto layout add-step, remove-step, set-expires, ...) drops its
signatures: sign it again.",
    exit_status!()
);

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
  A GnuPG key with its subkeys and expiry, as a layout key entry:
    intoto key export --gpg 4E9F2E80F2907949AD908DB5099E78515E71D866";

/// `intoto verify --help`
pub const VERIFY: &str = concat!(
    "\
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
docs/verify-report.schema.json. A failed check and an input that could not
be read both exit 1: the report's result (failed or error) tells them
apart.",
    exit_status!()
);
