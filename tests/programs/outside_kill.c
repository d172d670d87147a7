/* A child parked in a read det holds (nothing is ever written) is killed from outside the
 * sandbox (the test sends SIGKILL from the host, as the OOM killer or a user would) while
 * its parent waits for it and nothing else can run. The parent must see it die: det once
 * sat in poll() on the child's pipe until the run's --timeout. */
#include "common.h"
#include <sys/wait.h>

int main(void) {
  int p[2];
  pid_t c = fork_reader(p);
  if (c == 0) {
    char ch;
    say("child waiting\n");
    if (read(p[0], &ch, 1) < 0) _exit(2);
    _exit(0);
  }
  int st;
  if (waitpid(c, &st, 0) != c) FAIL("waitpid");
  say("child ended by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  return 0;
}
