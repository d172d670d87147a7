# directory link counts, sizes, block counts and inodes
mkdir -p d/x d/y
stat -c '%n %h %s %b %B %i' . d d/x tree tree/nested
