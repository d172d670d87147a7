# the listing a build log might contain
ls -l --full-time tree
