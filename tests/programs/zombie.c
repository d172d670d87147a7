/* Zombies: children exit while the parent is not waiting; the parent sees them in state Z
 * in /proc/PID/stat, peeks with waitid(WNOWAIT) (still a zombie), reaps them with
 * waitpid in reverse order (then /proc/PID is gone); then with SIGCHLD set to SIG_IGN
 * children are reaped automatically and wait() fails with ECHILD. */
#include "common.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#define N 3


int main(void) {
  pid_t pids[N];
  int fds[N][2];
  for (int i = 0; i < N; i++) {
    if (pipe(fds[i]) != 0) FAIL("pipe");
    pid_t p = fork();
    if (p < 0) FAIL("fork");
    if (p == 0) {
      close(fds[i][0]);
      _exit(20 + i); /* the write end closes when the process dies */
    }
    close(fds[i][1]);
    pids[i] = p;
  }
  for (int i = 0; i < N; i++) {
    char b;
    CHECK(read(fds[i][0], &b, 1) == 0, "expected EOF from child %d", i);
    /* EOF comes when the files are closed, a moment before the task becomes a zombie */
    char s = '?';
    for (int tries = 0; tries < 10000 && (s = proc_state(pids[i])) != 'Z'; tries++) sched_yield();
    CHECK(s == 'Z', "child %d state %c, expected Z", i, s);
    say("child %d is a zombie\n", i);
  }
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (waitid(P_PID, (id_t)pids[0], &si, WEXITED | WNOWAIT) != 0) FAIL("waitid WNOWAIT");
  CHECK(si.si_status == 20 && proc_state(pids[0]) == 'Z', "WNOWAIT must leave a zombie");
  say("WNOWAIT peek: status %d, still a zombie\n", si.si_status);
  for (int i = N - 1; i >= 0; i--) {
    int st;
    if (waitpid(pids[i], &st, 0) != pids[i]) FAIL("waitpid");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 20 + i, "status");
    CHECK(proc_state(pids[i]) == '-', "child %d still in /proc after reaping", i);
    say("reaped child %d exit %d, gone from /proc\n", i, WEXITSTATUS(st));
  }

  signal(SIGCHLD, SIG_IGN);
  for (int i = 0; i < N; i++) {
    pid_t p = fork();
    if (p < 0) FAIL("fork");
    if (p == 0) _exit(1);
  }
  int st;
  errno = 0;
  pid_t w = wait(&st); /* blocks until all children are gone, then ECHILD */
  CHECK(w < 0 && errno == ECHILD, "SIG_IGN: wait returned %d errno %d", (int)w, errno);
  say("SIGCHLD ignored: children auto-reaped, wait gave ECHILD\n");
  return 0;
}
