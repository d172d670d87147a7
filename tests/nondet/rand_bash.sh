# bash's $RANDOM (seeded from time and pid) and $SRANDOM (getrandom)
echo "RANDOM $RANDOM $RANDOM $RANDOM"
echo "SRANDOM $SRANDOM"
