#!/bin/sh
# xargs -P4 over 40 items, each a sh -c 'echo $0': the order of the lines is the order in
# which 4 concurrent shells got to write (varies natively).
set -eu
export LC_ALL=C
seq 1 40 | xargs -P4 -n1 sh -c 'echo $0'
