/* SIGKILL to a whole process group of parked children at once (kill(-pgid, SIGKILL)).
 * Right after kill() returns the parent counts, with waitpid(WNOHANG), the children already
 * reaped: under det every one of them, in every run (their deaths are collected before the
 * sender goes on); natively it depends on timing.
 *
 * The children run on another CPU than the parent (when there are two): woken by the
 * SIGKILL there, they can reach their exit stops before det meets the sender's own exit
 * stop, the order that once made det skip them. Run it with DET_TEST_WAIT_DELAY_US set to
 * give them that head start every time. */
#include "common.h"
#include <signal.h>
#include <sys/wait.h>

#define N 16

static void run_on_cpu(int cpu) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  sched_setaffinity(0, sizeof one, &one); /* EINVAL on a one-CPU machine: stays put */
}

int main(void) {
  int p[2];
  if (pipe(p) != 0) FAIL("pipe");
  pid_t pgid = 0;
  for (int i = 0; i < N; i++) {
    pid_t c = fork();
    if (c < 0) FAIL("fork");
    if (c == 0) {
      char ch;
      close(p[1]);
      run_on_cpu(1);
      if (read(p[0], &ch, 1) < 0) _exit(2); /* parked: nothing is ever written */
      _exit(0);
    }
    if (i == 0) pgid = c;
    if (setpgid(c, pgid) != 0) FAIL("setpgid");
  }
  run_on_cpu(0);
  /* let every child reach its read */
  for (int i = 0; i < 20 * N; i++) sched_yield();
  if (kill(-pgid, SIGKILL) != 0) FAIL("kill");
  int reaped = 0;
  for (;;) {
    int st;
    pid_t r = waitpid(-pgid, &st, WNOHANG);
    if (r <= 0) break;
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) FAIL("child %d: status 0x%x", r, st);
    reaped++;
  }
  say("reaped at once: %d of %d\n", reaped, N);
  while (waitpid(-pgid, NULL, 0) > 0) {
  }
  return 0;
}
