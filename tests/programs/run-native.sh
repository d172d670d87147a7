#!/bin/sh
# Runs every test program natively N times (default 5) in a scratch directory and reports,
# per program, its exit status, the slowest run's wall time and how many distinct outputs
# the N runs gave (">1" = nondeterministic natively, which is the point of most of them).
#   sh run-native.sh [OUT-dir-with-built-programs] [N]
set -u
OUT=${1:-out}
N=${2:-5}
OUT=$(cd "$OUT" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
for prog in threads4 threads_mutex fork_wait vfork_exec clone3_thread execveat waitid orphan \
  zombie signals pidfd pipe_block futex sleep poll select epoll unix_sock tcp_sock flock \
  eventfd timers syscalls entropy pipeline.sh pipe_race.sh xargs.sh mp_pool.py; do
  max=0
  i=0
  while [ "$i" -lt "$N" ]; do
    start=$(date +%s%N)
    "$OUT/$prog" > "out.$i" 2> "err.$i"
    rc=$?
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    [ "$ms" -gt "$max" ] && max=$ms
    i=$((i + 1))
  done
  distinct=$(for f in out.*; do sha256sum < "$f"; done | sort -u | wc -l)
  printf '%-15s rc=%-3s lines=%-4s max=%5sms distinct=%s/%s\n' "$prog" "$rc" "$(wc -l < out.0)" "$max" "$distinct" "$N"
  rm -f out.* err.*
done
