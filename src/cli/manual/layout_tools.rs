//! The pages of `intoto layout draft` and `intoto layout check` (their
//! DESCRIPTION, in the manual's markup).

/// `intoto layout draft`
pub const DRAFT: &str = "\
Writes an unsigned layout from the links of one run of the
supply chain: the `*.link` files of `--from-links` *DIR*, or
the links of a dry run it performs
first, `--from-run` *STEP*`=`*COMMAND* ... in the order
given, each recorded in the current directory
as `intoto mock` records it (the whole directory before and
after; the links stay in memory, unsigned, unless written
into a directory with `--keep-links` *DIR*, which
is where `intoto layout check --link-dir` reads them). A
command that fails stops the dry run and nothing is written.

One step per link name, in the order the artifacts flow: a
step whose materials another step made (created or changed)
comes after it; steps the artifacts do not order come by
name. Each step's functionaries are the keys given
(`-k`, `--gpg`, `--keyring`) that validly signed its links
(threshold 1); a signer whose key was not given, a signature
that does not verify, an unsigned link and a step left
without keys each draw a warning. The expected command is
the one the link recorded.

Rules, for materials and
products: `MATCH` *path* `WITH PRODUCTS FROM` *step* where
the artifact equals (by digest) a product of an earlier step
(the one that made it last), `CREATE`, `DELETE` and `MODIFY`
where the step created, removed or changed it, `ALLOW` for
the rest only with `--allow-rest` (else a warning names
them), and `DISALLOW *` last. Paths are written as globs
that match exactly them. `--generalize` writes *dir*`/*`
instead where all the artifacts of a directory go the same
way (created, or taken whole from one earlier step's
products).

Unless `--no-inspection`, the inspection `final-products`
(command `true`) checks each final product (the last version
a step made that no later step changed or removed) in the
directory verification runs in: there, equal to the link's,
as `REQUIRE`, `MATCH` and `DISALLOW` rules (with the
option `--generalize`, a directory a step made whole is
checked as a glob *dir*`/*` with `MATCH` and `DISALLOW`, so a file missing
there goes unnoticed). So the signed draft verifies the links it was drawn from, where the final
products are, and fails when any product of the run changed.
The draft expires in 30 days unless `--expires` says
otherwise (said on stderr).";

/// `intoto layout check`
pub const CHECK: &str = "\
Checks a layout before anyone signs it, for the mistakes
that otherwise show only when a verification fails (or
never). One line per finding on
stdout, *severity*`:` *where*`:` *what*, where *where*
is `layout`, `key` *ID*, or the step or inspection with the
side and position (from 1) of the rule; a summary on stderr.
The checks, by the name `--json` gives them:

= `match-unknown-step` (error)
A MATCH rule names no step of the layout, or a step rule
names an inspection (step rules see only the steps' links):
it takes nothing.

= `match-later-step` (warning)
A MATCH rule names a step that comes later.

= `no-functionary`, `threshold`, `unknown-functionary` (error)
A step names no functionary key, a threshold above its
number of keys, or a key the layout does not hold.

= `unused-key` (warning)
A key of the layout that no step names.

= `no-final-disallow` (warning)
A step's material or product rules do not end in `DISALLOW`:
everything else passes unchecked.

= `never-matches` (warning)
A MATCH rule whose step's rules end in `DISALLOW *` and let
through nothing its pattern names.

= `empty-command` (error)
An inspection with an empty command.

= `parameter` (warning)
A `{`*NAME*`}` placeholder: verification needs `--param`.

= `expired`, `key-expired` (error); `expires-after-key` (warning)
The layout's expiry is past; an owner key (given
with `-k`, `--gpg`, `--keyring`) or a functionary key has
expired, or expires before the layout.

= `matched`, `matched-nothing`, `rule-fails`, `no-link` (with `--link-dir`)
The steps' rules run against the links of a run in *DIR* (by
the rule engine verification uses; signatures are not
checked): a note for each rule with the artifacts it took, a
warning for a rule that took none, an error for a rule that
fails (a `DISALLOW` that matched, a `REQUIRE` that did not),
a warning for a step without a link there.

It exits 1 when there is an error. `--json` prints one
object instead of the lines:

    {
      \"layout\": \"root.layout\",
      \"errors\": 1, \"warnings\": 0, \"notes\": 0,
      \"findings\": [
        {\"severity\": \"error\", \"check\": \"match-unknown-step\",
         \"item\": \"build\", \"item_kind\": \"step\",
         \"side\": \"materials\", \"rule\": 1,
         \"rule_text\": \"MATCH * WITH PRODUCTS FROM clnoe\",
         \"key\": null, \"message\": \"...\"}
      ]
    }

The `severity` is `error`, `warning`
or `note`; `item`, `item_kind` (`step`
or `inspection`), `side` (`materials` or `products`), `rule`
(its position, from 1), `rule_text` and `key` are `null`
where they do not apply; a finding about the links also
has `artifacts`, the paths concerned.";
