// getrandom(2) with each flag, and getentropy(3).
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/random.h>
#include <unistd.h>

static void hex(const char *what, const unsigned char *b, long n) {
  printf("%s", what);
  for (long i = 0; i < n; i++) printf("%02x", b[i]);
  printf("\n");
}

int main(void) {
  unsigned char b[16];
  long n = getrandom(b, sizeof b, 0);
  hex("getrandom ", b, n);
  n = getrandom(b, sizeof b, GRND_NONBLOCK);
  hex("getrandom nonblock ", b, n);
  n = getrandom(b, sizeof b, GRND_RANDOM);
  hex("getrandom random ", b, n);
  n = getrandom(b, sizeof b, 0x0004 /* GRND_INSECURE */);
  hex("getrandom insecure ", b, n);
  getentropy(b, sizeof b);
  hex("getentropy ", b, 16);
  return 0;
}
