/* pidfd_open + poll + waitid(P_PIDFD): 4 children doing equal work; the parent polls all
 * their pidfds and reaps whichever becomes readable first (the order varies natively).
 * Then pidfd_send_signal(SIGTERM) to a child blocked in pause(). */
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define N 4

static int pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int main(void) {
  struct pollfd pfd[N];
  pid_t pids[N];
  for (int i = 0; i < N; i++) {
    pid_t p = fork();
    if (p < 0) FAIL("fork");
    if (p == 0) {
      spin_work(300000);
      _exit(30 + i);
    }
    pids[i] = p;
    pfd[i].fd = pidfd_open(p);
    if (pfd[i].fd < 0) FAIL("pidfd_open");
    pfd[i].events = POLLIN;
  }
  int left = N;
  while (left > 0) {
    int n = poll(pfd, N, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      FAIL("poll");
    }
    for (int i = 0; i < N; i++) {
      if (pfd[i].fd < 0 || !(pfd[i].revents & POLLIN)) continue;
      siginfo_t si;
      memset(&si, 0, sizeof si);
      if (waitid((idtype_t)P_PIDFD, (id_t)pfd[i].fd, &si, WEXITED) != 0) FAIL("waitid P_PIDFD");
      CHECK(si.si_pid == pids[i] && si.si_status == 30 + i, "child %d status %d", i, si.si_status);
      say("pidfd %d readable: child %d exit %d\n", i, i, si.si_status);
      close(pfd[i].fd);
      pfd[i].fd = -1;
      left--;
    }
  }
  pid_t p = fork();
  if (p < 0) FAIL("fork");
  if (p == 0) {
    for (;;) pause();
  }
  int fd = pidfd_open(p);
  if (fd < 0) FAIL("pidfd_open");
  struct pollfd one = {fd, POLLIN, 0};
  CHECK(poll(&one, 1, 0) == 0, "pidfd readable before the child exited");
  if (syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0) != 0) FAIL("pidfd_send_signal");
  CHECK(poll(&one, 1, -1) == 1 && (one.revents & POLLIN), "poll after SIGTERM");
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (waitid((idtype_t)P_PIDFD, (id_t)fd, &si, WEXITED) != 0) FAIL("waitid");
  CHECK(si.si_code == CLD_KILLED && si.si_status == SIGTERM, "code %d status %d", si.si_code, si.si_status);
  say("pidfd_send_signal: child killed by signal %d\n", si.si_status);
  return 0;
}
