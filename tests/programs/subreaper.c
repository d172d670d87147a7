/* Orphans under a subreaper (prctl PR_SET_CHILD_SUBREAPER), as build sandboxes and init
 * shims use it. The main process is the subreaper; a middle process forks children and
 * exits, so the kernel gives them to main.
 * 1. The children asked for SIGKILL at their parent's death (PR_SET_PDEATHSIG) and wait on a
 *    pipe, on another CPU when there are two: they die as the middle process exits. Right
 *    after reaping the middle process, main counts with waitpid(WNOHANG) the orphans already
 *    dead: under det all of them, every run (natively: by timing).
 * 2. A child that outlives its parent and then exits on its own (status 7): main's blocking
 *    waitpid(-1) must wake for it; det once counted the orphan's death as its dead parent's
 *    and main waited for ever (a "deadlock"). */
#include "common.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#define N 8

int main(void) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) FAIL("PR_SET_CHILD_SUBREAPER");
  int p[2];
  if (pipe(p) != 0) FAIL("pipe");
  pid_t mid = fork();
  if (mid < 0) FAIL("fork");
  if (mid == 0) {
    for (int i = 0; i < N; i++) {
      pid_t c = fork();
      if (c < 0) FAIL("fork");
      if (c == 0) {
        char ch;
        cpu_set_t one;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(p[1]);
        CPU_ZERO(&one);
        CPU_SET(1, &one);
        sched_setaffinity(0, sizeof one, &one); /* EINVAL on one CPU: stays put */
        if (read(p[0], &ch, 1) < 0) _exit(2);  /* nothing is ever written */
        _exit(0);
      }
    }
    for (int i = 0; i < 20 * N; i++) sched_yield(); /* every child reaches its read */
    _exit(0);
  }
  int st;
  if (waitpid(mid, &st, 0) != mid) FAIL("waitpid(mid)");
  int reaped = 0;
  while (waitpid(-1, &st, WNOHANG) > 0) {
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) FAIL("orphan status 0x%x", st);
    reaped++;
  }
  say("pdeathsig orphans dead at once: %d of %d\n", reaped, N);
  while (waitpid(-1, &st, 0) > 0) {
  }

  mid = fork();
  if (mid < 0) FAIL("fork");
  if (mid == 0) {
    pid_t c = fork();
    if (c < 0) FAIL("fork");
    if (c == 0) {
      struct timespec ts = {0, 20 * 1000 * 1000};
      nanosleep(&ts, NULL);
      _exit(7);
    }
    _exit(0);
  }
  if (waitpid(mid, &st, 0) != mid) FAIL("waitpid(mid)");
  pid_t r = waitpid(-1, &st, 0);
  if (r <= 0) FAIL("waitpid(-1)");
  say("orphan that exits later: %s, status %d\n", r == mid ? "mid again?" : "reaped by main",
      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  return 0;
}
