# make -j4 runs independent recipes in parallel; their output interleaves
make -s -j4 -f parallel.mk
