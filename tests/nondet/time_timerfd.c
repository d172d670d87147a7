// A periodic timerfd (2 ms): how many expirations pile up during a 25 ms sleep, what
// timerfd_gettime says is left, then five blocking reads and when each returned.
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

int main(void) {
  int fd = timerfd_create(CLOCK_MONOTONIC, 0);
  struct itimerspec its = {{0, 2000000}, {0, 2000000}};
  long long t0 = now_us();
  timerfd_settime(fd, 0, &its, NULL);
  struct timespec d = {0, 25000000};
  nanosleep(&d, NULL);
  unsigned long long exp;
  read(fd, &exp, sizeof exp);
  printf("after sleep: expirations %llu at_us %lld\n", exp, now_us() - t0);
  struct itimerspec cur;
  timerfd_gettime(fd, &cur);
  printf("gettime: next in %ld ns interval %ld ns\n", cur.it_value.tv_nsec, cur.it_interval.tv_nsec);
  for (int i = 0; i < 5; i++) {
    read(fd, &exp, sizeof exp);
    printf("read %d: expirations %llu at_us %lld\n", i, exp, now_us() - t0);
  }
  return 0;
}
