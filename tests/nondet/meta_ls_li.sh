# inode numbers, link counts, sizes and times as ls shows them
ls -li tree
ls -lid tree tree/nested
