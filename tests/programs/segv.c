/* Prints a line, then writes through a null pointer: SIGSEGV, exit status 128+11 = 139. */
#include "common.h"
int main(int argc, char **argv) {
  (void)argv;
  say("about to crash\n");
  volatile int *p = (volatile int *)(long)(argc - 1);
  *p = 42;
  return 0;
}
