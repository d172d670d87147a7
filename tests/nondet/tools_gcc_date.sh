# gcc compiling a file that embeds __DATE__ and __TIME__, then running it
set -e
gcc -O1 -o datestamp datestamp.c
./datestamp
sha256sum datestamp
