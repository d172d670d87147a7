/* Timers that deliver later: setitimer(ITIMER_REAL) waited for in sigsuspend, a POSIX
 * timer_create(SIGEV_SIGNAL) periodic timer counted to 3, a timerfd read (blocking) and
 * polled, and alarm(). The number of expirations a timerfd read reports depends on how
 * late the reader is (varies natively with load). */
#include "common.h"
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>

static volatile sig_atomic_t alrm, rt;
static void on_alrm(int s) { (void)s; alrm++; }
static void on_rt(int s) { (void)s; rt++; }

int main(void) {
  sigset_t block, empty;
  sigemptyset(&empty);
  sigemptyset(&block);
  sigaddset(&block, SIGALRM);
  sigaddset(&block, SIGRTMIN);
  sigprocmask(SIG_BLOCK, &block, NULL);
  signal(SIGALRM, on_alrm);
  signal(SIGRTMIN, on_rt);

  struct itimerval it = {{0, 0}, {0, 40000}};
  if (setitimer(ITIMER_REAL, &it, NULL) != 0) FAIL("setitimer");
  while (alrm < 1) sigsuspend(&empty);
  say("setitimer: SIGALRM after 40ms\n");

  timer_t tid;
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGRTMIN;
  if (timer_create(CLOCK_MONOTONIC, &sev, &tid) != 0) FAIL("timer_create");
  struct itimerspec its = {{0, 20000000}, {0, 20000000}};
  if (timer_settime(tid, 0, &its, NULL) != 0) FAIL("timer_settime");
  while (rt < 3) sigsuspend(&empty);
  timer_delete(tid);
  say("timer_create: 3 periodic expirations\n");

  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (tfd < 0) FAIL("timerfd_create");
  its = (struct itimerspec){{0, 10000000}, {0, 30000000}};
  if (timerfd_settime(tfd, 0, &its, NULL) != 0) FAIL("timerfd_settime");
  uint64_t exp;
  if (read(tfd, &exp, 8) != 8) FAIL("timerfd read");
  CHECK(exp >= 1, "expirations %llu", (unsigned long long)exp);
  say("timerfd: first read %llu expiration(s)\n", (unsigned long long)exp);
  struct pollfd p = {tfd, POLLIN, 0};
  CHECK(poll(&p, 1, -1) == 1, "poll timerfd");
  if (read(tfd, &exp, 8) != 8) FAIL("timerfd read 2");
  say("timerfd: polled, then read %llu expiration(s)\n", (unsigned long long)exp);
  close(tfd);

  alrm = 0;
  alarm(1);
  while (alrm < 1) sigsuspend(&empty);
  say("alarm(1): SIGALRM\n");
  return 0;
}
