# gzip records the input file's mtime in its header
gzip -k -f tree/alpha
sha256sum tree/alpha.gz
gzip -l -v tree/alpha.gz | tail -n 1
