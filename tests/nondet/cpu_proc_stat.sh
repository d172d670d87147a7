# /proc/stat: CPU time counters, boot time, context switches, process counts
grep -E '^(cpu|cpu[0-9]+|ctxt|btime|processes|procs_running|procs_blocked) ' /proc/stat
