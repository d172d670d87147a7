// Clock reads that glibc answers from the vDSO without a syscall: a loop of
// clock_gettime/gettimeofday/time calls; prints how many distinct values it saw and the span.
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#define N 3000

int main(void) {
  struct timespec first, prev, t;
  clock_gettime(CLOCK_MONOTONIC, &first);
  prev = first;
  long distinct = 1;
  for (int i = 0; i < N; i++) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (t.tv_sec != prev.tv_sec || t.tv_nsec != prev.tv_nsec) distinct++;
    prev = t;
  }
  long long span = (t.tv_sec - first.tv_sec) * 1000000000LL + (t.tv_nsec - first.tv_nsec);
  printf("monotonic calls %d distinct %ld span_ns %lld last %lld.%09ld\n", N, distinct, span, (long long)t.tv_sec, t.tv_nsec);
  struct timeval a, b;
  gettimeofday(&a, NULL);
  for (int i = 0; i < N; i++) gettimeofday(&b, NULL);
  printf("gettimeofday first %lld.%06ld last %lld.%06ld\n", (long long)a.tv_sec, (long)a.tv_usec, (long long)b.tv_sec,
         (long)b.tv_usec);
  struct timespec rc;
  clock_gettime(CLOCK_REALTIME_COARSE, &rc);
  printf("time %lld realtime_coarse %lld.%09ld\n", (long long)time(NULL), (long long)rc.tv_sec, rc.tv_nsec);
  return 0;
}
