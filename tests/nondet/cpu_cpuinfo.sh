# /proc/cpuinfo's digest and processor count, and the affinity /proc/self/status reports
md5sum < /proc/cpuinfo
grep -c '^processor' /proc/cpuinfo
grep -m1 '^model name' /proc/cpuinfo
grep -E '^(Cpus_allowed|Cpus_allowed_list|Mems_allowed_list):' /proc/self/status
