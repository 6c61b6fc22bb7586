//! The flag rules, parsed in process: what each command line becomes, or
//! which kind of usage error clap reports for it.

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use super::{Cli, Command, KeyCommand, LayoutCommand, RecordCommand};

/// Parses `args` (split at whitespace) after the program name.
fn parse(args: &str) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("intoto").chain(args.split_whitespace()))
}

/// Parses `args`, which must be accepted, and returns the subcommand.
fn ok(args: &str) -> Command {
    match parse(args) {
        Ok(cli) => cli.command,
        Err(e) => panic!("{args}: {e}"),
    }
}

/// The kind of usage error `args` is.
fn kind(args: &str) -> ErrorKind {
    match parse(args) {
        Ok(cli) => panic!("{args}: accepted as {:?}", cli.command),
        Err(e) => e.kind(),
    }
}

#[test]
fn the_definitions_are_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn run_takes_the_command_after_the_double_dash_verbatim() {
    let Command::Run(a) = ok("run -n build --signing-key bob.pem -- make -j4 --keep-going") else {
        panic!("not run");
    };
    assert_eq!(a.step_name, "build");
    assert_eq!(a.command, ["make", "-j4", "--keep-going"]);
    assert_eq!(
        a.key.signing_key.as_deref(),
        Some(std::path::Path::new("bob.pem"))
    );
}

#[test]
fn run_refuses_a_mistyped_option_before_the_double_dash() {
    assert_eq!(
        kind("run -n s --signing-key k.pem --materail a -- true"),
        ErrorKind::UnknownArgument
    );
}

#[test]
fn a_signer_is_required_and_only_one() {
    assert_eq!(kind("run -n s -- true"), ErrorKind::MissingRequiredArgument);
    assert_eq!(
        kind("run -n s --signing-key k.pem --gpg ABCD -- true"),
        ErrorKind::ArgumentConflict
    );
    assert_eq!(
        kind("record start -n s --signing-key k.pem -g"),
        ErrorKind::ArgumentConflict
    );
}

#[test]
fn gpg_without_a_value_is_the_default_key_for_signing() {
    let Command::Run(a) = ok("run -n s --gpg -- true") else {
        panic!("not run");
    };
    assert_eq!(a.key.gpg.as_deref(), Some(""));
    let Command::Run(a) = ok("run -n s --gpg 0123ABCD -- true") else {
        panic!("not run");
    };
    assert_eq!(a.key.gpg.as_deref(), Some("0123ABCD"));
    let Command::Sign(a) = ok("sign -f root.layout -g") else {
        panic!("not sign");
    };
    assert_eq!(a.gpg, Some(Vec::new()));
    let Command::Sign(a) = ok("sign -f root.layout -g AAAA BBBB") else {
        panic!("not sign");
    };
    assert_eq!(a.gpg, Some(vec!["AAAA".to_owned(), "BBBB".to_owned()]));
}

#[test]
fn gpg_without_a_value_is_an_error_where_keys_are_checked() {
    assert_eq!(kind("verify -l root.layout --gpg"), ErrorKind::InvalidValue);
    assert_eq!(
        kind("match-products -l a.link --gpg"),
        ErrorKind::InvalidValue
    );
}

#[test]
fn isolated_conflicts_with_rcfile() {
    assert_eq!(
        kind("run -n s --signing-key k.pem --isolated --rcfile rc -- true"),
        ErrorKind::ArgumentConflict
    );
    let Command::Record(RecordCommand::Stop(a)) =
        ok("record stop -n s --signing-key k.pem --isolated -p out")
    else {
        panic!("not record stop");
    };
    assert!(a.record.isolated);
    assert_eq!(a.products, ["out"]);
}

#[test]
fn run_timeout_is_at_least_one_second() {
    assert_eq!(
        kind("run -n s --signing-key k.pem --run-timeout 0 -- true"),
        ErrorKind::ValueValidation
    );
    let Command::Run(a) = ok("run -n s --signing-key k.pem --run-timeout 5 -- true") else {
        panic!("not run");
    };
    assert_eq!(a.run_timeout, Some(5));
}

#[test]
fn verify_needs_its_layout() {
    assert_eq!(
        kind("verify --verification-keys alice.pub"),
        ErrorKind::MissingRequiredArgument
    );
}

#[test]
fn verify_takes_layout_keys_as_an_alias_with_several_values() {
    let Command::Verify(a) = ok("verify -l root.layout --layout-keys a.pub b.pub -g C0FFEE") else {
        panic!("not verify");
    };
    assert_eq!(
        a.keys.verification_keys,
        [
            std::path::PathBuf::from("a.pub"),
            std::path::PathBuf::from("b.pub")
        ]
    );
    assert_eq!(a.keys.gpg, ["C0FFEE"]);
    assert_eq!(a.link_dir, std::path::PathBuf::from("."));
}

#[test]
fn time_is_a_date_or_rfc3339() {
    let Command::Verify(a) = ok("verify -l root.layout --keyring k.gpg --time 2021-06-01") else {
        panic!("not verify");
    };
    assert_eq!(a.policy.time.time, Some(1_622_505_600));
    assert!(!a.policy.interop.allow_noninteroperable);
    let Command::Verify(a) = ok(
        "verify -l root.layout --keyring k.gpg --time 2021-06-01T00:00:10Z --allow-noninteroperable",
    ) else {
        panic!("not verify");
    };
    assert_eq!(a.policy.time.time, Some(1_622_505_610));
    assert!(a.policy.interop.allow_noninteroperable);
    assert_eq!(
        kind("verify -l root.layout --keyring k.gpg --time yesterday"),
        ErrorKind::ValueValidation
    );
}

#[test]
fn signatures_is_at_least_one() {
    assert_eq!(
        kind("verify -l root.layout --keyring k.gpg --signatures 0"),
        ErrorKind::ValueValidation
    );
    let Command::Verify(a) = ok("verify -l root.layout --keyring k.gpg --signatures 2") else {
        panic!("not verify");
    };
    assert_eq!(a.signatures, Some(2));
}

#[test]
fn threshold_is_a_number_defaulting_to_one() {
    let Command::Layout(l) = ok("layout add-step root.layout --name build --functionary AAAA")
    else {
        panic!("not layout");
    };
    let LayoutCommand::AddStep { threshold, .. } = l.command else {
        panic!("not add-step");
    };
    assert_eq!(threshold, 1);
    assert_eq!(
        kind("layout add-step root.layout --name build --functionary AAAA --threshold two"),
        ErrorKind::ValueValidation
    );
    assert_eq!(
        kind("layout add-step root.layout --name build"),
        ErrorKind::MissingRequiredArgument
    );
}

#[test]
fn shard_is_k_of_n() {
    let base = "verify-archive --packages P --release R --archive-keyring A -l root.layout \
                --keyring k.gpg --rebuilder http://r";
    let Command::VerifyArchive(a) = ok(&format!("{base} --shard 1/4 --time 2021-06-01")) else {
        panic!("not verify-archive");
    };
    let shard = a.shard.expect("a shard");
    assert_eq!((shard.k, shard.n), (1, 4));
    assert_eq!(a.policy.time, Some(1_622_505_600));
    assert_eq!(a.timeout, 30);
    assert_eq!(
        kind(&format!("{base} --shard 4/4")),
        ErrorKind::ValueValidation
    );
    assert_eq!(
        kind(&format!("{base} --shard 1")),
        ErrorKind::ValueValidation
    );
}

#[test]
fn verify_archive_needs_a_layout_key_and_refuses_interop() {
    assert_eq!(
        kind(
            "verify-archive --packages P --release R --archive-keyring A -l root.layout \
             --rebuilder http://r"
        ),
        ErrorKind::MissingRequiredArgument
    );
    assert_eq!(
        kind(
            "verify-archive --packages P --release R --archive-keyring A -l root.layout \
             --keyring k.gpg --rebuilder http://r --allow-noninteroperable"
        ),
        ErrorKind::UnknownArgument
    );
}

#[test]
fn add_key_takes_one_pem_or_one_gpg_key() {
    assert_eq!(
        kind("layout add-key root.layout"),
        ErrorKind::MissingRequiredArgument
    );
    assert_eq!(
        kind("layout add-key root.layout -k bob.pub -g AAAA"),
        ErrorKind::ArgumentConflict
    );
    assert_eq!(
        kind("layout add-key root.layout -k bob.pub --keyring k.gpg"),
        ErrorKind::ArgumentConflict
    );
    let Command::Layout(l) =
        ok("layout add-key root.layout -g AAAA --keyring k.gpg --allow-noninteroperable")
    else {
        panic!("not layout");
    };
    let LayoutCommand::AddKey { public, policy, .. } = l.command else {
        panic!("not add-key");
    };
    assert_eq!(public.gpg.as_deref(), Some("AAAA"));
    assert!(public.key.is_none());
    assert!(policy.allow_noninteroperable);
}

#[test]
fn key_export_needs_a_source_and_keyring_alone_is_its_one_key() {
    assert_eq!(kind("key export"), ErrorKind::MissingRequiredArgument);
    let Command::Key(KeyCommand::Export(a)) = ok("key export --keyring k.gpg") else {
        panic!("not key export");
    };
    assert_eq!(a.public.keyring, Some("k.gpg".into()));
    assert_eq!(a.public.gpg, None);
    assert_eq!(
        kind("key export -k bob.pub -g AAAA"),
        ErrorKind::ArgumentConflict
    );
    let Command::Key(KeyCommand::Export(a)) = ok("key export -g AAAA --cert-store d --with-id")
    else {
        panic!("not key export");
    };
    assert_eq!(
        a.public.cert_store.cert_store,
        Some(std::path::PathBuf::from("d"))
    );
    assert!(a.with_id);
}

#[test]
fn layout_show_has_no_cert_store() {
    assert_eq!(
        kind("layout show root.layout --cert-store d"),
        ErrorKind::UnknownArgument
    );
    let Command::Layout(l) =
        ok("layout show root.layout --verification-keys a.pub --keyring k.gpg")
    else {
        panic!("not layout");
    };
    let LayoutCommand::Show { keys, .. } = l.command else {
        panic!("not show");
    };
    assert_eq!(keys.verification_keys.len(), 1);
    assert_eq!(keys.keyring.len(), 1);
}

#[test]
fn mock_needs_a_command() {
    assert_eq!(kind("mock -n s"), ErrorKind::MissingRequiredArgument);
    let Command::Mock(a) = ok("mock -n s -- ls -l") else {
        panic!("not mock");
    };
    assert_eq!(a.command, ["ls", "-l"]);
}

#[test]
fn verbose_and_quiet_are_global_and_exclusive() {
    let cli = parse("run -n s --signing-key k.pem -v -- true").expect("accepted");
    assert!(cli.verbosity.verbose);
    let cli = parse("-q run -n s --signing-key k.pem -- true").expect("accepted");
    assert!(cli.verbosity.quiet);
    assert_eq!(
        kind("run -n s --signing-key k.pem -v -q -- true"),
        ErrorKind::ArgumentConflict
    );
}
