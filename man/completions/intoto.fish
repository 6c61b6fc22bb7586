# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_intoto_global_optspecs
    string join \n v/verbose q/quiet h/help V/version
end

function __fish_intoto_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_intoto_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_intoto_using_subcommand
    set -l cmd (__fish_intoto_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c intoto -n "__fish_intoto_needs_command" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_needs_command" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_needs_command" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "run" -d 'Run a step\'s command and write a signed link'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "record" -d 'Record a step in two parts (start, then stop)'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "verify" -d 'Verify a final product against its layout and links'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "verify-summary" -d 'Check a signed verification summary as its consumer would'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "sign" -d 'Sign link or layout metadata, co-sign layouts, or check signatures'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "mock" -d 'Write an unsigned link for a command (to try out a layout)'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "key" -d 'Show key ids and export keys as layout key entries'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "layout" -d 'Write and inspect layouts'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "match-products" -d 'Check local files against a link\'s products'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "verify-archive" -d 'Verify every package of a Debian archive index against rebuilders\' links'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "apt-check" -d 'Check .deb files as the apt method would, with apt\'s configuration'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "pacman-fetch" -d 'Download for pacman (XferCommand), verifying packages against rebuilds'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "generate" -d 'Generate man pages or shell completions'
complete -c intoto -n "__fish_intoto_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intoto -n "__fish_intoto_using_subcommand run" -s n -l step-name -d 'Step name; the link is written to <NAME>.<keyid prefix>.link' -r
complete -c intoto -n "__fish_intoto_using_subcommand run" -l signing-key -d 'Sign with this PEM private key (PKCS#8: rsa, ecdsa, ed25519)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand run" -s g -l gpg -d 'Sign with this GnuPG key (fingerprint, key id or user id); without KEYID, gpg\'s default key' -r
complete -c intoto -n "__fish_intoto_using_subcommand run" -l gpg-home -d 'GnuPG home directory (default: $GNUPGHOME or ~/.gnupg)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand run" -s P -l password -d 'Password of an encrypted --signing-key; -P alone asks for it (it lands in the shell history: prefer --passphrase-file)' -r
complete -c intoto -n "__fish_intoto_using_subcommand run" -l passphrase-file -d 'Read the passphrase of the --signing-key or --gpg key from the first line of FILE (as gpg does), for signing without a terminal' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand run" -s m -l materials -d 'Files or directories to record before the command runs' -r
complete -c intoto -n "__fish_intoto_using_subcommand run" -s p -l products -d 'Files or directories to record after the command ran' -r
complete -c intoto -n "__fish_intoto_using_subcommand run" -l exclude -d 'gitignore-style patterns of paths not to record; replaces the defaults \'*.link*\' \'.git\' \'*.pyc\' \'*~\'' -r
complete -c intoto -n "__fish_intoto_using_subcommand run" -l base-path -d 'Resolve material and product paths from this directory (it is not part of the recorded names)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand run" -l lstrip-paths -d 'Strip these prefixes from recorded names (the first that matches)' -r
complete -c intoto -n "__fish_intoto_using_subcommand run" -l rcfile -d 'Also read settings from this rcfile (read last; rcfiles in the working directory or in the recorded tree are read only this way)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand run" -s d -l metadata-directory -d 'Directory to write the link to (default: current directory)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand run" -l run-timeout -d 'Kill the command (and everything it started) after this many seconds (default: no time limit)' -r
complete -c intoto -n "__fish_intoto_using_subcommand run" -l allow-noninteroperable -d 'Allow GnuPG keys the Python reference cannot verify (NIST ECDSA)'
complete -c intoto -n "__fish_intoto_using_subcommand run" -s s -l record-streams -d 'Show and record the command\'s stdout and stderr'
complete -c intoto -n "__fish_intoto_using_subcommand run" -s x -l no-command -d 'Record without running a command (e.g. a sign-off step)'
complete -c intoto -n "__fish_intoto_using_subcommand run" -l isolated -d 'Ignore IN_TOTO_* environment variables and rcfiles'
complete -c intoto -n "__fish_intoto_using_subcommand run" -l use-dsse -d 'Write a DSSE envelope instead of a classic Metablock'
complete -c intoto -n "__fish_intoto_using_subcommand run" -l attestation -d 'Write a link attestation (an in-toto Statement v1 with the link predicate v0.3, in DSSE); needs products'
complete -c intoto -n "__fish_intoto_using_subcommand run" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand run" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand run" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand record; and not __fish_seen_subcommand_from start stop help" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand record; and not __fish_seen_subcommand_from start stop help" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand record; and not __fish_seen_subcommand_from start stop help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand record; and not __fish_seen_subcommand_from start stop help" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand record; and not __fish_seen_subcommand_from start stop help" -f -a "start" -d 'Record the materials and write .<NAME>.<keyid prefix>.link-unfinished'
complete -c intoto -n "__fish_intoto_using_subcommand record; and not __fish_seen_subcommand_from start stop help" -f -a "stop" -d 'Record the products and turn the unfinished link into <NAME>.<keyid prefix>.link'
complete -c intoto -n "__fish_intoto_using_subcommand record; and not __fish_seen_subcommand_from start stop help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -s n -l step-name -d 'Step name' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -l signing-key -d 'Sign with this PEM private key (PKCS#8: rsa, ecdsa, ed25519)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -s g -l gpg -d 'Sign with this GnuPG key (fingerprint, key id or user id); without KEYID, gpg\'s default key' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -l gpg-home -d 'GnuPG home directory (default: $GNUPGHOME or ~/.gnupg)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -s P -l password -d 'Password of an encrypted --signing-key; -P alone asks for it (it lands in the shell history: prefer --passphrase-file)' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -l passphrase-file -d 'Read the passphrase of the --signing-key or --gpg key from the first line of FILE (as gpg does), for signing without a terminal' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -s m -l materials -d 'Files or directories to record as materials' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -l exclude -d 'gitignore-style patterns of paths not to record; replaces the defaults \'*.link*\' \'.git\' \'*.pyc\' \'*~\'' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -l base-path -d 'Resolve material and product paths from this directory (it is not part of the recorded names)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -l lstrip-paths -d 'Strip these prefixes from recorded names (the first that matches)' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -l rcfile -d 'Also read settings from this rcfile (read last; rcfiles in the working directory or in the recorded tree are read only this way)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -l allow-noninteroperable -d 'Allow GnuPG keys the Python reference cannot verify (NIST ECDSA)'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -l isolated -d 'Ignore IN_TOTO_* environment variables and rcfiles'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -l use-dsse -d 'Write a DSSE envelope instead of a classic Metablock'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -s n -l step-name -d 'Step name' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -l signing-key -d 'Sign with this PEM private key (PKCS#8: rsa, ecdsa, ed25519)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -s g -l gpg -d 'Sign with this GnuPG key (fingerprint, key id or user id); without KEYID, gpg\'s default key' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -l gpg-home -d 'GnuPG home directory (default: $GNUPGHOME or ~/.gnupg)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -s P -l password -d 'Password of an encrypted --signing-key; -P alone asks for it (it lands in the shell history: prefer --passphrase-file)' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -l passphrase-file -d 'Read the passphrase of the --signing-key or --gpg key from the first line of FILE (as gpg does), for signing without a terminal' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -s p -l products -d 'Files or directories to record as products' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -l exclude -d 'gitignore-style patterns of paths not to record; replaces the defaults \'*.link*\' \'.git\' \'*.pyc\' \'*~\'' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -l base-path -d 'Resolve material and product paths from this directory (it is not part of the recorded names)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -l lstrip-paths -d 'Strip these prefixes from recorded names (the first that matches)' -r
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -l rcfile -d 'Also read settings from this rcfile (read last; rcfiles in the working directory or in the recorded tree are read only this way)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -s d -l metadata-directory -d 'Directory to write the link to (default: current directory)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -l allow-noninteroperable -d 'Allow GnuPG keys the Python reference cannot verify (NIST ECDSA)'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -l isolated -d 'Ignore IN_TOTO_* environment variables and rcfiles'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -l use-dsse -d 'Accepted for compatibility; the format follows the unfinished link'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -l attestation -d 'Write a link attestation (an in-toto Statement v1 with the link predicate v0.3, in DSSE) whatever the unfinished link\'s format; needs products'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from help" -f -a "start" -d 'Record the materials and write .<NAME>.<keyid prefix>.link-unfinished'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Record the products and turn the unfinished link into <NAME>.<keyid prefix>.link'
complete -c intoto -n "__fish_intoto_using_subcommand record; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intoto -n "__fish_intoto_using_subcommand verify" -s l -l layout -d 'The root layout' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l verification-keys -l layout-keys -d 'PEM public keys; each must have signed the layout' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify" -s g -l gpg -d 'GnuPG keys (fingerprint or key id); each must have signed the layout' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l gpg-home -d 'GnuPG home holding the --gpg keys' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l keyring -d 'OpenPGP keyring files (armored or binary): with --gpg, where to find those keys (no gpg needed); alone, one valid signature by any key in them suffices (as gpgv)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l cert-store -d 'The shared OpenPGP certificate store (pgp.cert.d) to find --gpg keys in when the GnuPG home does not have them (default: $PGP_CERT_D, else ~/.local/share/pgp.cert.d when it exists); read without gpg' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l link-dir -d 'Directory holding the link files' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l inspection-timeout -d 'Kill an inspection after this many seconds (default: no time limit)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l param -d 'Substitute {KEY} in the layout\'s rules and commands (repeatable)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l time -d 'Verify as of TIME (RFC 3339 or a date): layout expiry, key expiry and revocation are judged then, for auditing an archived release' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l signatures -d 'At least N distinct keys among those given must have validly signed the layout (default: every --verification-keys and --gpg key; one key of a --keyring given alone)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l summary -d 'After a passing verification, write a signed summary of it to FILE (an in-toto Statement v1 in DSSE whose subjects are the final products)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l summary-type -d 'The summary\'s predicate: svr or vsa' -r -f -a "svr\t'in-toto\'s Simple Verification Result v0.2 (a pass only)'
vsa\t'SLSA\'s Verification Summary v1 (needs --summary-resource)'"
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l summary-signing-key -d 'Sign the summary with this PEM private key' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l summary-gpg -d 'Sign the summary with this GnuPG key (fingerprint, key id or user id)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l summary-gpg-home -d 'GnuPG home holding the --summary-gpg key' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l summary-property -d 'A further property that held, named in the summary (repeatable)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l summary-resource -d 'The resource the VSA is about (its resourceUri; required with --summary-type vsa)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l summary-subject -d 'Name these files as the subjects instead of the final products (required with --summary-on-failure)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l allow-noninteroperable -d 'Accept GnuPG keys the Python reference cannot verify (NIST ECDSA)'
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l json -d 'Print the report as JSON on stdout (docs/verify-report.schema.json), for every outcome'
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l allow-sublayout-inspections -d 'Run inspections that a (functionary-signed) sublayout defines'
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l write-inspection-links -d 'Write <inspection>.link files into the current directory, as the Python reference does'
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l inspect-in-place -d 'Run inspections in the current directory itself, which they may change, as the Python reference does (default: in a private copy of it, removed afterwards)'
complete -c intoto -n "__fish_intoto_using_subcommand verify" -l summary-on-failure -d 'With --summary-type vsa, also write a summary when verification fails, saying FAILED'
complete -c intoto -n "__fish_intoto_using_subcommand verify" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand verify" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand verify" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -l artifact -d 'An artifact that must be one of the summary\'s subjects (by sha256)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -l verification-keys -d 'PEM public keys of the verifiers trusted to sign summaries' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -s g -l gpg -d 'GnuPG keys (fingerprint or key id) trusted to sign summaries' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -l gpg-home -d 'GnuPG home holding the --gpg keys' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -l keyring -d 'OpenPGP keyring files (armored or binary): with --gpg, where to find those keys (no gpg needed); alone, one valid signature by any key in them suffices (as gpgv)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -l policy-digest -d 'The sha256 of the layout (policy) the summary must name' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -l property -d 'A property (SVR) or verified level (VSA) the summary must name (repeatable)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -l resource -d 'The resource a VSA must be about (its resourceUri)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand verify-summary" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand sign" -s f -l file -d 'The link or layout to sign or check' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand sign" -l merge -d 'Merge the signatures of copies of one layout signed on different machines into the first (or into -o PATH); refused when their signed content differs; every signature whose key is known is checked' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand sign" -s k -l key -d 'PEM keys: private keys to sign, public keys with --verify' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand sign" -l passphrase-file -d 'Read the passphrase of the signing keys (PEM or GnuPG) from the first line of FILE (as gpg does), for signing without a terminal' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand sign" -s g -l gpg -d 'GnuPG keys; without KEYID, gpg\'s default key (signing only)' -r
complete -c intoto -n "__fish_intoto_using_subcommand sign" -l gpg-home -d 'GnuPG home directory' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand sign" -l keyring -d 'OpenPGP keyring files (armored or binary). With --verify: where to find the --gpg keys (no gpg needed), or without --gpg, one valid signature by any key in them suffices (as gpgv). With --append: keys to check the existing signatures with' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand sign" -l cert-store -d 'The shared OpenPGP certificate store (pgp.cert.d) to find --gpg keys in when the GnuPG home does not have them (default: $PGP_CERT_D, else ~/.local/share/pgp.cert.d when it exists); read without gpg' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand sign" -l signed-by -d 'With --append or --merge: public keys (PEM) or OpenPGP keyrings of the existing signers, to check their signatures' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand sign" -s o -l output -d 'Where to write (default: a layout in place, a link to <name>.<keyid prefix>.link)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand sign" -l signatures -d 'With --verify: at least N distinct keys among those given must have validly signed' -r
complete -c intoto -n "__fish_intoto_using_subcommand sign" -s p -l prompt -d 'Ask for the password of encrypted signing keys'
complete -c intoto -n "__fish_intoto_using_subcommand sign" -l allow-noninteroperable -d 'Accept GnuPG keys the Python reference cannot verify (NIST ECDSA)'
complete -c intoto -n "__fish_intoto_using_subcommand sign" -s a -l append -d 'Add signatures instead of replacing them (layouts only)'
complete -c intoto -n "__fish_intoto_using_subcommand sign" -l replace -d 'With --append: a key that signed already replaces its own signature (for OpenPGP, one by any subkey of the same primary key)'
complete -c intoto -n "__fish_intoto_using_subcommand sign" -l verify -d 'Check the signatures instead of signing: each --key and --gpg key must have signed, one key of a --keyring given alone suffices'
complete -c intoto -n "__fish_intoto_using_subcommand sign" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand sign" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand sign" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand mock" -s n -l name -d 'Step name; the unsigned link is written to <NAME>.link' -r
complete -c intoto -n "__fish_intoto_using_subcommand mock" -l use-dsse -d 'Write a DSSE envelope instead of a classic Metablock'
complete -c intoto -n "__fish_intoto_using_subcommand mock" -l attestation -d 'Write an unsigned link attestation (an in-toto Statement v1 with the link predicate v0.3, in DSSE)'
complete -c intoto -n "__fish_intoto_using_subcommand mock" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand mock" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand mock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand mock" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand key; and not __fish_seen_subcommand_from id export help" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand key; and not __fish_seen_subcommand_from id export help" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand key; and not __fish_seen_subcommand_from id export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand key; and not __fish_seen_subcommand_from id export help" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand key; and not __fish_seen_subcommand_from id export help" -f -a "id" -d 'Print the in-toto key id of a PEM key or an OpenPGP key file'
complete -c intoto -n "__fish_intoto_using_subcommand key; and not __fish_seen_subcommand_from id export help" -f -a "export" -d 'Print the layout key entry (JSON) for a GnuPG or PEM key'
complete -c intoto -n "__fish_intoto_using_subcommand key; and not __fish_seen_subcommand_from id export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from id" -s g -l gpg -d 'The key of the OpenPGP key file to print, when it holds several: fingerprint, key id, user id or e-mail address' -r
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from id" -l legacy-keyid -d 'Print the legacy key id (securesystemslib before 1.0, in-toto-rs, in-toto-golang, rebuilderd)'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from id" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from id" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from id" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from id" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -s g -l gpg -d 'OpenPGP key: fingerprint, key id, subkey fingerprint, user id or e-mail address' -r
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -l gpg-home -d 'GnuPG home to export from' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -l keyring -d 'Read the OpenPGP key from this key file (armored or binary) instead of a GnuPG home; alone, its one key' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -l cert-store -d 'The shared OpenPGP certificate store (pgp.cert.d) to find --gpg keys in when the GnuPG home does not have them (default: $PGP_CERT_D, else ~/.local/share/pgp.cert.d when it exists); read without gpg' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -s k -l key -d 'PEM public key file' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -l allow-noninteroperable -d 'Allow key types the Python reference cannot verify (NIST ECDSA)'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -l with-id -d 'Print {"<keyid>": {...}}, ready to merge into a layout\'s keys'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -l legacy-keyid -d 'Export a PEM key under its legacy key id, as securesystemslib before 1.0, in-toto-rs and in-toto-golang compute it (the id rebuilderd signs its attestations under)'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "id" -d 'Print the in-toto key id of a PEM key or an OpenPGP key file'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "export" -d 'Print the layout key entry (JSON) for a GnuPG or PEM key'
complete -c intoto -n "__fish_intoto_using_subcommand key; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "new" -d 'Create a new, empty, unsigned layout'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "add-key" -d 'Add a functionary key (GnuPG or PEM public key)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "add-step" -d 'Add a step at the end'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "add-inspection" -d 'Add an inspection at the end'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "remove-step" -d 'Remove a step; rules of other steps and inspections must not name it'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "remove-inspection" -d 'Remove an inspection; rules of other inspections must not name it'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "remove-key" -d 'Remove a functionary key, also from the steps it may perform'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "replace-key" -d 'Replace a functionary key everywhere it appears (keys and steps)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "set-step" -d 'Change a step in place: functionaries, threshold, command, rules'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "set-inspection" -d 'Change an inspection in place: its command, rules'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "set-expires" -d 'Change when the layout expires'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "set-readme" -d 'Change the layout\'s free-text description'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "draft" -d 'Draft an unsigned layout from the links of one run (or a dry run)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "check" -d 'Check a layout for mistakes before signing it'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "show" -d 'Show a layout: steps, who may sign them, rules, expiry, signatures'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "graph" -d 'Draw the supply chain: steps, who performs them, how artifacts flow'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and not __fish_seen_subcommand_from new add-key add-step add-inspection remove-step remove-inspection remove-key replace-key set-step set-inspection set-expires set-readme draft check show graph help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -l expires -d 'Expiry: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or a duration from now such as 90d, 12w, 6m or 1y (a date in the past is written, with a warning)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -l readme -d 'Free-text description of the supply chain' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -l rebuilders -d 'Write the standard rebuild layout for these rebuilderd instances (their keys fetched from URL/api/v0/public-keys, trusted on first use): step rebuild, an inspection matching {DEB} against its products (repeatable; several URLs may follow one flag)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -l rebuilders-from -d 'Take the rebuilders from FILE, kpcyrd/rebuilderd-community\'s list ([[rebuilder]] entries in TOML, or the README holding them), those serving --distribution' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -l distribution -d 'With --rebuilders-from: the distribution the rebuilders must serve' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -l threshold -d 'How many of the rebuilders must have reproduced a package' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -l dsse -d 'Write a DSSE envelope instead of a classic Metablock'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -l force -d 'Replace an existing file'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from new" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -s g -l gpg -d 'GnuPG key: fingerprint, key id, subkey fingerprint, user id or e-mail address (matching one key)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -l gpg-home -d 'GnuPG home to read --gpg from' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -l keyring -d 'OpenPGP key file (armored or binary) to read --gpg from instead of a GnuPG home; alone, its one key' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -l cert-store -d 'The shared OpenPGP certificate store (pgp.cert.d) to find --gpg in when the GnuPG home does not have it (default: $PGP_CERT_D, else ~/.local/share/pgp.cert.d when it exists)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -s k -l key -d 'PEM public key file' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -l rebuilder -d 'Fetch the signing key of the rebuilderd at URL (URL/api/v0/public-keys, over HTTPS unless URL says http://) and add it under the key id its attestations carry (trust on first use)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -l allow-noninteroperable -d 'Allow GnuPG keys the Python reference cannot verify (NIST ECDSA)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -l legacy-keyid -d 'Add a PEM key under its legacy key id (securesystemslib before 1.0, in-toto-rs, in-toto-golang), as rebuilderd\'s links name it'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-key" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-step" -l name -d 'Step name (links are <name>.<keyid prefix>.link)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-step" -l functionary -d 'Key id allowed to perform the step (repeatable; a unique prefix of 8+ hex digits is enough)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-step" -l threshold -d 'How many distinct functionaries must agree' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-step" -l expected-command -d 'The command functionaries are expected to run (split like a shell)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-step" -l material -d 'Material rule, e.g. "MATCH * WITH PRODUCTS FROM clone" (repeatable, in order)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-step" -l product -d 'Product rule, e.g. "CREATE *" (repeatable, in order)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-step" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-step" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-step" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-step" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-inspection" -l name -d 'Inspection name' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-inspection" -l run -d 'The command the verifier runs (split like a shell; never run through a shell)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-inspection" -l material -d 'Material rule (repeatable, in order)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-inspection" -l product -d 'Product rule (repeatable, in order)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-inspection" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-inspection" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-inspection" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from add-inspection" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-step" -l name -d 'The step to remove' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-step" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-step" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-step" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-step" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-inspection" -l name -d 'The inspection to remove' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-inspection" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-inspection" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-inspection" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-inspection" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-key" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-key" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-key" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from remove-key" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from replace-key" -s g -l gpg -d 'The new key: a GnuPG key, named as layout add-key\'s --gpg names it' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from replace-key" -l gpg-home -d 'GnuPG home to read --gpg from' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from replace-key" -l keyring -d 'OpenPGP key file (armored or binary) to read --gpg from instead of a GnuPG home; alone, its one key' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from replace-key" -l cert-store -d 'The shared OpenPGP certificate store (pgp.cert.d) to find --gpg in when the GnuPG home does not have it (default: $PGP_CERT_D, else ~/.local/share/pgp.cert.d when it exists)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from replace-key" -s k -l key -d 'The new key: a PEM public key file' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from replace-key" -l allow-noninteroperable -d 'Allow GnuPG keys the Python reference cannot verify (NIST ECDSA)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from replace-key" -l legacy-keyid -d 'Add a PEM key under its legacy key id (securesystemslib before 1.0, in-toto-rs, in-toto-golang), as rebuilderd\'s links name it'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from replace-key" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from replace-key" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from replace-key" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from replace-key" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -l functionary -d 'Key id allowed to perform the step (repeatable; a unique prefix of 8+ hex digits is enough): replaces the step\'s functionaries (with --append, adds to them)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -l threshold -d 'How many distinct functionaries must agree (default: kept)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -l expected-command -d 'The command functionaries are expected to run (split like a shell; "" for none)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -l material -d 'Material rule (repeatable, in order): replaces the step\'s material rules (with --append, follows them)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -l product -d 'Product rule (repeatable, in order): replaces the step\'s product rules (with --append, follows them)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -l append -d 'Add the --functionary keys and the rules given after the step\'s own instead of replacing them'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -l clear-materials -d 'Remove every material rule of the step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -l clear-products -d 'Remove every product rule of the step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-step" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-inspection" -l run -d 'The command the verifier runs (split like a shell; never run through a shell)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-inspection" -l material -d 'Material rule (repeatable, in order): replaces the inspection\'s material rules (with --append, follows them)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-inspection" -l product -d 'Product rule (repeatable, in order): replaces the inspection\'s product rules (with --append, follows them)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-inspection" -l append -d 'Add the rules given after the inspection\'s own instead of replacing them'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-inspection" -l clear-materials -d 'Remove every material rule of the inspection'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-inspection" -l clear-products -d 'Remove every product rule of the inspection'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-inspection" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-inspection" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-inspection" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-inspection" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-expires" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-expires" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-expires" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-expires" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-readme" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-readme" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-readme" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from set-readme" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -l from-links -d 'Draft from the links (*.link) of one run of the supply chain in DIR' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -l from-run -d 'Perform the chain first, in order, in the current directory, as intoto mock does (the whole directory recorded before and after each command, unsigned links kept in memory): STEP=COMMAND, the command split like a shell (never run through one)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -l keep-links -d 'Also write the dry run\'s unsigned links into DIR, as <step>.link (for intoto layout check --link-dir)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -s o -l output -d 'Write the layout to FILE (default: standard output)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -l expires -d 'Expiry: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or a duration from now such as 90d, 12w, 6m or 1y (default: 30d, a draft\'s)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -s k -l key -d 'PEM public keys that may have signed the links: each that did becomes the functionary of its step' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -s g -l gpg -d 'GnuPG keys (fingerprint or key id) that may have signed the links' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -l gpg-home -d 'GnuPG home holding the --gpg keys' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -l keyring -d 'OpenPGP keyring files: with --gpg, where to find those keys (no gpg needed); alone, every key in them' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -l force -d 'Replace an existing --output file'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -l allow-rest -d 'Write ALLOW rules for artifacts no other rule describes (unchanged, from no earlier step), instead of leaving them to DISALLOW *'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -l generalize -d 'Write one glob (dir/*) where all the artifacts of a directory go the same way (created, or taken whole from one earlier step)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -l no-inspection -d 'Leave out the inspection that checks the final products in the directory verification runs in'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -l dsse -d 'Write a DSSE envelope instead of a classic Metablock'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from draft" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from check" -l link-dir -d 'Also run the steps\' rules against the links of a run in DIR (<step>.<keyid8>.link, or a dry run\'s <step>.link): which rule took which artifacts, which took none, which failed' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from check" -l time -d 'Judge expiry as of TIME (RFC 3339 or a date), e.g. a release day' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from check" -s k -l key -d 'PEM public keys of the owners who will sign the layout' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from check" -s g -l gpg -d 'GnuPG keys of the owners who will sign the layout (their expiry is checked)' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from check" -l gpg-home -d 'GnuPG home holding the --gpg keys' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from check" -l keyring -d 'OpenPGP keyring files: with --gpg, where to find those keys; alone, every key in them is an owner\'s' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from check" -l json -d 'Print the findings as one JSON object (see the man page)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from show" -l verification-keys -d 'PEM public keys to check the signatures with' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from show" -s g -l gpg -d 'GnuPG keys to check the signatures with' -r
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from show" -l gpg-home -d 'GnuPG home for --gpg' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from show" -l keyring -d 'OpenPGP keyring files for --gpg' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from graph" -l format -d 'svg (a picture), dot (Graphviz source) or mermaid (a Markdown block GitHub and GitLab draw)' -r -f -a "svg\t'An SVG picture, laid out in-process'
dot\t'Graphviz DOT source'
mermaid\t'A Markdown ```mermaid block'"
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from graph" -s o -l output -d 'Write to FILE instead of standard output' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from graph" -l report -d 'A report of intoto verify --json for this layout: colour what passed and mark where verification failed' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from graph" -l gpg-home -d 'GnuPG home to name OpenPGP functionaries from, by user id (default: $GNUPGHOME or ~/.gnupg)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from graph" -l keyring -d 'OpenPGP keyring files to name functionaries from, instead of the GnuPG home' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from graph" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from graph" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from graph" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from graph" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "new" -d 'Create a new, empty, unsigned layout'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "add-key" -d 'Add a functionary key (GnuPG or PEM public key)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "add-step" -d 'Add a step at the end'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "add-inspection" -d 'Add an inspection at the end'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "remove-step" -d 'Remove a step; rules of other steps and inspections must not name it'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "remove-inspection" -d 'Remove an inspection; rules of other inspections must not name it'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "remove-key" -d 'Remove a functionary key, also from the steps it may perform'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "replace-key" -d 'Replace a functionary key everywhere it appears (keys and steps)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "set-step" -d 'Change a step in place: functionaries, threshold, command, rules'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "set-inspection" -d 'Change an inspection in place: its command, rules'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "set-expires" -d 'Change when the layout expires'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "set-readme" -d 'Change the layout\'s free-text description'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "draft" -d 'Draft an unsigned layout from the links of one run (or a dry run)'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check a layout for mistakes before signing it'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a layout: steps, who may sign them, rules, expiry, signatures'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "graph" -d 'Draw the supply chain: steps, who performs them, how artifacts flow'
complete -c intoto -n "__fish_intoto_using_subcommand layout; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -s l -l link -d 'The link whose products the local files are compared with' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -s p -l paths -d 'Files or directories to record and compare (default: .)' -r
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -s e -l exclude -d 'gitignore-style patterns of paths not to compare; replaces the defaults \'*.link*\' \'.git\' \'*.pyc\' \'*~\'' -r
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -l lstrip-paths -d 'Strip these prefixes from local paths (the first that matches), as the step did when it recorded its products' -r
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -l verification-keys -d 'First check the link\'s signature with these PEM public keys' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -s g -l gpg -d 'First check the link\'s signature with these GnuPG keys (fingerprint or key id)' -r
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -l gpg-home -d 'GnuPG home holding the --gpg keys' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -l keyring -d 'OpenPGP keyring files (armored or binary): with --gpg, where to find those keys (no gpg needed); alone, a valid signature by any key in them suffices' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -l allow-noninteroperable -d 'Accept GnuPG keys the Python reference cannot verify (NIST ECDSA)'
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand match-products" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l packages -d 'The archive\'s Packages index (plain, .xz, .gz or .zst)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l release -d 'The archive\'s InRelease file, which must list the Packages index' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l archive-keyring -d 'OpenPGP keyring (armored or binary) the InRelease file must be signed by, as apt\'s trusted.gpg.d (repeatable)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -s l -l layout -d 'The root layout every package is verified with' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l verification-keys -d 'PEM public keys; each must have signed the layout' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -s g -l gpg -d 'GnuPG keys (fingerprint or key id); each must have signed the layout' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l gpg-home -d 'GnuPG home holding the --gpg keys' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l keyring -d 'OpenPGP keyring files for the layout: with --gpg, where to find those keys; alone, one valid signature by any key in them suffices' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l cert-store -d 'The shared OpenPGP certificate store (pgp.cert.d) to find --gpg keys in' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l signatures -d 'At least N distinct keys among those given must have validly signed the layout (default: every --verification-keys and --gpg key; one key of a --keyring given alone)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l rebuilder -d 'A rebuilder: URL (legacy API, GET URL/sources/SOURCE/VERSION/metadata) or rebuilderd:URL (rebuilderd\'s v1 API); repeatable' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l files -d 'Verify the .deb files in DIR (named as in the pool) instead of the index\'s digests; entries without a file there are skipped' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -s j -l jobs -d 'Packages verified at the same time (default: the number of CPUs)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l shard -d 'Verify only the packages whose source name hashes to K modulo N (first 8 bytes of SHA-256, big-endian), 0 <= K < N' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l timeout -d 'Seconds each rebuilder has to answer for one package (all its requests)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l cache-dir -d 'Keep the rebuilders\' answers in DIR, which only you may write (default: a temporary directory removed at the end of the run)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l allow -d 'Tolerate missing evidence for packages whose source matches PATTERN (a glob: *, ?, [...]), reported as allowed; contradicting evidence still fails (repeatable; APT::Intoto::Allow)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l deny -d 'Refuse packages whose source matches PATTERN outright, reported as denied, without asking the rebuilders (repeatable; APT::Intoto::Deny)' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l report -d 'Also write FILE: one self-contained HTML page (no script, nothing fetched) with the counts, a chart per component and architecture, the packages that did not verify first, and the rebuilders\' answer times' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -l time -d 'Judge the layout, keys and inspections as of this time (RFC 3339 or YYYY-MM-DD); also InRelease\'s Valid-Until' -r
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand verify-archive" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand apt-check" -s c -l config-file -d 'Read this apt configuration file too (as apt\'s -c)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand apt-check" -s o -l option -d 'Set an apt configuration option, as apt\'s -o (repeatable), e.g. -o APT::Intoto::NoFail=true' -r
complete -c intoto -n "__fish_intoto_using_subcommand apt-check" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand apt-check" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand apt-check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand apt-check" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -l config -d 'Settings file: one NAME = VALUE a line, the names of these flags (default /etc/intoto/pacman.conf, ignored when missing); a flag given replaces the file\'s setting' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -s l -l layout -d 'The root layout packages are verified with' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -l verification-key -d 'PEM public key that must have signed the layout (repeatable)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -s g -l gpg -d 'GnuPG key (fingerprint) that must have signed the layout (repeatable)' -r
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -l gpg-home -d 'GnuPG home holding the --gpg keys' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -l keyring -d 'OpenPGP keyring file: with --gpg, where to find those keys; alone, one valid layout signature by any key in it suffices (repeatable)' -r -F
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -l rebuilder -d 'A rebuilder: rebuilderd:URL (rebuilderd\'s v1 API) or URL (the legacy path API); repeatable' -r
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -l allow -d 'Tolerate missing evidence for packages whose pkgbase matches PATTERN, with a warning (repeatable)' -r
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -l deny -d 'Refuse packages whose pkgbase matches PATTERN (repeatable)' -r
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -l timeout -d 'Seconds each rebuilder has to answer for one package (default 30)' -r
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intoto -n "__fish_intoto_using_subcommand pacman-fetch" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and not __fish_seen_subcommand_from man completions help" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and not __fish_seen_subcommand_from man completions help" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and not __fish_seen_subcommand_from man completions help" -s h -l help -d 'Print help'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and not __fish_seen_subcommand_from man completions help" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and not __fish_seen_subcommand_from man completions help" -f -a "man" -d 'Write man pages into DIR'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and not __fish_seen_subcommand_from man completions help" -f -a "completions" -d 'Print a completion script'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and not __fish_seen_subcommand_from man completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and __fish_seen_subcommand_from man" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and __fish_seen_subcommand_from man" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and __fish_seen_subcommand_from man" -s h -l help -d 'Print help'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and __fish_seen_subcommand_from man" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and __fish_seen_subcommand_from completions" -s v -l verbose -d 'Show what is being done, step by step'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and __fish_seen_subcommand_from completions" -s q -l quiet -d 'Show errors only'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and __fish_seen_subcommand_from completions" -s h -l help -d 'Print help'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and __fish_seen_subcommand_from completions" -s V -l version -d 'Print version'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "man" -d 'Write man pages into DIR'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "completions" -d 'Print a completion script'
complete -c intoto -n "__fish_intoto_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "run" -d 'Run a step\'s command and write a signed link'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "record" -d 'Record a step in two parts (start, then stop)'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "verify" -d 'Verify a final product against its layout and links'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "verify-summary" -d 'Check a signed verification summary as its consumer would'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "sign" -d 'Sign link or layout metadata, co-sign layouts, or check signatures'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "mock" -d 'Write an unsigned link for a command (to try out a layout)'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "key" -d 'Show key ids and export keys as layout key entries'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "layout" -d 'Write and inspect layouts'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "match-products" -d 'Check local files against a link\'s products'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "verify-archive" -d 'Verify every package of a Debian archive index against rebuilders\' links'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "apt-check" -d 'Check .deb files as the apt method would, with apt\'s configuration'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "pacman-fetch" -d 'Download for pacman (XferCommand), verifying packages against rebuilds'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "generate" -d 'Generate man pages or shell completions'
complete -c intoto -n "__fish_intoto_using_subcommand help; and not __fish_seen_subcommand_from run record verify verify-summary sign mock key layout match-products verify-archive apt-check pacman-fetch generate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from record" -f -a "start" -d 'Record the materials and write .<NAME>.<keyid prefix>.link-unfinished'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from record" -f -a "stop" -d 'Record the products and turn the unfinished link into <NAME>.<keyid prefix>.link'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "id" -d 'Print the in-toto key id of a PEM key or an OpenPGP key file'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from key" -f -a "export" -d 'Print the layout key entry (JSON) for a GnuPG or PEM key'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "new" -d 'Create a new, empty, unsigned layout'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "add-key" -d 'Add a functionary key (GnuPG or PEM public key)'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "add-step" -d 'Add a step at the end'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "add-inspection" -d 'Add an inspection at the end'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "remove-step" -d 'Remove a step; rules of other steps and inspections must not name it'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "remove-inspection" -d 'Remove an inspection; rules of other inspections must not name it'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "remove-key" -d 'Remove a functionary key, also from the steps it may perform'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "replace-key" -d 'Replace a functionary key everywhere it appears (keys and steps)'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "set-step" -d 'Change a step in place: functionaries, threshold, command, rules'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "set-inspection" -d 'Change an inspection in place: its command, rules'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "set-expires" -d 'Change when the layout expires'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "set-readme" -d 'Change the layout\'s free-text description'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "draft" -d 'Draft an unsigned layout from the links of one run (or a dry run)'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "check" -d 'Check a layout for mistakes before signing it'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "show" -d 'Show a layout: steps, who may sign them, rules, expiry, signatures'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from layout" -f -a "graph" -d 'Draw the supply chain: steps, who performs them, how artifacts flow'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "man" -d 'Write man pages into DIR'
complete -c intoto -n "__fish_intoto_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "completions" -d 'Print a completion script'
