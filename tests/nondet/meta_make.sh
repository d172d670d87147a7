# make decides what to rebuild from modification times: build, change one input, rebuild
set -e
cp tree/alpha a.src
cp tree/bravo b.src
echo '--- first make'
make -s -f rebuild.mk
echo '--- make again'
make -s -f rebuild.mk
sleep 0.05
echo changed >> b.src
echo '--- make after changing b.src'
make -s -f rebuild.mk
stat -c '%n %y' a.out b.out all.out
