# A persona set without ADDR_NO_RANDOMIZE (setarch without -R) would turn address
# randomization back on for the program it runs: heap and stack addresses of a shell.
setarch x86_64 sh -c 'grep -E "\[(heap|stack)\]" /proc/self/maps | cut -d" " -f1'
