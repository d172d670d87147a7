#!/bin/sh
# A "build" that is nondeterministic natively in every common way: it embeds the time,
# randomness, the host name, process ids and directory order into its artifact.
# Natively two runs always differ; under det they give the same bytes.
set -eu
rm -rf out && mkdir -p out/tree
for f in zebra apple mango kiwi; do echo "$f" > "out/tree/$f.txt"; done
{
  echo "built at:  $(date -u '+%Y-%m-%d %H:%M:%S.%N')"
  echo "random:    $(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
  echo "host:      $(uname -n) $(uname -r)"
  echo "pid:       $$"
  echo "listing:   $(ls -U out/tree | tr '\n' ' ')"
} > out/BUILDINFO
tar -czf out/release.tar.gz -C out tree BUILDINFO
echo "wrote out/BUILDINFO and out/release.tar.gz"
