/* epoll on pipes from 3 racing writer processes (arrival order varies natively), using
 * epoll_wait, epoll_pwait and epoll_pwait2 (raw syscall, timespec timeout) in turn;
 * timeouts that expire; EPOLLET and EPOLLONESHOT semantics; epoll_pwait interrupted by a
 * signal its mask unblocks. */
#include "writers.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

#define N 3
#define MSGS 5
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static volatile sig_atomic_t got;
static void on_usr1(int s) { got = s; }

static int pwait2(int ep, struct epoll_event *ev, int max, const struct timespec *ts, const sigset_t *mask) {
  return (int)syscall(SYS_epoll_pwait2, ep, ev, max, ts, mask, mask ? 8 : 0);
}

int main(void) {
  int rfd[N];
  pid_t pid[N];
  start_writers(N, MSGS, rfd, pid);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) FAIL("epoll_create1");
  for (int i = 0; i < N; i++) {
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, rfd[i], &ev) != 0) FAIL("epoll_ctl");
  }
  int open_fds = N, round = 0;
  while (open_fds > 0) {
    struct epoll_event evs[N];
    int n;
    switch (round++ % 3) {
      case 0: n = epoll_wait(ep, evs, N, -1); break;
      case 1: n = epoll_pwait(ep, evs, N, -1, NULL); break;
      default: n = pwait2(ep, evs, N, NULL, NULL); break;
    }
    if (n < 0) FAIL("epoll wait");
    for (int k = 0; k < n; k++) {
      int i = (int)evs[k].data.u32;
      if (drain_one("epoll", i, rfd[i]) == 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, rfd[i], NULL);
        close(rfd[i]);
        open_fds--;
      }
    }
  }
  reap_writers(N, pid);

  int p[2];
  if (pipe(p) != 0) FAIL("pipe");
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = 99};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0) FAIL("epoll_ctl");
  struct epoll_event out[2];
  CHECK(epoll_wait(ep, out, 2, 0) == 0, "epoll_wait(0) empty");
  CHECK(epoll_wait(ep, out, 2, 25) == 0, "epoll_wait(25ms) timeout");
  struct timespec ts = {0, 30 * 1000000};
  CHECK(pwait2(ep, out, 2, &ts, NULL) == 0, "epoll_pwait2 timeout");
  say("epoll_wait(0), epoll_wait(25ms), epoll_pwait2(30ms) on an empty pipe: 0\n");
  if (write(p[1], "xy", 2) != 2) FAIL("write");
  CHECK(epoll_wait(ep, out, 2, -1) == 1 && out[0].data.u32 == 99, "edge");
  CHECK(epoll_wait(ep, out, 2, 0) == 0, "EPOLLET: no second report without new data");
  if (write(p[1], "z", 1) != 1) FAIL("write");
  CHECK(epoll_wait(ep, out, 2, 0) == 1, "EPOLLET: new data, new edge");
  say("EPOLLET: one event per edge\n");
  char buf[8];
  CHECK(read(p[0], buf, sizeof buf) == 3, "read 3");
  ev.events = EPOLLIN | EPOLLONESHOT;
  if (epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) != 0) FAIL("epoll_ctl MOD");
  if (write(p[1], "a", 1) != 1) FAIL("write");
  CHECK(epoll_wait(ep, out, 2, 0) == 1, "oneshot first");
  CHECK(epoll_wait(ep, out, 2, 0) == 0, "oneshot disarmed");
  say("EPOLLONESHOT: disarmed after one event\n");
  CHECK(read(p[0], buf, sizeof buf) == 1, "read 1");

  signal(SIGUSR1, on_usr1);
  sigset_t block, unblock;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, NULL);
  sigemptyset(&unblock);
  ev.events = EPOLLIN;
  epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
  pid_t parent = getpid();
  pid_t c = fork();
  if (c < 0) FAIL("fork");
  if (c == 0) {
    msleep(20);
    kill(parent, SIGUSR1);
    _exit(0);
  }
  errno = 0;
  int r = epoll_pwait(ep, out, 2, -1, &unblock);
  CHECK(r < 0 && errno == EINTR && got == SIGUSR1, "epoll_pwait with sigmask: r=%d", r);
  waitpid(c, NULL, 0);
  say("epoll_pwait interrupted by SIGUSR1: EINTR\n");
  return 0;
}
