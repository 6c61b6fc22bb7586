#!/usr/bin/env bash
# The `package` step of intoto's release (release/root.layout): the Debian
# package of the `build` step's binary (scripts/package --no-build, which
# takes its time stamps from SOURCE_DATE_EPOCH). Product:
# dist/intoto_<version>_<arch>.deb.
set -eu
: "${SOURCE_DATE_EPOCH:?the commit time}"
mkdir -p src/target/release dist
cp out/intoto src/target/release/intoto
deb=$(cd src && CARGO_NET_OFFLINE=true scripts/package --no-build)
cp "src/$deb" dist/
