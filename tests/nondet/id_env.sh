# the whole environment
env | sort
