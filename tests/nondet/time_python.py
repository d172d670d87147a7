# every clock Python offers
import time

print("time", repr(time.time()))
print("time_ns", time.time_ns())
print("monotonic", repr(time.monotonic()))
print("perf_counter", repr(time.perf_counter()))
print("process_time", repr(time.process_time()))
print("thread_time", repr(time.thread_time()))
print("localtime", time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime()))
print("clock_gettime boottime", repr(time.clock_gettime(time.CLOCK_BOOTTIME)))
print("clock_gettime tai", repr(time.clock_gettime(time.CLOCK_TAI)))
