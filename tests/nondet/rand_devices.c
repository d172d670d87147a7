// Bytes read from /dev/urandom and /dev/random (open+read, and through stdio).
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static void dev(const char *path) {
  unsigned char b[16];
  int fd = open(path, O_RDONLY);
  long n = read(fd, b, sizeof b);
  close(fd);
  printf("%s ", path);
  for (long i = 0; i < n; i++) printf("%02x", b[i]);
  printf("\n");
}

int main(void) {
  dev("/dev/urandom");
  dev("/dev/random");
  dev("/dev/urandom");
  FILE *f = fopen("/dev/urandom", "r");
  unsigned v;
  fread(&v, sizeof v, 1, f);
  fclose(f);
  printf("stdio /dev/urandom %08x\n", v);
  return 0;
}
