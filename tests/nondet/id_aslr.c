// Addresses a program can print, which ASLR moves around: heap (brk and mmap-sized
// mallocs), stack, code (PIE), libc, TLS, an anonymous mmap, the program break.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
  int local = 0;
  void *small = malloc(16);
  void *big = malloc(1 << 20);
  void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("malloc(16) %p\n", small);
  printf("malloc(1M) %p\n", big);
  printf("stack %p\n", (void *)&local);
  printf("main %p\n", (void *)main);
  printf("printf %p\n", (void *)printf);
  printf("errno %p\n", (void *)&errno);
  printf("mmap %p\n", m);
  printf("sbrk %p\n", sbrk(0));
  free(small);
  free(big);
  return 0;
}
