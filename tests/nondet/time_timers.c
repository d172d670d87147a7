// Timers of every kind armed at once: alarm(1), setitimer(ITIMER_REAL), timer_create
// (signal and thread notification) and a timerfd; prints each expiry in the order they
// arrive, with the CLOCK_MONOTONIC time since arming.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int pfd[2];
static long long t0;

static long long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static void on_sig(int sig) {
  char c = sig == SIGALRM ? 'A' : sig == SIGUSR1 ? 'P' : '?';
  int e = errno;
  write(pfd[1], &c, 1);
  errno = e;
}

static void on_thread(union sigval v) {
  (void)v;
  char c = 'T';
  write(pfd[1], &c, 1);
}

int main(void) {
  pipe(pfd);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sig;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);

  t0 = now_us();
  int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
  struct itimerspec its = {{0, 0}, {0, 10000000}}; /* 10 ms */
  timerfd_settime(tfd, 0, &its, NULL);

  timer_t pt;
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGUSR1;
  timer_create(CLOCK_MONOTONIC, &sev, &pt);
  struct itimerspec pits = {{0, 0}, {0, 40000000}}; /* 40 ms */
  timer_settime(pt, 0, &pits, NULL);

  timer_t tt;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_THREAD;
  sev.sigev_notify_function = on_thread;
  timer_create(CLOCK_MONOTONIC, &sev, &tt);
  struct itimerspec tits = {{0, 0}, {0, 70000000}}; /* 70 ms */
  timer_settime(tt, 0, &tits, NULL);

  struct itimerval iv = {{0, 0}, {0, 0}};
  alarm(1); /* SIGALRM at 1 s ... */
  int seen = 0;
  int alarms = 0;
  while (seen < 4) {
    struct pollfd fds[2] = {{pfd[0], POLLIN, 0}, {tfd, POLLIN, 0}};
    int n = poll(fds, 2, -1);
    if (n < 0) continue;
    if (fds[1].revents & POLLIN) {
      unsigned long long exp;
      read(tfd, &exp, sizeof exp);
      printf("timerfd expirations %llu at_us %lld\n", exp, now_us() - t0);
      seen++;
    }
    if (fds[0].revents & POLLIN) {
      char c;
      read(pfd[0], &c, 1);
      long long at = now_us() - t0;
      if (c == 'A') {
        alarms++;
        printf("alarm %d at_us %lld\n", alarms, at);
        if (alarms == 1) {
          /* ... then an ITIMER_REAL 25 ms after it */
          iv.it_value.tv_usec = 25000;
          setitimer(ITIMER_REAL, &iv, NULL);
          continue;
        }
      } else if (c == 'P') {
        printf("posix-signal-timer at_us %lld\n", at);
      } else if (c == 'T') {
        printf("posix-thread-timer at_us %lld\n", at);
      }
      seen++;
    }
  }
  return 0;
}
