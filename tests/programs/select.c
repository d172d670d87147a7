/* select/pselect6 on pipes from 3 racing writer processes (arrival order varies
 * natively); select with a zero timeval; pselect that times out; pselect interrupted by a
 * signal that its mask unblocks. */
#include "writers.h"
#include <signal.h>
#include <sys/select.h>

#define N 3
#define MSGS 5

static volatile sig_atomic_t got;
static void on_usr1(int s) { got = s; }

int main(void) {
  int rfd[N];
  pid_t pid[N];
  start_writers(N, MSGS, rfd, pid);
  int open_fds = N;
  int use_pselect = 0;
  while (open_fds > 0) {
    fd_set rs;
    FD_ZERO(&rs);
    int maxfd = -1;
    for (int i = 0; i < N; i++)
      if (rfd[i] >= 0) {
        FD_SET(rfd[i], &rs);
        if (rfd[i] > maxfd) maxfd = rfd[i];
      }
    int r = use_pselect ? pselect(maxfd + 1, &rs, NULL, NULL, NULL, NULL) : select(maxfd + 1, &rs, NULL, NULL, NULL);
    if (r < 0) FAIL("select");
    use_pselect = !use_pselect;
    for (int i = 0; i < N; i++) {
      if (rfd[i] < 0 || !FD_ISSET(rfd[i], &rs)) continue;
      if (drain_one("select", i, rfd[i]) == 0) {
        close(rfd[i]);
        rfd[i] = -1;
        open_fds--;
      }
    }
  }
  reap_writers(N, pid);

  int p[2];
  if (pipe(p) != 0) FAIL("pipe");
  fd_set rs;
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  struct timeval tv = {0, 0};
  CHECK(select(p[0] + 1, &rs, NULL, NULL, &tv) == 0, "select zero timeout");
  FD_SET(p[0], &rs);
  struct timespec ts = {0, 30 * 1000000};
  CHECK(pselect(p[0] + 1, &rs, NULL, NULL, &ts, NULL) == 0, "pselect timeout");
  FD_SET(p[0], &rs);
  tv = (struct timeval){0, 25000};
  CHECK(select(p[0] + 1, &rs, NULL, NULL, &tv) == 0, "select timeout");
  say("select(0), pselect(30ms), select(25ms) on an empty pipe: 0\n");
  /* the write side is ready at once */
  fd_set ws;
  FD_ZERO(&ws);
  FD_SET(p[1], &ws);
  CHECK(select(p[1] + 1, NULL, &ws, NULL, NULL) == 1 && FD_ISSET(p[1], &ws), "pipe write end ready");
  say("select: write end ready\n");

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
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  errno = 0;
  int r = pselect(p[0] + 1, &rs, NULL, NULL, NULL, &unblock);
  CHECK(r < 0 && errno == EINTR && got == SIGUSR1, "pselect with sigmask: r=%d", r);
  waitpid(c, NULL, 0);
  say("pselect interrupted by SIGUSR1: EINTR\n");
  return 0;
}
