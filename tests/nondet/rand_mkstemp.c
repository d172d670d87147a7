// Names glibc makes up for temporary files and directories: mkstemp, mkdtemp, mkstemps.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
  for (int i = 0; i < 3; i++) {
    char t[] = "tmp-XXXXXX";
    int fd = mkstemp(t);
    close(fd);
    printf("mkstemp %s\n", t);
  }
  char d[] = "dir-XXXXXX";
  printf("mkdtemp %s\n", mkdtemp(d));
  char s[] = "suf-XXXXXX.c";
  close(mkstemps(s, 2));
  printf("mkstemps %s\n", s);
  return 0;
}
