# sort -R and shuf shuffle with fresh randomness each run
seq 1 20 | sort -R | tr '\n' ' '
echo
seq 1 20 | shuf | tr '\n' ' '
echo
shuf -i 1-1000000 -n 3 | tr '\n' ' '
echo
shuf -e alpha bravo charlie delta echo | tr '\n' ' '
echo
