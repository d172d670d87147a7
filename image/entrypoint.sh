#!/bin/sh
# Entry point of the det image for `dettrace run --image` (src/image.ts, runInImage):
#   entrypoint.sh run [dettrace run options] -- COMMAND...
#
# - DET_BIND_ROOT=1: bind the image's own root (without the container's submounts: /proc,
#   /dev, /sys, the work dir, Docker's /etc/hosts...) at /var/lib/det/root, which the caller
#   passes as --chroot: the build runs in the pinned Debian tree. Needs CAP_SYS_ADMIN, and on
#   AppArmor hosts apparmor=unconfined (docker-default denies mount).
# - DET_HOST_UID/DET_HOST_GID: after the run, give what the build created in the work dir
#   (and the report/log dirs) back to the calling user, so a non-root host user can clean up.
# - Signals from `docker run` (SIGINT/SIGTERM/SIGHUP) are passed on to dettrace: this shell
#   is PID 1 and would otherwise ignore them.
set -u
[ "${1:-}" = run ] || { echo "det image entrypoint: usage: run [OPTIONS] -- COMMAND..." >&2; exit 125; }

if [ "${DET_BIND_ROOT:-}" = 1 ] && ! mountpoint -q /var/lib/det/root; then
  if ! mount --bind / /var/lib/det/root 2>/tmp/det-mount.err; then
    echo "dettrace: --image: cannot bind the image's root ($(cat /tmp/det-mount.err)); the container needs --cap-add SYS_ADMIN and --security-opt apparmor=unconfined" >&2
    exit 125
  fi
fi

marker=
if [ -n "${DET_HOST_UID:-}" ] && [ "${DET_HOST_UID}" != 0 ]; then
  marker=$(mktemp /tmp/det-start.XXXXXX)
fi

dettrace "$@" &
pid=$!
trap 'kill -s INT "$pid" 2>/dev/null' INT
trap 'kill -s TERM "$pid" 2>/dev/null' TERM
trap 'kill -s HUP "$pid" 2>/dev/null' HUP
rc=0
wait "$pid" || rc=$?
while kill -0 "$pid" 2>/dev/null; do
  rc=0
  wait "$pid" || rc=$?
done

if [ -n "$marker" ]; then
  for d in /build /var/lib/det/out /var/lib/det/log; do
    mountpoint -q "$d" || continue
    find "$d" -xdev -mindepth 1 -uid 0 -cnewer "$marker" -exec chown -h "$DET_HOST_UID:${DET_HOST_GID:-$DET_HOST_UID}" {} + 2>/dev/null
  done
fi
exit "$rc"
