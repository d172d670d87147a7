/* Sleeping: nanosleep, clock_nanosleep relative and TIMER_ABSTIME on CLOCK_MONOTONIC and
 * CLOCK_REALTIME, usleep; threads that sleep different lengths and report the order in
 * which they woke; the clocks must move forward across sleeps. The elapsed times printed
 * are in microseconds (natively they vary; under det's logical clock they must repeat). */
#include "common.h"
#include <pthread.h>
#include <time.h>

static long long ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char woke[64];
static int nwoke;

static void *sleeper(void *arg) {
  long ms = (long)arg;
  msleep(ms);
  pthread_mutex_lock(&mu);
  nwoke += snprintf(woke + nwoke, sizeof woke - (size_t)nwoke, " %ldms", ms);
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  long long m0 = ns(CLOCK_MONOTONIC), r0 = ns(CLOCK_REALTIME);
  struct timespec ts = {0, 100 * 1000000};
  if (nanosleep(&ts, NULL) != 0) FAIL("nanosleep");
  long long m1 = ns(CLOCK_MONOTONIC);
  CHECK(m1 - m0 >= 100000000LL, "nanosleep(100ms) took %lld ns of CLOCK_MONOTONIC", m1 - m0);
  say("nanosleep 100ms: elapsed %lld us\n", (m1 - m0) / 1000);

  ts.tv_nsec = 50 * 1000000;
  if (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL) != 0) FAIL("clock_nanosleep rel");
  long long m2 = ns(CLOCK_MONOTONIC);
  CHECK(m2 - m1 >= 50000000LL, "clock_nanosleep(50ms) took %lld ns", m2 - m1);
  say("clock_nanosleep rel 50ms: elapsed %lld us\n", (m2 - m1) / 1000);

  struct timespec abs;
  clock_gettime(CLOCK_MONOTONIC, &abs);
  abs.tv_nsec += 80 * 1000000;
  if (abs.tv_nsec >= 1000000000) {
    abs.tv_sec++;
    abs.tv_nsec -= 1000000000;
  }
  if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) != 0) FAIL("clock_nanosleep abs");
  long long m3 = ns(CLOCK_MONOTONIC);
  CHECK(m3 >= abs.tv_sec * 1000000000LL + abs.tv_nsec, "woke before the absolute deadline");
  say("clock_nanosleep abs +80ms: elapsed %lld us\n", (m3 - m2) / 1000);

  clock_gettime(CLOCK_REALTIME, &abs);
  abs.tv_nsec += 30 * 1000000;
  if (abs.tv_nsec >= 1000000000) {
    abs.tv_sec++;
    abs.tv_nsec -= 1000000000;
  }
  if (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL) != 0) FAIL("clock_nanosleep realtime abs");
  usleep(20000);
  long long m4 = ns(CLOCK_MONOTONIC);
  say("realtime abs +30ms, usleep 20ms: elapsed %lld us\n", (m4 - m3) / 1000);

  pthread_t th[4];
  long lens[4] = {120, 30, 90, 60};
  for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, sleeper, (void *)lens[i]);
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  long long m5 = ns(CLOCK_MONOTONIC), r5 = ns(CLOCK_REALTIME);
  say("threads woke:%s\n", woke);
  say("threads: elapsed %lld us\n", (m5 - m4) / 1000);
  CHECK(m5 - m0 >= 400000000LL, "total monotonic %lld ns < the 400 ms slept", m5 - m0);
  CHECK(r5 > r0, "realtime did not advance");
  say("total: monotonic %lld us, realtime %lld us\n", (m5 - m0) / 1000, (r5 - r0) / 1000);
  return 0;
}
