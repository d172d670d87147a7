// CPU time and resource usage: times(), getrusage (self, children, thread) and wait4's
// rusage, after burning some CPU here and in a child.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile unsigned long sink;

static void burn(unsigned long n) {
  unsigned long x = 1;
  for (unsigned long i = 0; i < n; i++) x = x * 6364136223846793005UL + i;
  sink = x;
  char *p = malloc(4 << 20);
  for (int i = 0; i < (4 << 20); i += 4096) p[i] = (char)i;
  sink += (unsigned char)p[8192];
  free(p);
}

static void ru(const char *what, const struct rusage *r) {
  printf("%s utime %ld.%06ld stime %ld.%06ld maxrss %ld minflt %ld majflt %ld nvcsw %ld nivcsw %ld\n", what,
         (long)r->ru_utime.tv_sec, (long)r->ru_utime.tv_usec, (long)r->ru_stime.tv_sec, (long)r->ru_stime.tv_usec,
         r->ru_maxrss, r->ru_minflt, r->ru_majflt, r->ru_nvcsw, r->ru_nivcsw);
}

int main(void) {
  burn(30000000);
  pid_t c = fork();
  if (c == 0) {
    burn(20000000);
    _exit(0);
  }
  int st;
  struct rusage r;
  wait4(c, &st, 0, &r);
  ru("wait4", &r);
  struct tms t;
  clock_t now = times(&t);
  printf("times ret %ld utime %ld stime %ld cutime %ld cstime %ld\n", (long)now, (long)t.tms_utime, (long)t.tms_stime,
         (long)t.tms_cutime, (long)t.tms_cstime);
  getrusage(RUSAGE_SELF, &r);
  ru("self", &r);
  getrusage(RUSAGE_CHILDREN, &r);
  ru("children", &r);
  getrusage(RUSAGE_THREAD, &r);
  ru("thread", &r);
  return 0;
}
