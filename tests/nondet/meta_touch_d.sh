# touch -d sets the time it names; plain touch takes the current time; touch -r copies
mkdir -p out
touch -d '2001-02-03 04:05:06.5 UTC' out/named
touch out/now
touch -r out/named out/ref
stat -c '%n %Y %X %y' out/named out/ref
stat -c '%n %Y' out/now
date -r out/now +%s
