# ls in directory order (no sorting)
ls -U tree
ls -f tree/nested
