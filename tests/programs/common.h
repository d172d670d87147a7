/* Shared helpers for the det test programs: unbuffered formatted output straight to a file
 * descriptor with write(2) (one write per line, so lines from concurrent writers interleave
 * whole), and fatal-error helpers. Every program exits 0 on success and prints "FAIL: ..."
 * and exits 1 (or another documented status) when the kernel/tracer misbehaves. */
#ifndef DET_COMMON_H
#define DET_COMMON_H
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>

static inline void fdsay(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void fdsay(int fd, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, (size_t)n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    p += w;
    n -= (int)w;
  }
}
#define say(...) fdsay(1, __VA_ARGS__)

#define FAIL(...)                                                                  \
  do {                                                                             \
    int e_ = errno;                                                                \
    fdsay(1, "FAIL: ");                                                            \
    fdsay(1, __VA_ARGS__);                                                         \
    fdsay(1, " (%s:%d errno=%d %s)\n", __FILE__, __LINE__, e_, strerror(e_));      \
    fdsay(2, "FAIL at %s:%d errno=%d %s\n", __FILE__, __LINE__, e_, strerror(e_)); \
    _exit(1);                                                                      \
  } while (0)

#define CHECK(cond, ...) \
  do {                   \
    if (!(cond)) FAIL(__VA_ARGS__); \
  } while (0)

/* pipe + fork for a reader child: in the child (0 returned) the write end is closed; the
 * parent gets the child's pid and keeps both ends. */
static inline pid_t fork_reader(int p[2]) {
  if (pipe(p) != 0) FAIL("pipe");
  pid_t r = fork();
  if (r < 0) FAIL("fork");
  if (r == 0) close(p[1]);
  return r;
}

/* Sleep for ms milliseconds with nanosleep, restarting on EINTR. */
#include <time.h>
static inline void msleep(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* A little CPU work whose length depends on n, so that concurrent workers finish in an
 * order decided by the scheduler rather than by the program. */
static inline unsigned long spin_work(unsigned long n) {
  volatile unsigned long x = 0;
  for (unsigned long i = 0; i < n; i++) x += i ^ (x >> 3);
  return x;
}

/* The state letter of /proc/PID/stat (R, S, Z, ...), '-' when there is no such process. */
#include <fcntl.h>
static inline char proc_state(pid_t p) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)p);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return '-';
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return '?';
  buf[n] = 0;
  char *rp = strrchr(buf, ')');
  return rp && rp[1] == ' ' ? rp[2] : '?';
}

#endif
