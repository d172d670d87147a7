#!/bin/sh
# Inside the det image (started by image/debian-build.sh): fetch a Debian source package and
# its build dependencies, then build it with `dpkg-buildpackage -b -us -uc` RUNS times per
# mode, each time in a fresh copy of the unpacked source, and compare the .deb files.
#
#   debian-build-inner.sh PKG        env: RUNS (2), MODES ("native det"), OUT (/out),
#                                         TIMEOUT (seconds per build, 3600), EPOCH (det's epoch)
# Modes:
#   native  plain dpkg-buildpackage in the container; the runs differ in build path, umask
#           and TZ (a light --vary), so a difference means the build is not reproducible as is;
#   det     the same under `dettrace run`, with the image's own tree (bound at
#           /var/lib/det/root) as the build's root.
# Writes OUT/<mode>-<n>/{*.deb,build.log,sha256}, OUT/summary.tsv, and prints a table.
# Exit: 0 every mode's runs gave identical .debs; 1 some differ; 2 a build failed; 125 setup.
set -u
pkg=${1:?usage: debian-build-inner.sh PKG}
runs=${RUNS:-2}
modes=${MODES:-native det}
out=${OUT:-/out}
timeout=${TIMEOUT:-3600}
say() { echo "[debian-build] $*" >&2; }
die() { echo "debian-build: $*" >&2; exit 125; }
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

case " $modes " in *" det "*)
  if ! mountpoint -q /var/lib/det/root; then
    mount --bind / /var/lib/det/root || die "cannot bind / at /var/lib/det/root (needs CAP_SYS_ADMIN, apparmor=unconfined)"
  fi ;;
esac

say "$pkg: apt-get update, source, build-dep"
apt-get update -qq >/tmp/apt.log 2>&1 || { cat /tmp/apt.log >&2; die "apt-get update failed"; }
rm -rf /srv/src && mkdir -p /srv/src && cd /srv/src || exit 125
apt-get source -qq "$pkg" >/tmp/apt-source.log 2>&1 || { tail -20 /tmp/apt-source.log >&2; die "apt-get source $pkg failed"; }
apt-get build-dep -y -qq "$pkg" >/tmp/apt-build-dep.log 2>&1 || { tail -20 /tmp/apt-build-dep.log >&2; die "apt-get build-dep $pkg failed"; }
srcdir=$(find . -mindepth 1 -maxdepth 1 -type d | sort | head -n 1)
srcdir=${srcdir#./}
[ -n "$srcdir" ] || die "apt-get source $pkg unpacked no directory"
version=$(dpkg-parsechangelog -l "$srcdir/debian/changelog" -S Version)
say "$pkg $version: source in /srv/src/$srcdir"

mkdir -p "$out"
status=0
printf 'package\tversion\tmode\trun\texit\tseconds\tdebs\tsha256(sorted list)\n' > "$out/summary.tsv"
for mode in $modes; do
  i=1
  while [ "$i" -le "$runs" ]; do
    # A fresh copy each time, at a path that differs per run.
    w=/srv/work/$mode-$i-$(printf '%0*d' "$i" 0)
    rm -rf "$w" && mkdir -p "$w" && cp -a "/srv/src/$srcdir" "$w/" || die "cannot copy the source"
    log=$out/$mode-$i/build.log
    rm -rf "$out/$mode-$i" && mkdir -p "$out/$mode-$i"
    say "$pkg: $mode build $i/$runs in $w"
    t0=$(date +%s)
    rc=0
    case $mode in
      native)
        if [ $((i % 2)) -eq 0 ]; then u=0002 tz=Pacific/Kiritimati; else u=0022 tz=UTC; fi
        (cd "$w/$srcdir" && umask "$u" && TZ=$tz timeout "$timeout" dpkg-buildpackage -b -us -uc) >"$log" 2>&1 || rc=$?
        ;;
      det)
        set -- --chroot /var/lib/det/root --workdir "$w" --timeout "$timeout"
        [ -n "${EPOCH:-}" ] && set -- "$@" --epoch "$EPOCH"
        dettrace run "$@" -- sh -c "cd '$srcdir' && dpkg-buildpackage -b -us -uc" >"$log" 2>&1 || rc=$?
        ;;
      *) die "unknown mode $mode" ;;
    esac
    secs=$(( $(date +%s) - t0 ))
    (cd "$w" && for f in *.deb; do [ -e "$f" ] && sha256sum "$f"; done) > "$out/$mode-$i/sha256"
    debs=$(wc -l < "$out/$mode-$i/sha256")
    cp "$w"/*.deb "$out/$mode-$i/" 2>/dev/null
    listsum=$(sort -k2 "$out/$mode-$i/sha256" | sha256sum | cut -c1-16)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$pkg" "$version" "$mode" "$i" "$rc" "$secs" "$debs" "$listsum" >> "$out/summary.tsv"
    if [ "$rc" -ne 0 ] || [ "$debs" -eq 0 ]; then
      say "$pkg: $mode build $i FAILED (exit $rc, $debs .deb); last lines of $log:"
      tail -n 15 "$log" >&2
      status=2
    else
      say "$pkg: $mode build $i: exit 0 in ${secs}s, $debs .deb"
    fi
    rm -rf "$w"
    i=$((i + 1))
  done
done

# Compare: within each mode, every run's (name, sha256) list must equal run 1's.
echo
printf '%-8s %-6s %s\n' MODE RESULT DETAIL
for mode in $modes; do
  result=same detail=
  i=2
  while [ "$i" -le "$runs" ]; do
    if ! diff -q "$out/$mode-1/sha256" "$out/$mode-$i/sha256" >/dev/null; then
      result=DIFFER
      detail="$detail $(diff "$out/$mode-1/sha256" "$out/$mode-$i/sha256" | grep '^[<>]' | awk '{print $3}' | sort -u | tr '\n' ' ')"
    fi
    i=$((i + 1))
  done
  [ -s "$out/$mode-1/sha256" ] || result=FAILED
  printf '%-8s %-6s %s\n' "$mode" "$result" "${detail:-$(awk '{print substr($1,1,12) "  " $2}' "$out/$mode-1/sha256" | tr '\n' ';')}"
  if [ "$result" = DIFFER ] && [ "$status" -eq 0 ]; then status=1; fi
done
exit "$status"
