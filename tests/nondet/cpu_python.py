# what Python reports about the machine
import multiprocessing
import os

print("cpu_count", os.cpu_count())
print("sched_getaffinity", sorted(os.sched_getaffinity(0)))
print("multiprocessing", multiprocessing.cpu_count())
print("getloadavg", os.getloadavg())
print("phys_pages", os.sysconf("SC_PHYS_PAGES"), "avphys_pages", os.sysconf("SC_AVPHYS_PAGES"))
