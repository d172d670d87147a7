// How long sleeps and timeouts take, measured with CLOCK_MONOTONIC: nanosleep, usleep,
// select and poll timeouts, and clock_nanosleep to an absolute deadline (its overshoot).
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void) {
  long long t0 = now_ns();
  struct timespec d = {0, 20000000};
  nanosleep(&d, NULL);
  long long t1 = now_ns();
  printf("nanosleep 20ms took %lld ns\n", t1 - t0);
  usleep(5000);
  long long t2 = now_ns();
  printf("usleep 5ms took %lld ns\n", t2 - t1);
  struct timeval tv = {0, 3000};
  select(0, NULL, NULL, NULL, &tv);
  long long t3 = now_ns();
  printf("select 3ms took %lld ns\n", t3 - t2);
  poll(NULL, 0, 7);
  long long t4 = now_ns();
  printf("poll 7ms took %lld ns\n", t4 - t3);
  struct timespec dl;
  clock_gettime(CLOCK_MONOTONIC, &dl);
  dl.tv_nsec += 4000000;
  if (dl.tv_nsec >= 1000000000) { dl.tv_sec++; dl.tv_nsec -= 1000000000; }
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL);
  long long t5 = now_ns();
  printf("clock_nanosleep abs overshoot %lld ns\n", t5 - (dl.tv_sec * 1000000000LL + dl.tv_nsec));
  printf("total %lld ns\n", t5 - t0);
  return 0;
}
