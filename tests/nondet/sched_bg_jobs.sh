# background jobs racing to print
for i in 1 2 3 4 5 6 7 8; do
  (j=0; while [ $j -lt 2000 ]; do j=$((j+1)); done; echo "job $i") &
done
wait
echo done
