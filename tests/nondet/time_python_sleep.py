# elapsed time across sleeps, measured three ways
import time

t0, p0, m0 = time.time(), time.perf_counter_ns(), time.monotonic_ns()
time.sleep(0.05)
print("perf_counter_ns", time.perf_counter_ns() - p0)
print("monotonic_ns", time.monotonic_ns() - m0)
time.sleep(0.01)
print("time", repr(time.time() - t0))
