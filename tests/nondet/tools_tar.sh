# tar czf of the input tree: the archive's digest and its verbose listing
tar czf out.tgz tree
sha256sum out.tgz
tar tzvf out.tgz
