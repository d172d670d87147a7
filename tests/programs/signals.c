/* Signals inside the sandbox:
 *  1. a SIGCHLD handler reaping 3 children while the parent waits in sigsuspend;
 *  2. SIGUSR1 ping-pong between parent and child, 50 rounds, each side in sigsuspend;
 *  3. two children racing real-time signals (sigqueue with values) at the parent: the
 *     delivery order varies natively;
 *  4. tgkill to a thread waiting in sigwaitinfo, then a process-directed kill() it picks up;
 *  5. sigtimedwait that times out (EAGAIN); raise() with a handler. */
#include "common.h"
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile sig_atomic_t reaped, got_usr1;
static volatile int rt_log[64];
static volatile sig_atomic_t rt_n;

static void on_chld(int sig) {
  (void)sig;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) reaped++;
  errno = saved;
}
static void on_usr1(int sig) {
  (void)sig;
  got_usr1 = 1;
}
static void on_rt(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  if (rt_n < 64) rt_log[rt_n++] = (sig - SIGRTMIN) * 100 + si->si_value.sival_int;
}
static volatile sig_atomic_t got_term;
static void on_term(int sig) { got_term = sig; }

static pid_t thread_tid;
static void *sigwaiter(void *arg) {
  (void)arg;
  thread_tid = (pid_t)syscall(SYS_gettid);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  for (int k = 0; k < 2; k++) {
    siginfo_t si;
    int sig = sigwaitinfo(&s, &si);
    if (sig != SIGUSR2) FAIL("sigwaitinfo");
    CHECK(si.si_pid == getpid(), "SIGUSR2 from pid %d", (int)si.si_pid);
    say("thread: sigwaitinfo got SIGUSR2 #%d from its own process\n", k + 1);
  }
  return NULL;
}

int main(void) {
  sigset_t block, empty;
  sigemptyset(&empty);
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigaddset(&block, SIGUSR1);
  sigaddset(&block, SIGUSR2);
  sigaddset(&block, SIGRTMIN);
  sigaddset(&block, SIGRTMIN + 1);
  sigprocmask(SIG_BLOCK, &block, NULL);

  /* 1 */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_chld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  for (int i = 0; i < 3; i++) {
    pid_t p = fork();
    if (p < 0) FAIL("fork");
    if (p == 0) _exit(0);
  }
  while (reaped < 3) sigsuspend(&empty);
  say("SIGCHLD handler reaped %d children\n", (int)reaped);
  sa.sa_handler = SIG_DFL;
  sigaction(SIGCHLD, &sa, NULL);

  /* 2 */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  pid_t parent = getpid();
  pid_t child = fork();
  if (child < 0) FAIL("fork");
  if (child == 0) {
    for (int i = 0; i < 50; i++) {
      while (!got_usr1) sigsuspend(&empty);
      got_usr1 = 0;
      if (i % 10 == 9) say("child: pong %d\n", i);
      kill(parent, SIGUSR1);
    }
    _exit(0);
  }
  for (int i = 0; i < 50; i++) {
    if (i % 10 == 9) say("parent: ping %d\n", i);
    kill(child, SIGUSR1);
    while (!got_usr1) sigsuspend(&empty);
    got_usr1 = 0;
  }
  int st;
  waitpid(child, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ping-pong child status %#x", st);
  say("ping-pong: 50 rounds\n");

  /* 3 */
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_rt;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGRTMIN, &sa, NULL);
  sigaction(SIGRTMIN + 1, &sa, NULL);
  int go[2];
  if (pipe(go) != 0) FAIL("pipe");
  pid_t kids[2];
  for (int k = 0; k < 2; k++) {
    kids[k] = fork();
    if (kids[k] < 0) FAIL("fork");
    if (kids[k] == 0) {
      char b;
      close(go[1]);
      (void)read(go[0], &b, 1);
      for (int v = 0; v < 5; v++) {
        union sigval val = {.sival_int = v};
        if (sigqueue(parent, SIGRTMIN + k, val) != 0) FAIL("sigqueue");
        spin_work(20000);
      }
      _exit(0);
    }
  }
  close(go[0]);
  sigset_t rtonly;
  sigfillset(&rtonly);
  sigdelset(&rtonly, SIGRTMIN);
  sigdelset(&rtonly, SIGRTMIN + 1);
  close(go[1]); /* both start together */
  while (rt_n < 10) sigsuspend(&rtonly);
  for (int k = 0; k < 2; k++) waitpid(kids[k], NULL, 0);
  char line[256];
  int off = snprintf(line, sizeof line, "rt order:");
  for (int i = 0; i < rt_n; i++) off += snprintf(line + off, sizeof line - (size_t)off, " %d", rt_log[i]);
  say("%s\n", line);

  /* 4 */
  pthread_t th;
  pthread_create(&th, NULL, sigwaiter, NULL);
  while (__atomic_load_n(&thread_tid, __ATOMIC_SEQ_CST) == 0) sched_yield();
  if (syscall(SYS_tgkill, getpid(), thread_tid, SIGUSR2) != 0) FAIL("tgkill");
  if (kill(getpid(), SIGUSR2) != 0) FAIL("kill self");
  pthread_join(th, NULL);

  /* 5 */
  sigset_t s2;
  sigemptyset(&s2);
  sigaddset(&s2, SIGUSR2);
  struct timespec ts = {0, 20 * 1000000};
  errno = 0;
  CHECK(sigtimedwait(&s2, NULL, &ts) < 0 && errno == EAGAIN, "sigtimedwait should time out");
  say("sigtimedwait timed out\n");
  signal(SIGTERM, on_term);
  raise(SIGTERM);
  CHECK(got_term == SIGTERM, "raise");
  say("raise(SIGTERM) handled\n");
  return 0;
}
