#!/usr/bin/env bash
# Regenerates the demo and test GnuPG home (this directory) and the
# exported public keys in testdata/keys/*.asc. No key has a passphrase:
# these are throw-away keys for the demo and the tests only.
#
#   alice  RSA 3072, signs (layout owner in the demo)
#   bob    Ed25519 certify-only primary + Ed25519 signing subkey (+ cv25519)
#   carl   RSA 3072 certify-only primary + RSA 3072 signing subkey
#   dave   DSA 2048, signs
#   erin   Ed25519, created 2020-01-01, expired 2020-01-02
#   frank  Ed25519, revoked
#   gina   Ed25519, signs (no subkeys)
#
# Usage: gnupg-home/regenerate.sh   (from anywhere; needs gpg 2.2+)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
tmp="$(mktemp -d /tmp/intoto-gnupg.XXXXXX)"
trap 'gpgconf --homedir "$tmp" --kill all >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
chmod 700 "$tmp"
g() { gpg --homedir "$tmp" --batch --no-tty --pinentry-mode loopback --passphrase '' "$@"; }
fpr() { gpg --homedir "$tmp" --with-colons --list-keys "<$1@example.org>" | awk -F: '$1=="fpr"{print $10; exit}'; }

g --quick-gen-key "Alice <alice@example.org>" rsa3072 sign never
g --quick-gen-key "Bob <bob@example.org>" ed25519 cert never
g --quick-add-key "$(fpr bob)" ed25519 sign never
g --quick-add-key "$(fpr bob)" cv25519 encr never
g --quick-gen-key "Carl <carl@example.org>" rsa3072 cert never
g --quick-add-key "$(fpr carl)" rsa3072 sign never
g --quick-gen-key "Dave <dave@example.org>" dsa2048 sign never
g --faked-system-time 20200101T120000 --quick-gen-key "Erin <erin@example.org>" ed25519 sign 1d
g --quick-gen-key "Frank <frank@example.org>" ed25519 sign never
g --quick-gen-key "Gina <gina@example.org>" ed25519 sign never
frank="$(fpr frank)"
sed 's/^:-----BEGIN/-----BEGIN/' "$tmp/openpgp-revocs.d/$frank.rev" | g --import 2>/dev/null
gpgconf --homedir "$tmp" --kill all

# Replace this directory's keyring, keep the script.
find "$here" -mindepth 1 ! -name regenerate.sh -exec rm -rf {} +
cp -r "$tmp/pubring.kbx" "$tmp/trustdb.gpg" "$tmp/private-keys-v1.d" "$tmp/openpgp-revocs.d" "$here/"
mkdir -p "$repo/testdata/keys"
for n in alice bob carl dave erin frank gina; do
    gpg --homedir "$tmp" --armor --export "$(fpr $n)" > "$repo/testdata/keys/$n.asc"
done
gpg --homedir "$tmp" --list-keys --with-subkey-fingerprints --keyid-format long
