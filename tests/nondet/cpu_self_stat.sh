# /proc/self/stat of a short-lived process: pid, ppid, threads, start time, vsize, rss, last CPU
cut -d' ' -f1,4,20,22,23,24,39 /proc/self/stat
awk '{ print "awk starttime", $22 }' /proc/self/stat
