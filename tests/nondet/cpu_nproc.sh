# CPU counts as coreutils and getconf report them
nproc
nproc --all
getconf _NPROCESSORS_ONLN
getconf _NPROCESSORS_CONF
