#!/usr/bin/env bash
# The `build` step of intoto's release (release/root.layout): the release
# binary from src/ and vendor/ alone (offline), under the reproducible
# environment of src/scripts/lib/reproducible.sh, and its CycloneDX SBOM
# (cargo-cyclonedx, made independent of the time and the directory).
# Products: out/intoto, out/intoto.cdx.json. Each builder runs it in a
# directory of their own; the layout's threshold wants two to agree.
set -eu
: "${SOURCE_DATE_EPOCH:?the commit time}"
. src/scripts/lib/reproducible.sh
reproducible_env src "$SOURCE_DATE_EPOCH" vendor
here=$(pwd -P)
mkdir -p src/.cargo out
sed "s#^directory = .*#directory = \"$here/vendor\"#" cargo-config.toml > src/.cargo/config.toml
(cd src && cargo build --release --locked --offline)
cp src/target/release/intoto out/intoto
(cd src && cargo cyclonedx --format json --spec-version 1.5 --override-filename intoto.cdx > /dev/null)
# The SBOM is a product two builders must agree on: no random serial
# number, the commit's time, and no local paths.
jq --arg t "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)" \
    'del(.serialNumber) | .metadata.timestamp = $t' src/intoto.cdx.json |
    sed "s#$here#/usr/src/intoto-release#g" > out/intoto.cdx.json
# cargo-cyclonedx writes one per workspace member: none stays in src/,
# which the `package` step takes as the `source` step's products.
find src -name intoto.cdx.json -delete
