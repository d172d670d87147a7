/* Fork 8 children that do the same amount of work and exit with codes 10..17; the parent
 * collects them with waitpid(-1), so the order it prints is the order in which they
 * finished (varies natively). Each line names the child's index, its pid and exit code. */
#include "common.h"
#include <sys/wait.h>

#define N 8

int main(void) {
  pid_t pids[N];
  for (int i = 0; i < N; i++) {
    pid_t p = fork();
    if (p < 0) FAIL("fork");
    if (p == 0) {
      spin_work(300000);
      _exit(10 + i);
    }
    pids[i] = p;
  }
  for (int k = 0; k < N; k++) {
    int st;
    pid_t p = waitpid(-1, &st, 0);
    if (p < 0) FAIL("waitpid");
    int idx = -1;
    for (int i = 0; i < N; i++)
      if (pids[i] == p) idx = i;
    CHECK(idx >= 0, "unknown child %d", (int)p);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 10 + idx, "child %d status %#x", idx, st);
    say("reaped child %d pid %d code %d\n", idx, (int)p, WEXITSTATUS(st));
  }
  errno = 0;
  CHECK(waitpid(-1, NULL, 0) < 0 && errno == ECHILD, "expected ECHILD");
  say("parent pid %d done\n", (int)getpid());
  return 0;
}
