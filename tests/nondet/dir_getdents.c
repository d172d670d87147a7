// Raw getdents64 with a small buffer (so it takes several calls) on tree/ and tree/nested:
// names in the order the kernel returns them, and how many entries each call returned.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

struct linux_dirent64 {
  unsigned long long d_ino;
  long long d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

static void list(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY);
  char buf[160] __attribute__((aligned(8)));
  int call = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n <= 0) break;
    int count = 0;
    for (long off = 0; off < n;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
      printf("%s: %s\n", path, d->d_name);
      off += d->d_reclen;
      count++;
    }
    printf("%s: call %d returned %d entries\n", path, call++, count);
  }
  close(fd);
}

int main(void) {
  list("tree");
  list("tree/nested");
  return 0;
}
