# Sourced by scripts/package and scripts/reproduce: the environment under
# which a release build gives the same bytes wherever and whenever it runs.
#
#   reproducible_env SRC [EPOCH [VENDOR]]
#
# SRC is the source tree being built; EPOCH the commit's time (default:
# `git log -1 --format=%ct` in SRC, else SOURCE_DATE_EPOCH as set);
# VENDOR a directory of vendored crates (`cargo vendor`), if used.
# * SOURCE_DATE_EPOCH: the time stamps cargo-deb writes into the package;
# * --remap-path-prefix: the source tree, the cargo home and $HOME become
#   fixed names in panic messages and debug paths (the last matching
#   prefix wins, so the most specific comes last);
# * CFLAGS -ffile-prefix-map: the same for C code built by crates;
# * the locked dependency set (callers pass --locked), the target
#   directory inside SRC, no incremental build, one codegen unit order.
reproducible_env() {
    local src epoch cargo_home vendor=""
    src=$(cd "$1" && pwd -P)
    epoch="${2:-}"
    [ -z "${3:-}" ] || vendor=$(cd "$3" && pwd -P)
    if [ -z "$epoch" ]; then
        epoch=$(git -C "$src" log -1 --format=%ct 2>/dev/null || echo "${SOURCE_DATE_EPOCH:-}")
    fi
    [ -n "$epoch" ] || { echo "reproducible: no commit time for $src (set SOURCE_DATE_EPOCH)" >&2; return 1; }
    cargo_home=$(cd "${CARGO_HOME:-$HOME/.cargo}" && pwd -P)
    export SOURCE_DATE_EPOCH="$epoch"
    export CARGO_TARGET_DIR="$src/target"
    export CARGO_INCREMENTAL=0
    local maps=(
        "--remap-path-prefix=$HOME=/home/builder"
        "--remap-path-prefix=$cargo_home=/usr/share/cargo"
        "--remap-path-prefix=$src=/usr/src/intoto"
    )
    local cmaps="-ffile-prefix-map=$HOME=/home/builder -ffile-prefix-map=$cargo_home=/usr/share/cargo -ffile-prefix-map=$src=/usr/src/intoto"
    if [ -n "$vendor" ]; then
        maps+=("--remap-path-prefix=$vendor=/usr/share/cargo/vendor")
        cmaps+=" -ffile-prefix-map=$vendor=/usr/share/cargo/vendor"
    fi
    # One flag per 0x1f-separated field: paths may hold spaces.
    local IFS=$'\x1f'
    export CARGO_ENCODED_RUSTFLAGS="${maps[*]}"
    unset IFS
    unset RUSTFLAGS
    export CFLAGS="$cmaps"
    export TZ=UTC LC_ALL=C.UTF-8
    umask 022
}
