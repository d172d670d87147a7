#!/bin/sh
# Build the image's root file system and write it as one reproducible layer tarball.
#
#   mkrootfs.sh --suite SUITE --variant minbase|buildd --mirror URL --epoch SDE \
#               --out LAYER.tar [--packages "a b,c"] [--arch amd64] [--tmp DIR]
#
# Run as root (debootstrap, chroot, owners). Called by `node lib/src/image.js build`
# (src/image.ts), which hashes the inputs, caches this base layer, adds a second small layer
# with the det package (/opt/det), and loads both with a fixed config. Progress goes to
# stderr, one line a step.
#
# The same inputs (suite, variant, packages, mirror state, epoch) give a byte-identical layer: everything a package installation leaves behind that embeds the
# time, the host or randomness is removed or normalized, and the tar has a fixed order,
# numeric owners and every mtime clamped to SOURCE_DATE_EPOCH.
set -eu

suite=bookworm variant=minbase mirror= epoch= out= packages= arch=amd64 tmp=${TMPDIR:-/tmp}
while [ $# -gt 0 ]; do
  case $1 in
    --suite) suite=$2; shift 2 ;;
    --variant) variant=$2; shift 2 ;;
    --mirror) mirror=$2; shift 2 ;;
    --epoch) epoch=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --packages) packages=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --tmp) tmp=$2; shift 2 ;;
    *) echo "mkrootfs: unknown argument $1" >&2; exit 2 ;;
  esac
done
say() { echo "[image] $*" >&2; }
die() { echo "mkrootfs: $*" >&2; exit 1; }
[ -n "$mirror" ] || die "--mirror is required"
[ -n "$out" ] || die "--out is required"
case $epoch in ''|*[!0-9]*) die "--epoch must be integer seconds" ;; esac
case $variant in minbase|buildd) ;; *) die "--variant must be minbase or buildd" ;; esac
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap)"
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"

# Packages: the CLI needs nodejs; minbase needs build-essential (buildd has it).
include=nodejs,ca-certificates
[ "$variant" = minbase ] && include="$include,build-essential"
for p in $(echo "$packages" | tr ',' ' '); do include="$include,$p"; done

root=$(mktemp -d "$tmp/det-rootfs.XXXXXX")
chmod 755 "$root"   # the tree's / (mktemp made it 0700)
cleanup() {
  for m in proc sys dev/pts dev; do umount "$root/$m" 2>/dev/null || true; done
  rm -rf "$root"
}
trap cleanup EXIT INT TERM
export SOURCE_DATE_EPOCH="$epoch" LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive

say "debootstrap $suite ($variant, +$include) from $mirror into $root"
# debootstrap prints I: lines per phase; pass them through as progress.
log=$(mktemp "$tmp/det-debootstrap.XXXXXX.log")
{ debootstrap --variant="$variant" --arch="$arch" --components=main --include="$include" \
    "$suite" "$root" "$mirror"; echo "rc=$?"; } 2>&1 | tee "$log" | while IFS= read -r line; do
    case $line in I:*|W:*|E:*) echo "[debootstrap] $line" >&2 ;; esac
  done
if ! grep -qx 'rc=0' "$log"; then
  tail -n 20 "$log" >&2; [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 20 "$root/debootstrap/debootstrap.log" >&2
  rm -f "$log"; die "debootstrap $suite failed"
fi
rm -f "$log"
[ -x "$root/usr/bin/node" ] || die "debootstrap failed (no /usr/bin/node in the tree; see messages above)"
[ -x "$root/usr/bin/dpkg-buildpackage" ] || die "debootstrap failed (no dpkg-buildpackage in the tree)"

say "configuring the tree"
# Sources: the suite's main, binary and source (apt-get source / build-dep inside the image).
printf 'deb %s %s main\ndeb-src %s %s main\n' "$mirror" "$suite" "$mirror" "$suite" > "$root/etc/apt/sources.list"
# A fixed identity instead of the build host's (debootstrap copies the host's).
echo det > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost det\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
: > "$root/etc/resolv.conf"
# No recommends, no docs fetched twice: keep later `apt-get build-dep` in the image lean.
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$root/etc/apt/apt.conf.d/90det"

mkdir -p "$root/build"
chroot "$root" /usr/bin/node --version >/dev/null || die "node does not run in the tree"

say "removing what embeds time, host or randomness"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
  "$root"/var/cache/ldconfig/aux-cache "$root"/var/cache/man "$root"/var/cache/fontconfig \
  "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
  "$root"/etc/passwd- "$root"/etc/group- "$root"/etc/shadow- "$root"/etc/gshadow- "$root"/etc/subuid- "$root"/etc/subgid- \
  "$root"/etc/.pwd.lock "$root"/var/lib/dbus/machine-id "$root"/etc/ssh/ssh_host_* \
  "$root"/root/.bash_history "$root"/root/.cache "$root"/root/.npm
# Logs: keep the directories (packages expect them), drop the files.
find "$root/var/log" -type f -delete
# An empty machine-id means "not yet assigned" (systemd's convention for images).
[ -e "$root/etc/machine-id" ] && : > "$root/etc/machine-id"
# Byte code embeds the source mtime we are about to clamp; Python rebuilds it on demand.
find "$root" -xdev -name __pycache__ -type d -prune -exec rm -rf {} +
# /etc/shadow records the day each account was created: make it the epoch's day.
day=$((epoch / 86400))
for f in "$root/etc/shadow"; do
  [ -f "$f" ] && sed -i -E "s/^([^:]*:[^:]*:)[0-9]+:/\\1$day:/" "$f"
done
# Mount points and volatile directories: empty (Docker and the tracer mount their own).
for d in dev proc sys run tmp var/tmp; do
  [ -d "$root/$d" ] && find "$root/$d" -mindepth 1 -delete
done
chmod 1777 "$root/tmp" "$root/var/tmp"

say "writing the layer $out"
mkdir -p "$(dirname "$out")"
# Fixed order, numeric owners (as installed), no atime/ctime, pax header names without the
# PID, every mtime newer than the epoch clamped to it.
tar --create --file "$out.tmp" --directory "$root" --one-file-system \
  --sort=name --format=posix --numeric-owner \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  --mtime="@$epoch" --clamp-mtime .
mv "$out.tmp" "$out"
say "layer done: $(du -h "$out" | cut -f1)"
