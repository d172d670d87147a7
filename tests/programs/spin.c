/* An endless loop with no system calls at all (for --timeout: it must be killed, 124). */
#include "common.h"
int main(void) {
  say("spinning forever\n");
  volatile unsigned long x = 0;
  for (;;) x++;
}
