/* Every source of nondeterminism a build commonly reads, printed raw: getrandom,
 * /dev/urandom, the auxv AT_RANDOM bytes, time(), gettimeofday, CLOCK_REALTIME/
 * MONOTONIC/BOOTTIME, the pid/ppid, uname and hostname, and the TSC. Natively everything
 * but uname varies; under det (same --seed, same --epoch) all of it must repeat, and the
 * wall clock must start at the epoch. The first line is `time <seconds>` for the test to
 * compare with --epoch. */
#include "common.h"
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <x86intrin.h>

static void hex(const char *tag, const unsigned char *b, size_t n) {
  char s[128];
  for (size_t i = 0; i < n && i < 60; i++) snprintf(s + 2 * i, 3, "%02x", b[i]);
  say("%s %s\n", tag, s);
}

int main(void) {
  time_t t = time(NULL);
  say("time %lld\n", (long long)t);
  struct timeval tv;
  gettimeofday(&tv, NULL);
  say("gettimeofday %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  say("realtime %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
  clock_gettime(CLOCK_MONOTONIC, &ts);
  say("monotonic %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
  clock_gettime(CLOCK_BOOTTIME, &ts);
  say("boottime %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
  unsigned char b[16];
  if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) FAIL("getrandom");
  hex("getrandom", b, sizeof b);
  int fd = open("/dev/urandom", O_RDONLY);
  if (fd < 0 || read(fd, b, sizeof b) != (ssize_t)sizeof b) FAIL("/dev/urandom");
  close(fd);
  hex("urandom", b, sizeof b);
  const unsigned char *at = (const unsigned char *)getauxval(AT_RANDOM);
  if (at) hex("at_random", at, 16);
  say("pid %d ppid %d\n", (int)getpid(), (int)getppid());
  struct utsname u;
  uname(&u);
  say("uname %s %s %s %s\n", u.sysname, u.nodename, u.release, u.machine);
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  say("hostname %s\n", host);
  unsigned long long t0 = __rdtsc();
  spin_work(1000);
  unsigned long long t1 = __rdtsc();
  say("rdtsc %llu delta %llu\n", t0, t1 - t0);
  return 0;
}
