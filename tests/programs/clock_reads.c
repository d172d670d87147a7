/* Clock reads through the vDSO, which det answers in the process (policy/vclock.cc): many
 * reads of the monotonic clock, some as direct syscalls, must never go backwards; the wall
 * clock keeps its offset; a forked child continues the clock; threads see one clock; a
 * busy wait on the clock ends; coarse clocks (still syscalls) keep their resolution.
 * Usage: clock_reads N. Prints a summary whose values are the same every run under det. */
#include "common.h"
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static long long ns(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}
static long long sys_ns(clockid_t c) {
  struct timespec t;
  syscall(SYS_clock_gettime, c, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long last_thread_read;
static void *reader(void *arg) {
  long long prev = *(long long *)arg, bad = 0;
  for (int i = 0; i < 10000; i++) {
    long long v = ns(CLOCK_MONOTONIC);
    if (v <= prev) bad++;
    prev = v;
  }
  last_thread_read = prev;
  return (void *)(long)bad;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  long long prev = 0, backwards = 0;
  for (long i = 0; i < n; i++) {
    long long v = (i % 100 == 7) ? sys_ns(CLOCK_MONOTONIC) : ns(i % 3 ? CLOCK_MONOTONIC : CLOCK_BOOTTIME);
    if (v <= prev) backwards++;
    prev = v;
  }
  long long mono = ns(CLOCK_MONOTONIC), real = ns(CLOCK_REALTIME), mono2 = ns(CLOCK_MONOTONIC);
  int offset_ok = real - mono > 0 && mono2 > mono;

  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  long long before_fork = ns(CLOCK_MONOTONIC);
  pid_t p = fork();
  if (p == 0) {
    long long c = ns(CLOCK_MONOTONIC);
    write(fds[1], &c, sizeof c);
    _exit(0);
  }
  long long child = 0;
  read(fds[0], &child, sizeof child);
  waitpid(p, NULL, 0);
  long long after_child = ns(CLOCK_MONOTONIC);

  pthread_t th;
  long long start_thread = ns(CLOCK_MONOTONIC);
  void *thread_bad;
  pthread_create(&th, NULL, reader, &start_thread);
  pthread_join(th, &thread_bad);
  long long after_thread = ns(CLOCK_MONOTONIC);

  long long start = ns(CLOCK_MONOTONIC);
  long spins = 0;
  while (ns(CLOCK_MONOTONIC) - start < 2000000000LL) spins++; /* a 2 s busy wait */

  long long coarse = ns(CLOCK_MONOTONIC_COARSE);
  fdsay(1, "backwards=%lld offset_ok=%d child_later=%d after_child=%d thread_backwards=%ld after_thread=%d waited=%d coarse_ok=%d\n",
        backwards, offset_ok, child > before_fork, after_child > child, (long)thread_bad, after_thread > last_thread_read,
        spins > 0, coarse % 1000000 == 0);
  fdsay(1, "values: last=%lld real=%lld child=%lld end=%lld\n", prev, real, child, ns(CLOCK_MONOTONIC));
  return 0;
}
