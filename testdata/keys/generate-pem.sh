#!/usr/bin/env bash
# Regenerates the PEM test keys in this directory (throw-away keys):
#   alice.pem  RSA 3072          bob.pem  ECDSA P-256
#   carl.pem   Ed25519           dan.pem  Ed25519, encrypted with "hunter2"
# plus their public keys (*.pub, SubjectPublicKeyInfo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out alice.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out bob.pem
openssl genpkey -algorithm ed25519 -out carl.pem
openssl genpkey -algorithm ed25519 -out dan.plain.pem
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:hunter2 -in dan.plain.pem -out dan.pem
for k in alice bob carl dan.plain; do openssl pkey -in "$k.pem" -pubout -out "${k%.plain}.pub"; done
rm dan.plain.pem
