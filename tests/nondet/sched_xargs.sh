# xargs -P runs four jobs at a time; their output interleaves as they race
seq 1 12 | xargs -P 4 -n 1 sh -c 'echo "start $0"; i=0; while [ $i -lt 300 ]; do i=$((i+1)); done; echo "end $0"'
