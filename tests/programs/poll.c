/* poll/ppoll on pipes from 3 racing writer processes (the order in which their messages
 * arrive varies natively); poll with a 0 timeout on an empty pipe; ppoll that times out;
 * ppoll that is interrupted by a signal it unblocks (EINTR). */
#include "writers.h"
#include <poll.h>
#include <signal.h>

#define N 3
#define MSGS 5

static volatile sig_atomic_t got;
static void on_usr1(int s) { got = s; }

int main(void) {
  int rfd[N];
  pid_t pid[N];
  start_writers(N, MSGS, rfd, pid);
  struct pollfd pfd[N];
  for (int i = 0; i < N; i++) pfd[i] = (struct pollfd){rfd[i], POLLIN, 0};
  int open_fds = N;
  while (open_fds > 0) {
    int r = poll(pfd, N, -1);
    if (r < 0) FAIL("poll");
    for (int i = 0; i < N; i++) {
      if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP))) continue;
      if (drain_one("poll", i, pfd[i].fd) == 0) {
        close(pfd[i].fd);
        pfd[i].fd = -1;
        open_fds--;
      }
    }
  }
  reap_writers(N, pid);

  int p[2];
  if (pipe(p) != 0) FAIL("pipe");
  struct pollfd one = {p[0], POLLIN, 0};
  CHECK(poll(&one, 1, 0) == 0, "poll(0) on an empty pipe");
  struct timespec ts = {0, 30 * 1000000};
  CHECK(ppoll(&one, 1, &ts, NULL) == 0, "ppoll timeout");
  say("poll(0) and ppoll(30ms) on an empty pipe: 0\n");

  signal(SIGUSR1, on_usr1);
  sigset_t block, unblock;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, NULL);
  sigemptyset(&unblock);
  pid_t parent = getpid();
  pid_t c = fork();
  if (c < 0) FAIL("fork");
  if (c == 0) {
    msleep(20);
    kill(parent, SIGUSR1);
    _exit(0);
  }
  errno = 0;
  int r = ppoll(&one, 1, NULL, &unblock);
  CHECK(r < 0 && errno == EINTR && got == SIGUSR1, "ppoll with sigmask: r=%d got=%d", r, (int)got);
  waitpid(c, NULL, 0);
  say("ppoll interrupted by SIGUSR1: EINTR\n");
  return 0;
}
