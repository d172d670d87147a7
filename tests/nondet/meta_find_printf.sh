# find's metadata fields (sorted by path, so only the metadata varies)
find tree -printf '%p %i %n %b %k %T@ %A@ %C@ %D\n' | sort
