# the shell's view of process ids
echo "shell \$\$ $$"
sh -c 'echo "child shell $$ parent $PPID"'
sleep 0 &
echo "background \$! $!"
wait
