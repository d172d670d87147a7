/* SIGKILL to children det has parked (one blocked reading a pipe, one in a futex wait, one
 * in a sleep, one a thread group): right after kill() returns, the parent asks waitpid with
 * WNOHANG and reads /proc/PID/stat. Natively the answers depend on how fast the kernel
 * tears the child down; under det the kill's targets are collected dead before the sender
 * continues, so every run prints the same lines ("reaped" each time). */
#include "common.h"
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static uint32_t word;
static void *waiter(void *arg) {
  (void)arg;
  syscall(SYS_futex, &word, FUTEX_WAIT, 0, NULL, NULL, 0);
  return NULL;
}


int main(void) {
  const char *kinds[] = {"pipe-read", "futex", "sleep", "threads"};
  for (int k = 0; k < 4; k++) {
    int fds[2];
    if (pipe(fds) != 0) FAIL("pipe");
    pid_t p = fork();
    if (p < 0) FAIL("fork");
    if (p == 0) {
      char c;
      switch (k) {
        case 0: read(fds[0], &c, 1); break;
        case 1: syscall(SYS_futex, &word, FUTEX_WAIT, 0, NULL, NULL, 0); break;
        case 2: sleep(1000); break;
        case 3: {
          pthread_t t[3];
          for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, waiter, NULL);
          read(fds[0], &c, 1);
          break;
        }
      }
      _exit(0);
    }
    /* let the child reach its blocking call: a few yields of the parent */
    for (int i = 0; i < 50; i++) sched_yield();
    if (kill(p, SIGKILL) != 0) FAIL("kill");
    int st = 0;
    pid_t r = waitpid(p, &st, WNOHANG);
    char before = r == 0 ? proc_state(p) : '-';
    if (r == 0) r = waitpid(p, &st, 0);
    printf("%s: %s state=%c signal=%d\n", kinds[k], r == p && before == '-' ? "reaped" : "not-yet", before,
           WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    close(fds[0]);
    close(fds[1]);
  }
  return 0;
}
