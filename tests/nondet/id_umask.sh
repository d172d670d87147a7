# the umask and the modes of what gets created under it
umask
umask -S
touch made-file
mkdir made-dir
stat -c '%a %n' made-file made-dir
