#!/bin/sh
# Build Debian source packages twice in the det image, natively and under dettrace, and
# compare the .deb files.
#
#   image/debian-build.sh [--image REF|build] [--out DIR] [--runs N] [--modes "native det"]
#                         [--timeout SECONDS] PKG...
#
# --image build (default) builds or loads the default image first (node lib/src/image.js
# build; DET_IMAGE_* and DET_CACHE_DIR apply). Each package runs in its own fresh container
# (network on: apt-get source and build-dep fetch from the image's Debian mirror; the traced
# builds themselves have no network, the tracer's sandbox has none). Results go to
# OUT/PKG/{native-1,native-2,det-1,det-2}/ (the .debs, build.log, sha256) and
# OUT/PKG/summary.tsv; OUT defaults to ./debian-build-out. EPOCH, DEB_BUILD_OPTIONS,
# DEB_BUILD_PROFILES, VARY and TASKSET_CPU are passed on (see debian-build-inner.sh).
# Exit: 0 all reproducible in every mode; 1 something differs; 2 a build failed; 125 setup.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
image=build out=$PWD/debian-build-out runs=2 modes="native det" timeout=3600
while [ $# -gt 0 ]; do
  case $1 in
    --image) image=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "debian-build: unknown option $1" >&2; exit 125 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 125; }
if [ "$image" = build ]; then
  image=$(node "$here/../lib/src/image.js" build | awk '{print $1}')
  [ -n "$image" ] || exit 125
fi
# The same privileges as `dettrace run --image` (see image/README.md for why each).
privileges=$(node "$here/../lib/src/image.js" privileges)
mkdir -p "$out"
out=$(cd "$out" && pwd)
status=0
for pkg in "$@"; do
  echo "[debian-build] $pkg in $image" >&2
  mkdir -p "$out/$pkg"
  rc=0
  set --
  for v in EPOCH DEB_BUILD_OPTIONS DEB_BUILD_PROFILES VARY TASKSET_CPU; do
    eval "[ -n \"\${$v+x}\" ]" && set -- "$@" -e "$v"
  done
  # shellcheck disable=SC2086 # the privileges are separate words
  docker run --rm $privileges -v "$out/$pkg:/out" -e RUNS="$runs" -e MODES="$modes" -e TIMEOUT="$timeout" "$@" \
    --entrypoint /opt/det/image/debian-build-inner.sh "$image" "$pkg" || rc=$?
  [ "$rc" -gt "$status" ] && status=$rc
done
exit "$status"
