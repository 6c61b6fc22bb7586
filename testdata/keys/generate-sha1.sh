#!/usr/bin/env bash
# Regenerates owen-sha1.*: a GnuPG 1.x-era style key (throw-away, no
# passphrase) whose self-signatures use SHA-1, as gpg 1.x made them:
#   RSA 2048 certify-only primary, created 2015-03-01, user id
#   "Old Owen <owen@example.org>" certified with SHA-1, and an RSA 2048
#   signing subkey bound with SHA-1 (binding and back-signature).
#
#   owen-sha1.asc       public key (armored)
#   owen-sha1.sec.asc   secret key (armored; for the signing tests)
#   owen-sha1.layout    an empty layout (expires 2040) signed by the key
#                       with an ordinary SHA-256 data signature (by intoto)
#
# Usage: testdata/keys/generate-sha1.sh   (needs gpg 2.2 and a built intoto:
# target/debug/intoto, or $INTOTO)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
intoto="${INTOTO:-$repo/target/debug/intoto}"
tmp="$(mktemp -d /tmp/intoto-sha1.XXXXXX)"
trap 'gpgconf --homedir "$tmp" --kill all >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
chmod 700 "$tmp"
g() { gpg --homedir "$tmp" --batch --no-tty --pinentry-mode loopback --passphrase '' "$@"; }
# gpg 2.2 still makes SHA-1 self-signatures when asked (and refuses, unless
# --allow-weak-key-signatures, to sign the subkey's back-signature with it).
old=(--cert-digest-algo SHA1 --digest-algo SHA1 --allow-weak-key-signatures)
g --faked-system-time 20150301T120000 "${old[@]}" \
    --quick-gen-key "Old Owen <owen@example.org>" rsa2048 cert never
fpr="$(gpg --homedir "$tmp" --with-colons --list-keys | awk -F: '$1=="fpr"{print $10; exit}')"
g --faked-system-time 20150301T120100 "${old[@]}" --quick-add-key "$fpr" rsa2048 sign never

g --armor --export "$fpr" > "$here/owen-sha1.asc"
g --armor --export-secret-keys "$fpr" > "$here/owen-sha1.sec.asc"

"$intoto" layout new "$tmp/owen.layout" --expires 2040-01-01T00:00:00Z --readme "signed by a key with SHA-1 self-signatures"
"$intoto" sign -f "$tmp/owen.layout" --gpg "$fpr" --gpg-home "$tmp"
cp "$tmp/owen.layout" "$here/owen-sha1.layout"
gpg --homedir "$tmp" --list-packets "$here/owen-sha1.asc" | grep -E 'sigclass|digest algo' >&2
echo "owen: $fpr" >&2
