# zip of the input tree: the archive's digest and its listing
zip -qr out.zip tree
sha256sum out.zip
unzip -l out.zip
