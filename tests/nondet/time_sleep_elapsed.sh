# wall time a shell sees pass across sleeps
s=$(date +%s%N)
sleep 0.2
m=$(date +%s%N)
sleep 1.5
e=$(date +%s%N)
echo "sleep 0.2 took $((m - s)) ns"
echo "sleep 1.5 took $((e - m)) ns"
