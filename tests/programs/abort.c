/* Prints a line, then abort(): killed by SIGABRT, the exit status must be 128+6 = 134. */
#include "common.h"
int main(void) {
  say("about to abort\n");
  abort();
}
