#!/usr/bin/env bash
# Build the repository's Dockerfile and smoke-test the image, without Docker
# and without any image registry.
#
#   sudo scripts/container-check.sh          # from the repository root
#
# What it does, in phases (each one timed; the summary is printed at the end):
#   1. tools:  installs buildah, debootstrap and jq with apt if they are missing.
#   2. bases:  makes local stand-ins for the Dockerfile's base images:
#              debian:bookworm-slim from `debootstrap --variant=minbase`, and
#              rust:1-slim-bookworm from that plus gcc, libc6-dev and this
#              machine's own Rust toolchain, laid out like the official image
#              (RUSTUP_HOME=/usr/local/rustup, CARGO_HOME=/usr/local/cargo).
#              They are kept in the script's own image store and reused on the
#              next run (FAQBOT_CC_REBUILD_BASES=1 rebuilds them).
#   3. build:  builds the Dockerfile, unchanged, with `buildah bud`
#              (layer cache on, so a second run reuses the dependency layer).
#   4. checks: runs `faqbot --version`, `faqbot check`, `faqbot ask` and `faqbot health` inside
#              the image and checks their output, the non-root user, the /data
#              volume and the image config (ENTRYPOINT, CMD, HEALTHCHECK, ...).
#
# Requirements: Debian bookworm (or close), root, apt and the Debian mirror
# reachable, crates.io reachable (cargo runs inside the build, on the host's
# network), and a rustup toolchain on PATH (`rustc --print sysroot`) no older
# than the crate's rust-version.
#
# Nothing outside the script's own directories is changed apart from the apt
# installs: images live in a separate buildah store ($FAQBOT_CC_STORE, vfs
# driver, so no overlay or fuse support is needed; ~9 GB once built; delete
# the directory to start cold), and every temporary container and directory
# is removed on exit, also on failure. If this machine trusts extra CAs
# (/usr/local/share/ca-certificates, e.g. a TLS-inspecting proxy), they are
# added to the builder stand-in only, never to the runtime image.
#
# Settings (environment variables):
#   FAQBOT_CC_STORE          image store (default /var/lib/faqbot-container/storage)
#   FAQBOT_CC_IMAGE          name of the built image (default localhost/faqbot:check)
#   FAQBOT_CC_MIRROR         Debian mirror (default: the one apt uses here)
#   FAQBOT_CC_REBUILD_BASES  1 = recreate the base image stand-ins
#   FAQBOT_CC_NO_CACHE       1 = build without the layer cache (a cold build)
set -euo pipefail

# ---------------------------------------------------------------- settings --

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_ROOT"

STORE=${FAQBOT_CC_STORE:-/var/lib/faqbot-container/storage}
RUNROOT=${FAQBOT_CC_RUNROOT:-/run/faqbot-container}
IMAGE=${FAQBOT_CC_IMAGE:-localhost/faqbot:check}
SUITE=bookworm
# The names the Dockerfile's FROM lines use, fully qualified the way Docker
# (and buildah's short-name resolution) reads them.
DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim
RUST_IMAGE=docker.io/library/rust:1-slim-bookworm
# Questions for the smoke test: one the FAQ answers, one it must not.
ANSWERABLE="how long does microneedling take to heal"
UNANSWERABLE="what is the capital of france"

export DEBIAN_FRONTEND=noninteractive
# chroot isolation needs no user namespaces, cgroups or OCI runtime, so it
# works inside a VM or another container.
export BUILDAH_ISOLATION=chroot

# Containers and directories to remove on exit.
CONTAINERS=()
TMPDIRS=()
# Phase timings for the summary: "name seconds" lines.
TIMINGS=()

# ----------------------------------------------------------------- helpers --

log() { printf '\n==> %s\n' "$*" >&2; }
fail() {
    printf '\nFAIL: %s\n' "$*" >&2
    exit 1
}

# buildah on the script's own store, vfs driver.
bh() { buildah --root "$STORE" --runroot "$RUNROOT" --storage-driver vfs "$@"; }

image_exists() { bh inspect --type image "$1" >/dev/null 2>&1; }

# new_container IMAGE: makes a working container, registered for removal on
# exit, and sets NEW_CONTAINER to its ID. (Call it directly, not in $(...):
# the registration must happen in this shell.)
new_container() {
    NEW_CONTAINER=$(bh from --pull=never --quiet "$1")
    CONTAINERS+=("$NEW_CONTAINER")
}

cleanup() {
    local status=$?
    local c d
    for c in "${CONTAINERS[@]}"; do
        bh umount "$c" >/dev/null 2>&1 || true
        bh rm "$c" >/dev/null 2>&1 || true
    done
    for d in "${TMPDIRS[@]}"; do
        rm -rf --one-file-system "$d"
    done
    if ((status != 0)); then
        printf '\ncontainer-check: FAILED (exit %d); see the messages above.\n' "$status" >&2
    fi
}
trap cleanup EXIT

now() { date +%s.%N; }
# record_phase NAME START: stores the time since START for the summary.
record_phase() { TIMINGS+=("$1 $(awk -v a="$2" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"); }

# The Debian mirror apt uses on this machine (deb822 .sources or one-line
# sources.list), falling back to deb.debian.org.
detect_mirror() {
    local uri
    uri=$(
        {
            grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
            grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
                sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}'
        } | grep -E '/debian/?$' | head -n1
    ) || true
    echo "${uri:-http://deb.debian.org/debian}"
}

# ------------------------------------------------------------------ checks --

((EUID == 0)) || fail "run as root (buildah mounts and debootstrap need it)"
[[ -f Dockerfile && -f Cargo.toml && -f faq.toml ]] ||
    fail "run from the faqbot repository (no Dockerfile/Cargo.toml/faq.toml in $REPO_ROOT)"
command -v rustc >/dev/null ||
    fail "no Rust toolchain on PATH; install one with rustup (it is copied into the builder stand-in)"

MIRROR=${FAQBOT_CC_MIRROR:-$(detect_mirror)}
SECURITY_MIRROR=${MIRROR%/debian}/debian-security

# --------------------------------------------------------- phase 1: tools --

t=$(now)
log "tools"
missing=()
for tool in buildah:buildah debootstrap:debootstrap jq:jq; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
buildah --version
record_phase tools "$t"

# --------------------------------------------------------- phase 2: bases --

t=$(now)
log "base images (mirror: $MIRROR)"
if [[ ${FAQBOT_CC_REBUILD_BASES:-0} == 1 ]]; then
    bh rmi -f "$RUST_IMAGE" "$DEBIAN_IMAGE" >/dev/null 2>&1 || true
fi

# debian:bookworm-slim: a minbase debootstrap, trimmed like the official slim
# image (no apt lists or .debs; apt sources for the release, its updates and
# security), with the same PATH and CMD.
if image_exists "$DEBIAN_IMAGE"; then
    echo "$DEBIAN_IMAGE: cached"
else
    rootfs=$(mktemp -d /var/tmp/faqbot-cc-rootfs.XXXXXX)
    # Everything below writes under "$rootfs"/: never let that mean the host's /.
    [[ $rootfs == /var/tmp/faqbot-cc-rootfs.* && -d $rootfs ]] || fail "bad rootfs path '$rootfs'"
    TMPDIRS+=("$rootfs")
    echo "debootstrap --variant=minbase $SUITE (about 1-2 min)"
    debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 ||
        { tail -n 20 "$rootfs.log" >&2; fail "debootstrap failed (log above)"; }
    rm -f "$rootfs.log"
    # What makes the official image "slim" (docker-debian-artifacts, made with
    # debuerreotype): apt keeps no caches or translations, and dpkg installs
    # no docs, man pages or message catalogues. Without this an image built
    # on the stand-in would be ~100 MB bigger than one built on the real base.
    cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
    echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
    echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
    echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
# This is the "slim" variant of the Debian base image.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
DPKG
    # Remove what those rules would have kept out. Paranoia: $rootfs must be
    # the debootstrap directory, never / or empty.
    [[ $rootfs == /var/tmp/faqbot-cc-rootfs.* && -d $rootfs/usr/share ]] || fail "bad rootfs path '$rootfs'"
    find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
    for dir in groff info linda locale man lintian/overrides; do
        if [[ -d $rootfs/usr/share/$dir ]]; then find "$rootfs/usr/share/$dir" -mindepth 1 -delete; fi
    done
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/etc/hostname \
        "$rootfs"/etc/resolv.conf "$rootfs"/etc/apt/sources.list
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    new_container scratch
    ctr=$NEW_CONTAINER
    mnt=$(bh mount "$ctr")
    tar -C "$rootfs" --numeric-owner -cf - . | tar -C "$mnt" --numeric-owner -xpf -
    bh umount "$ctr" >/dev/null
    bh config --os linux --arch "$(dpkg --print-architecture)" \
        --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --cmd bash --label faqbot.stand-in=debootstrap "$ctr"
    bh commit --quiet --format docker "$ctr" "$DEBIAN_IMAGE" >/dev/null
    bh rm "$ctr" >/dev/null
    rm -rf --one-file-system "$rootfs"
    echo "$DEBIAN_IMAGE: created"
fi

# rust:1-slim-bookworm: the official image is debian:bookworm-slim plus
# ca-certificates, gcc and libc6-dev (ring and rusqlite's bundled SQLite
# compile C) and a minimal rustup toolchain. Here the toolchain is this
# machine's own, copied without its HTML docs.
SYSROOT=$(rustc --print sysroot)
RUST_VERSION=$(rustc --version | awk '{print $2}')
if image_exists "$RUST_IMAGE"; then
    cached_version=$(bh inspect --type image "$RUST_IMAGE" |
        jq -r '.Docker.config.Env[] | select(startswith("RUST_VERSION=")) | sub("RUST_VERSION="; "")')
    echo "$RUST_IMAGE: cached (Rust $cached_version)"
    if [[ $cached_version != "$RUST_VERSION" ]]; then
        echo "note: this machine now has Rust $RUST_VERSION; FAQBOT_CC_REBUILD_BASES=1 refreshes the stand-in" >&2
    fi
else
    new_container "$DEBIAN_IMAGE"
    ctr=$NEW_CONTAINER
    bh run --network host "$ctr" -- sh -c \
        'export DEBIAN_FRONTEND=noninteractive && apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates gcc libc6-dev >/dev/null && rm -rf /var/lib/apt/lists/*' ||
        fail "apt-get install in the rust stand-in failed (is $MIRROR reachable?)"
    mnt=$(bh mount "$ctr")
    # Extra CAs this machine trusts (a TLS-inspecting egress proxy, a company
    # CA): cargo in the build needs them to reach crates.io the way the host
    # does. Only the builder stand-in gets them; the runtime image does not.
    if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$mnt/usr/local/share/ca-certificates/"
        bh run "$ctr" -- update-ca-certificates >/dev/null
        echo "added this machine's extra CAs: $(cd /usr/local/share/ca-certificates && echo *.crt)"
    fi
    toolchain=$(basename "$SYSROOT")
    mkdir -p "$mnt/usr/local/rustup/toolchains/$toolchain" "$mnt/usr/local/cargo/bin"
    tar -C "$SYSROOT" --exclude=./share/doc -cf - . |
        tar -C "$mnt/usr/local/rustup/toolchains/$toolchain" -xf -
    if command -v rustup >/dev/null && [[ $(basename "$(dirname "$SYSROOT")") == toolchains ]]; then
        # As in the official image: rustup, with cargo, rustc, ... as its proxies.
        install -m 0755 "$(readlink -f "$(command -v rustup)")" "$mnt/usr/local/cargo/bin/rustup"
        for tool in "$SYSROOT"/bin/*; do
            ln -sf rustup "$mnt/usr/local/cargo/bin/$(basename "$tool")"
        done
        cat >"$mnt/usr/local/rustup/settings.toml" <<EOF
version = "12"
default_toolchain = "$toolchain"
profile = "minimal"
auto_self_update = "disable"
EOF
    else
        # Not a rustup toolchain: put its binaries on PATH directly.
        for tool in "$SYSROOT"/bin/*; do
            ln -sf "/usr/local/rustup/toolchains/$toolchain/bin/$(basename "$tool")" \
                "$mnt/usr/local/cargo/bin/$(basename "$tool")"
        done
    fi
    chmod -R a+w "$mnt/usr/local/rustup" "$mnt/usr/local/cargo"
    bh umount "$ctr" >/dev/null
    bh config \
        --env RUSTUP_HOME=/usr/local/rustup \
        --env CARGO_HOME=/usr/local/cargo \
        --env PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --env RUST_VERSION="$RUST_VERSION" \
        --label faqbot.stand-in=host-toolchain "$ctr"
    bh run "$ctr" -- cargo --version >/dev/null || fail "cargo does not run in the rust stand-in"
    bh commit --quiet --format docker "$ctr" "$RUST_IMAGE" >/dev/null
    bh rm "$ctr" >/dev/null
    echo "$RUST_IMAGE: created (Rust $RUST_VERSION)"
fi
record_phase bases "$t"

# --------------------------------------------------------- phase 3: build --

t=$(now)
log "build $IMAGE from ./Dockerfile"
build_args=(--isolation chroot --network host --format docker --layers --force-rm --pull=never)
if [[ ${FAQBOT_CC_NO_CACHE:-0} == 1 ]]; then
    build_args+=(--no-cache)
fi
# --format docker keeps HEALTHCHECK (the OCI format has no field for it).
# --network host: cargo reaches crates.io inside the build exactly as it does
# on this machine.
build_log=$(mktemp /var/tmp/faqbot-cc-build.XXXXXX)
TMPDIRS+=("$build_log")
bh bud "${build_args[@]}" -t "$IMAGE" -f Dockerfile . 2>&1 | tee "$build_log" ||
    fail "buildah bud failed (build output above)"

# vfs stores every layer as a full copy (the builder's are ~1.8 GB each), so
# drop the cached layers of earlier builds that this one did not use: the
# untagged images with no children, repeatedly, except those in this build's
# output. The base images, the dependency layer (if it was reused) and every
# layer of this build stay, so the next run of unchanged code is fully cached.
mapfile -t used < <(grep -oE '^--> (Using cache )?[0-9a-f]{11,}' "$build_log" | awk '{ print substr($NF, 1, 11) }')
for _ in $(seq 50); do
    stale=()
    while read -r id; do
        [[ " ${used[*]} " == *" ${id:0:11} "* ]] || stale+=("$id")
    done < <(bh images --all --filter dangling=true --format '{{.ID}}')
    ((${#stale[@]})) || break
    bh rmi "${stale[@]}" >/dev/null
done
echo "image store: $(du -sh "$STORE" | cut -f1) in $STORE"
record_phase build "$t"

# -------------------------------------------------------- phase 4: checks --

t=$(now)
log "checks"
new_container "$IMAGE"
ctr=$NEW_CONTAINER
# Run a command in the image as its configured user, with its WORKDIR and ENV
# (buildah run does not use the ENTRYPOINT).
in_image() { bh run --network none "$ctr" -- "$@"; }

# Image config.
config=$(bh inspect --type image "$IMAGE" | jq -c '.Docker.config')
expect_config() { # JQ_EXPR EXPECTED DESCRIPTION
    local got
    got=$(jq -c "$1" <<<"$config")
    [[ $got == "$2" ]] || fail "$3: expected $2, got $got"
    echo "ok: $3 = $got"
}
expect_config '.Entrypoint' '["faqbot"]' "ENTRYPOINT"
expect_config '.Cmd' '["run"]' "CMD"
expect_config '.StopSignal' '"SIGTERM"' "STOPSIGNAL"
expect_config '.User' '"10001:10001"' "USER"
expect_config '.WorkingDir' '"/data"' "WORKDIR"
expect_config '.Volumes | keys' '["/data"]' "VOLUME"
expect_config '.Healthcheck.Test' '["CMD","faqbot","health"]' "HEALTHCHECK command"
# Durations are in nanoseconds.
expect_config '[.Healthcheck.Interval, .Healthcheck.Timeout, .Healthcheck.StartPeriod, .Healthcheck.Retries]' \
    '[30000000000,5000000000,60000000000,3]' "HEALTHCHECK interval/timeout/start-period/retries"
for env in FAQBOT_FAQ=/app/faq.toml FAQBOT_DB=/data/faqbot.db FAQBOT_HEALTH_FILE=/tmp/faqbot.health; do
    jq -e --arg e "$env" '.Env | index($e)' <<<"$config" >/dev/null || fail "ENV $env missing"
    echo "ok: ENV $env"
done

# Runtime user: not root, and able to write to the volume and /tmp (where the
# health file goes).
uid=$(in_image id -u)
[[ $uid != 0 ]] || fail "the image runs as root"
echo "ok: runs as uid $uid ($(in_image id -un))"
in_image sh -c 'touch /data/.w /tmp/.w && rm /data/.w /tmp/.w' ||
    fail "uid $uid cannot write to /data or /tmp"
echo "ok: /data and /tmp writable"
in_image test -s /etc/ssl/certs/ca-certificates.crt || fail "CA certificates missing"
echo "ok: CA certificates present"

# The binary: version, FAQ check, one answered and one unanswered question.
want_version="faqbot $(sed -nE 's/^version = "(.*)"/\1/p' Cargo.toml | head -n1)"
got_version=$(in_image faqbot --version) || fail "faqbot --version failed"
[[ $got_version == "$want_version" ]] || fail "faqbot --version: expected '$want_version', got '$got_version'"
echo "ok: $got_version"

out=$(in_image faqbot check 2>&1) || fail "faqbot check failed: $out"
[[ $out == *" 0 error(s)"* ]] || fail "faqbot check: unexpected output: $out"
echo "ok: faqbot check: $out"

json=$(in_image faqbot ask --json "$ANSWERABLE") || fail "faqbot ask --json failed"
[[ $(jq -r .kind <<<"$json") == answer ]] || fail "'$ANSWERABLE' was not answered: $json"
out=$(in_image faqbot ask "$ANSWERABLE") || fail "faqbot ask failed"
if ! grep -q '^Sources:' <<<"$out" || ! grep -qE 'https?://' <<<"$out"; then
    fail "the answer to '$ANSWERABLE' has no sources: $out"
fi
echo "ok: faqbot ask '$ANSWERABLE': $json, with sources"

json=$(in_image faqbot ask --json "$UNANSWERABLE") || fail "faqbot ask --json failed"
[[ $(jq -r .kind <<<"$json") == no_match ]] || fail "'$UNANSWERABLE' should get no match: $json"
echo "ok: faqbot ask '$UNANSWERABLE': no_match"

# The HEALTHCHECK command: unhealthy with no bot running; healthy given the
# status file a connected bot writes (FAQBOT_HEALTH_FILE from the image's ENV).
if out=$(in_image faqbot health); then
    fail "faqbot health says healthy with no bot running: $out"
fi
[[ $out == "not healthy"* ]] || fail "faqbot health: unexpected output: $out"
echo "ok: faqbot health with no bot: $out"
# The single quotes are meant: the status is written inside the container.
# shellcheck disable=SC2016
out=$(in_image sh -c 'printf "{\"time\":%s,\"shards\":1,\"connected\":1,\"pid\":1}" "$(date +%s)" > "$FAQBOT_HEALTH_FILE" && faqbot health') ||
    fail "faqbot health with a fresh, connected status file: $out"
echo "ok: faqbot health with a connected status: $out"
record_phase checks "$t"

# --------------------------------------------------------------- summary --

log "summary"
# Uncompressed size as stored, and the compressed (gzip) size of its layers:
# what a registry would store and a host would pull.
size_mb=$(bh images --json "$IMAGE" | jq -r '.[0].size')
layout=$(mktemp -d /var/tmp/faqbot-cc-oci.XXXXXX)
TMPDIRS+=("$layout")
bh push --quiet "$IMAGE" "oci:$layout/image:check" >/dev/null 2>&1 || true
compressed=$(du -sb "$layout" | awk '{ printf "%.1f MB", $1 / 1e6 }')
rm -rf --one-file-system "$layout"
printf 'image:       %s\n' "$IMAGE"
printf 'image size:  %s uncompressed, %s compressed (layers as pushed)\n' "$size_mb" "$compressed"
printf 'binary size: %s bytes\n' "$(in_image stat -c %s /usr/local/bin/faqbot)"
total=0
for entry in "${TIMINGS[@]}"; do
    printf 'phase %-7s %6.1f s\n' "${entry% *}" "${entry#* }"
    total=$(awk -v a="$total" -v b="${entry#* }" 'BEGIN { print a + b }')
done
printf 'total         %6.1f s\n' "$total"
echo "container-check: OK"
