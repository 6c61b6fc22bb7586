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
