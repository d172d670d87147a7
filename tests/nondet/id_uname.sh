# machine identity: uname, hostname, kernel version strings
uname -a
hostname
uname -n
cat /proc/sys/kernel/hostname
cat /proc/sys/kernel/osrelease
