#!/bin/sh
# 4 writers race into one pipe. The raw stream (and its sha256, and the number of runs of
# equal lines) depends on how their writes interleave: it varies natively; under det it
# must repeat. The count of bytes left after deleting the 1s does not depend on it.
set -eu
export LC_ALL=C
race() { for i in 1 2 3 4; do (yes "$i" | head -n 30000) & done; wait; }
race | sha256sum
race | uniq | wc -l | sed 's/^/runs of equal lines: /'
race | tr -d 1 | wc -c | sed 's/^/bytes without 1s: /'
