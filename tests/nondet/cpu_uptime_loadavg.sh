# /proc/uptime and /proc/loadavg
cat /proc/uptime
cat /proc/loadavg
