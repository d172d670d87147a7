// Timestamps set and read back: a file written later is newer; utimensat(UTIME_NOW),
// futimens with an explicit time, utimes(NULL), and UTIME_OMIT keeping what was there.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void mk(const char *n) {
  int fd = open(n, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  write(fd, n, 1);
  close(fd);
}

static void show(const char *what, const char *n) {
  struct stat s;
  stat(n, &s);
  printf("%s: %s atime %lld.%09ld mtime %lld.%09ld\n", what, n, (long long)s.st_atim.tv_sec, s.st_atim.tv_nsec,
         (long long)s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
}

static long long mtime_ns(const char *n) {
  struct stat s;
  stat(n, &s);
  return s.st_mtim.tv_sec * 1000000000LL + s.st_mtim.tv_nsec;
}

int main(void) {
  mk("first");
  struct timespec pause = {0, 10000000};
  nanosleep(&pause, NULL);
  mk("second");
  show("created", "first");
  show("created", "second");
  printf("second newer than first: %s\n", mtime_ns("second") > mtime_ns("first") ? "yes" : "no");
  struct timespec now_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
  utimensat(AT_FDCWD, "first", now_omit, 0);
  show("atime now, mtime omitted", "first");
  int fd = open("second", O_RDONLY);
  struct timespec fixed[2] = {{1000000000, 123456789}, {1234567890, 987654321}};
  futimens(fd, fixed);
  close(fd);
  show("futimens explicit", "second");
  utimes("second", NULL);
  show("utimes NULL", "second");
  printf("first newer than tree/alpha: %s\n", mtime_ns("first") > mtime_ns("tree/alpha") ? "yes" : "no");
  return 0;
}
