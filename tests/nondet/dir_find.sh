# find walks in directory order
find tree
