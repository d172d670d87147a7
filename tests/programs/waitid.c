/* waitid(2) in its forms: P_ALL collection order of 4 racing children (varies natively),
 * WNOHANG on a running child, WNOWAIT peeking then reaping, WSTOPPED/WCONTINUED of a child
 * that stops itself with SIGSTOP, P_PGID, and CLD_KILLED for a child killed by SIGKILL. */
#include "common.h"
#include <signal.h>
#include <sys/wait.h>

static void zero(siginfo_t *si) { memset(si, 0, sizeof *si); }

int main(void) {
  siginfo_t si;
  /* 1. P_ALL */
  pid_t pids[4];
  for (int i = 0; i < 4; i++) {
    pid_t p = fork();
    if (p < 0) FAIL("fork");
    if (p == 0) {
      spin_work(200000);
      _exit(i + 1);
    }
    pids[i] = p;
  }
  for (int k = 0; k < 4; k++) {
    zero(&si);
    if (waitid(P_ALL, 0, &si, WEXITED) != 0) FAIL("waitid P_ALL");
    int idx = -1;
    for (int i = 0; i < 4; i++)
      if (pids[i] == si.si_pid) idx = i;
    CHECK(idx >= 0 && si.si_code == CLD_EXITED && si.si_status == idx + 1, "P_ALL got pid %d code %d status %d",
          si.si_pid, si.si_code, si.si_status);
    say("P_ALL: child %d status %d\n", idx, si.si_status);
  }

  /* 2. WNOHANG + WNOWAIT */
  int fds[2];
  if (pipe(fds) != 0) FAIL("pipe");
  pid_t c = fork();
  if (c < 0) FAIL("fork");
  if (c == 0) {
    char b;
    close(fds[1]);
    ssize_t n = read(fds[0], &b, 1);
    _exit(n == 0 ? 6 : 66);
  }
  close(fds[0]);
  zero(&si);
  if (waitid(P_PID, (id_t)c, &si, WEXITED | WNOHANG) != 0) FAIL("waitid WNOHANG");
  CHECK(si.si_pid == 0, "WNOHANG reported pid %d while the child is blocked", si.si_pid);
  say("WNOHANG: nothing yet\n");
  close(fds[1]);
  zero(&si);
  if (waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT) != 0) FAIL("waitid WNOWAIT");
  CHECK(si.si_pid == c && si.si_status == 6, "WNOWAIT status %d", si.si_status);
  zero(&si);
  if (waitid(P_PID, (id_t)c, &si, WEXITED) != 0) FAIL("waitid after WNOWAIT");
  CHECK(si.si_pid == c && si.si_status == 6, "reap status %d", si.si_status);
  say("WNOWAIT then reap: status %d\n", si.si_status);

  /* 3. WSTOPPED / WCONTINUED. The child waits, once continued, until the parent has seen
     it continued: had it exited first, there would be no continued child left to report
     (a race that failed natively once). */
  int hold[2];
  if (pipe(hold) != 0) FAIL("pipe");
  c = fork();
  if (c < 0) FAIL("fork");
  if (c == 0) {
    close(hold[1]);
    raise(SIGSTOP);
    char b;
    while (read(hold[0], &b, 1) > 0) {
    }
    _exit(9);
  }
  close(hold[0]);
  zero(&si);
  if (waitid(P_PID, (id_t)c, &si, WSTOPPED) != 0) FAIL("waitid WSTOPPED");
  CHECK(si.si_code == CLD_STOPPED && si.si_status == SIGSTOP, "stopped: code %d status %d", si.si_code,
        si.si_status);
  say("WSTOPPED: code CLD_STOPPED signal %d\n", si.si_status);
  if (kill(c, SIGCONT) != 0) FAIL("kill SIGCONT");
  zero(&si);
  if (waitid(P_PID, (id_t)c, &si, WCONTINUED) != 0) FAIL("waitid WCONTINUED");
  CHECK(si.si_code == CLD_CONTINUED, "continued: code %d", si.si_code);
  say("WCONTINUED: code CLD_CONTINUED\n");
  close(hold[1]);
  zero(&si);
  if (waitid(P_PID, (id_t)c, &si, WEXITED) != 0) FAIL("waitid WEXITED");
  CHECK(si.si_code == CLD_EXITED && si.si_status == 9, "exit status %d", si.si_status);
  say("after continue: exit %d\n", si.si_status);

  /* 4. P_PGID */
  c = fork();
  if (c < 0) FAIL("fork");
  if (c == 0) {
    setpgid(0, 0);
    _exit(12);
  }
  setpgid(c, c); /* either of the two calls wins; both make the same group */
  zero(&si);
  if (waitid(P_PGID, (id_t)c, &si, WEXITED) != 0) FAIL("waitid P_PGID");
  CHECK(si.si_pid == c && si.si_status == 12, "P_PGID status %d", si.si_status);
  say("P_PGID: status %d\n", si.si_status);

  /* 5. CLD_KILLED */
  c = fork();
  if (c < 0) FAIL("fork");
  if (c == 0) {
    kill(getpid(), SIGKILL);
    _exit(1);
  }
  zero(&si);
  if (waitid(P_PID, (id_t)c, &si, WEXITED) != 0) FAIL("waitid killed");
  CHECK(si.si_code == CLD_KILLED && si.si_status == SIGKILL, "killed: code %d status %d", si.si_code,
        si.si_status);
  say("CLD_KILLED: signal %d\n", si.si_status);
  errno = 0;
  CHECK(waitid(P_ALL, 0, &si, WEXITED) < 0 && errno == ECHILD, "expected ECHILD");
  say("ECHILD at the end\n");
  return 0;
}
