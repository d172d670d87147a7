// Every clock clock_gettime knows, and its resolution (clock_getres), plus the CPU-time
// clocks of this process and thread found through clock_getcpuclockid/pthread_getcpuclockid.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void show(const char *name, clockid_t id) {
  struct timespec t, r;
  if (clock_gettime(id, &t) != 0) { printf("%s gettime error\n", name); return; }
  if (clock_getres(id, &r) != 0) { printf("%s getres error\n", name); return; }
  printf("%s %lld.%09ld res %lld.%09ld\n", name, (long long)t.tv_sec, t.tv_nsec, (long long)r.tv_sec, r.tv_nsec);
}

int main(void) {
  show("REALTIME", CLOCK_REALTIME);
  show("REALTIME_COARSE", CLOCK_REALTIME_COARSE);
  show("MONOTONIC", CLOCK_MONOTONIC);
  show("MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE);
  show("MONOTONIC_RAW", CLOCK_MONOTONIC_RAW);
  show("BOOTTIME", CLOCK_BOOTTIME);
  show("TAI", CLOCK_TAI);
  show("PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID);
  show("THREAD_CPUTIME_ID", CLOCK_THREAD_CPUTIME_ID);
  clockid_t c;
  if (clock_getcpuclockid(getpid(), &c) == 0) show("getcpuclockid(pid)", c);
  if (pthread_getcpuclockid(pthread_self(), &c) == 0) show("pthread_getcpuclockid", c);
  return 0;
}
