# the current directory, every way to ask
pwd
pwd -P
echo "$PWD"
readlink /proc/self/cwd
realpath tree
cd tree && /bin/pwd
