# mktemp's names
mktemp -u
mktemp -u tmp.XXXXXXXXXX
d=$(mktemp -d -p .)
basename "$d"
f=$(mktemp -p . file.XXXX)
basename "$f"
