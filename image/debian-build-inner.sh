#!/bin/sh
# Inside the det image (started by image/debian-build.sh or bench/debian): fetch a Debian
# source package and its build dependencies, then build it with `dpkg-buildpackage -b -us -uc`
# RUNS times per mode, each time in a fresh copy of the unpacked source, and compare the .debs.
#
#   debian-build-inner.sh PKG
#   env: RUNS (2), MODES ("native det"), OUT (/out), TIMEOUT (seconds per build, 3600),
#        EPOCH (det's --epoch; "changelog": the changelog's date, as dpkg-buildpackage's
#        SOURCE_DATE_EPOCH; default: det's own), DEB_BUILD_OPTIONS, DEB_BUILD_PROFILES (also
#        given to apt-get build-dep and, with --env, to the det builds), VARY (1: vary the
#        host between runs as `dettrace verify --vary` does; 0: only the build path, umask and
#        TZ, the old light variation), TASKSET_CPU (the CPU varied runs are pinned to, 0).
# Modes:
#   native  plain dpkg-buildpackage in the container; a difference means the build is not
#           reproducible as is;
#   det     the same under `dettrace run`, with the image's own tree (bound at
#           /var/lib/det/root) as the build's root.
# Host variation (VARY=1), as `dettrace verify --vary` (src/verify/vary.ts), in both modes:
# run 1 is the control; the others change, all at once: the build path (longer, deeper),
# HOME, TMPDIR, TZ, LANG/LC_ALL, umask, host name (a private UTS namespace), an extra
# environment variable, the CPU set (taskset, even runs), the creation order of the copied
# source tree (reverse on even runs; the copies live on a tmpfs, whose readdir shows it) and
# the wall time. Under det the same variation applies to the tracer, which should hide it.
# Writes OUT/<mode>-<n>/{*.deb,build.log,sha256,report.json(det)}, OUT/summary.tsv,
# OUT/info.env and prints a table.
# Exit: 0 every mode's runs gave identical .debs; 1 some differ; 2 a build failed; 125 setup.
set -u
pkg=${1:?usage: debian-build-inner.sh PKG}
runs=${RUNS:-2}
modes=${MODES:-native det}
out=${OUT:-/out}
timeout=${TIMEOUT:-3600}
vary=${VARY:-1}
cpu=${TASKSET_CPU:-0}
say() { echo "[debian-build] $*" >&2; }
die() { echo "debian-build: $*" >&2; exit 125; }
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

case " $modes " in *" det "*)
  if ! mountpoint -q /var/lib/det/root; then
    mount --bind / /var/lib/det/root || die "cannot bind / at /var/lib/det/root (needs CAP_SYS_ADMIN, apparmor=unconfined)"
  fi ;;
esac

say "$pkg: apt-get update, source, build-dep"
t_setup=$(date +%s)
apt-get update -qq >/tmp/apt.log 2>&1 || { cat /tmp/apt.log >&2; die "apt-get update failed"; }
rm -rf /srv/src && mkdir -p /srv/src && cd /srv/src || exit 125
apt-get source -qq "$pkg" >/tmp/apt-source.log 2>&1 || { tail -20 /tmp/apt-source.log >&2; die "apt-get source $pkg failed"; }
set --
[ -n "${DEB_BUILD_PROFILES:-}" ] && set -- -P "$(echo "$DEB_BUILD_PROFILES" | tr ' ' ',')"
apt-get build-dep -y -qq "$@" "$pkg" >/tmp/apt-build-dep.log 2>&1 || { tail -20 /tmp/apt-build-dep.log >&2; die "apt-get build-dep $pkg failed"; }
srcdir=$(find . -mindepth 1 -maxdepth 1 -type d | sort | head -n 1)
srcdir=${srcdir#./}
[ -n "$srcdir" ] || die "apt-get source $pkg unpacked no directory"
version=$(dpkg-parsechangelog -l "$srcdir/debian/changelog" -S Version)
epoch=${EPOCH:-}
[ "$epoch" = changelog ] && epoch=$(dpkg-parsechangelog -l "$srcdir/debian/changelog" -S Timestamp)
say "$pkg $version: source in /srv/src/$srcdir ($(( $(date +%s) - t_setup ))s to fetch and install)"

mkdir -p "$out"
{
  echo "package=$pkg"; echo "version=$version"; echo "srcdir=$srcdir"; echo "epoch=$epoch"
  echo "setup_seconds=$(( $(date +%s) - t_setup ))"
  echo "deb_build_options=${DEB_BUILD_OPTIONS:-}"; echo "deb_build_profiles=${DEB_BUILD_PROFILES:-}"
  echo "vary=$vary"; echo "image_debian=$(cat /etc/debian_version)"
  echo "build_system=$(
    b=$srcdir; d=$b/debian/control
    if grep -qE 'dh-cargo|cargo' "$d"; then echo rust
    elif grep -qE 'dh-golang|dh-sequence-golang|golang-go|golang-any' "$d"; then echo go
    elif grep -qE 'dh-python|dh-sequence-python3|python3-all' "$d"; then echo python
    elif [ -f "$b/meson.build" ]; then echo meson
    elif [ -f "$b/CMakeLists.txt" ] && grep -q cmake "$d"; then echo cmake
    elif [ -f "$b/Makefile.PL" ]; then echo perl-makemaker
    elif [ -f "$b/Build.PL" ]; then echo perl-build
    elif [ -f "$b/configure.ac" ] || [ -f "$b/configure.in" ]; then echo autotools
    elif [ -f "$b/configure" ]; then echo configure
    else echo make; fi)"
} > "$out/info.env"

# Work copies live on a tmpfs (readdir there returns entries in creation order, so the
# creation order of the copy is something the build can see), when we may mount one.
mkdir -p /srv/work
if [ "$vary" = 1 ] && ! mountpoint -q /srv/work; then
  mount -t tmpfs -o size=${WORK_TMPFS_SIZE:-8g},mode=0755 tmpfs /srv/work 2>/dev/null || say "no tmpfs for the work copies: creation order not varied"
fi

# copy_tree SRC DST ORDER: copy SRC's contents into DST creating entries in byte order
# (sorted) or in reverse byte order (reverse).
copy_tree() {
  if [ "$3" = reverse ]; then r=-r; else r=; fi
  (cd "$1" && find . -mindepth 1 -print0 | LC_ALL=C sort -z $r | tar --null --no-recursion -T - -cf -) |
    (cd "$2" && tar -xpf -)
}

status=0
printf 'package\tversion\tmode\trun\texit\tseconds\tdebs\tsha256(sorted list)\n' > "$out/summary.tsv"
for mode in $modes; do
  i=1
  while [ "$i" -le "$runs" ]; do
    rm -rf "$out/$mode-$i" && mkdir -p "$out/$mode-$i"
    log=$out/$mode-$i/build.log
    # The host of this run (run 1 is the control; the others vary everything at once).
    if [ "$vary" = 1 ]; then
      if [ "$i" -eq 1 ]; then
        w=/srv/work/b1/build home=/srv/work/home1 tmp=/srv/work/t1 tz=UTC loc=C.UTF-8 u=0022
        host=det-verify-1 order=sorted cpus= extra=
      else
        x=$(printf -- '-x%.0s' $(seq "$i"))
        w=/srv/work/varied-build-path-run-$i$x/deeper/work home=/srv/work/home-of-run-$i/user tmp=/srv/work/tmp-of-run-$i
        case $(( (i - 1) % 4 )) in 1) tz=DET-14 ;; 2) tz=DET+12 ;; 3) tz=DET-5:30 ;; *) tz=UTC ;; esac
        if [ $((i % 2)) -eq 0 ]; then loc=C order=reverse cpus=$cpu; else loc=C.UTF-8 order=sorted cpus=; fi
        case $(( (i - 1) % 3 )) in 1) u=0002 ;; 2) u=0027 ;; *) u=0022 ;; esac
        host=det-verify-host-of-run-$i.example.org extra="DET_VERIFY_RUN=$i CAPTURE_ENVIRONMENT=i_capture_the_environment_$i"
      fi
    else
      w=/srv/work/$mode-$i-$(printf '%0*d' "$i" 0) home=/root tmp=/tmp loc=C.UTF-8 order=sorted cpus= extra= host=
      if [ $((i % 2)) -eq 0 ]; then u=0002 tz=Pacific/Kiritimati; else u=0022 tz=UTC; fi
    fi
    rm -rf /srv/work/* 2>/dev/null
    mkdir -p "$w" "$home" "$tmp" "$w/$srcdir" && copy_tree "/srv/src/$srcdir" "$w/$srcdir" "$order" || die "cannot copy the source"
    printf 'path=%s\nhome=%s\ntmpdir=%s\ntz=%s\nlocale=%s\numask=%s\nhostname=%s\norder=%s\ncpus=%s\nextra=%s\n' \
      "$w" "$home" "$tmp" "$tz" "$loc" "$u" "${host:-(container)}" "$order" "${cpus:-all}" "$extra" > "$out/$mode-$i/host.env"
    # The command, wrapped as verify's wrapCommand does: [unshare --uts] [taskset -c N] sh -c 'umask; hostname; exec'.
    set --
    [ -n "$host" ] && set -- unshare --uts
    [ -n "$cpus" ] && set -- "$@" taskset -c "$cpus"
    inner="umask $u && ${host:+hostname '$host' && }exec \"\$@\""
    case $mode in
      native)
        set -- "$@" sh -c "$inner" sh timeout "$timeout" sh -c "cd '$srcdir' && exec dpkg-buildpackage -b -us -uc"
        ;;
      det)
        set -- "$@" sh -c "$inner" sh dettrace run --chroot /var/lib/det/root --workdir "$w" --timeout "$timeout" \
          --report "$out/$mode-$i/report.json"
        [ -n "$epoch" ] && set -- "$@" --epoch "$epoch"
        [ -n "${DEB_BUILD_OPTIONS:-}" ] && set -- "$@" --env "DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS"
        [ -n "${DEB_BUILD_PROFILES:-}" ] && set -- "$@" --env "DEB_BUILD_PROFILES=$DEB_BUILD_PROFILES"
        set -- "$@" -- sh -c "cd '$srcdir' && exec dpkg-buildpackage -b -us -uc"
        ;;
      *) die "unknown mode $mode" ;;
    esac
    say "$pkg: $mode build $i/$runs in $w"
    t0=$(date +%s)
    rc=0
    # shellcheck disable=SC2086 # $extra is NAME=VALUE words
    (cd "$w" && env HOME="$home" TMPDIR="$tmp" TZ="$tz" LANG="$loc" LC_ALL="$loc" ${host:+HOSTNAME="$host"} $extra "$@") >"$log" 2>&1 || rc=$?
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
