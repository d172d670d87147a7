// gettimeofday (with the obsolete timezone argument), time(), and the local time they give.
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

int main(void) {
  struct timeval tv;
  struct timezone tz;
  gettimeofday(&tv, &tz);
  time_t t = time(NULL);
  time_t t2;
  time(&t2);
  printf("gettimeofday %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
  printf("timezone %d %d\n", tz.tz_minuteswest, tz.tz_dsttime);
  printf("time %lld %lld\n", (long long)t, (long long)t2);
  char buf[64];
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", &tm);
  printf("localtime %s\n", buf);
  printf("ctime %s", ctime(&t));
  return 0;
}
