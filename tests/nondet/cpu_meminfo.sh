# the memory figures in /proc/meminfo
grep -E '^(MemTotal|MemFree|MemAvailable|Buffers|Cached|Active|Inactive|Dirty|Committed_AS|Shmem):' /proc/meminfo
