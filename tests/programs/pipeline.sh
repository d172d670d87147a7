#!/bin/sh
# A 4-process pipeline whose result does not depend on scheduling (same natively every
# run) and a second, wider one through tee and a FIFO; under det both must finish and repeat.
set -eu
export LC_ALL=C
seq 1 20000 | sed 's/1/one/g' | sort -r | awk '{ n += length($0) } END { print NR, n }'
seq 1 20000 | sed 's/7/seven/' | sort -r | awk 'NR % 1000 == 0' | md5sum
rm -f det.fifo && mkfifo det.fifo
seq 1 5000 | tee det.fifo | wc -l > det.count &
sort -n det.fifo | tail -n 1
wait
echo "tee saw $(cat det.count) lines"
rm -f det.fifo det.count
