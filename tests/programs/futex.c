/* Raw futex(2) between threads and processes:
 *  1. ping-pong: two threads hand a token back and forth 200 times with FUTEX_WAIT/WAKE;
 *  2. a gate: 4 threads FUTEX_WAIT on a word, main opens it with FUTEX_WAKE(INT_MAX); the
 *     order in which they get through varies natively;
 *  3. timeouts: relative FUTEX_WAIT and absolute FUTEX_WAIT_BITSET expire (ETIMEDOUT);
 *     a value mismatch gives EAGAIN; a wake with no waiter wakes 0;
 *  4. a shared (non-private) futex in a MAP_SHARED page between parent and child. */
#include "common.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static long futex(atomic_int *uaddr, int op, int val, const struct timespec *ts, int val3) {
  return syscall(SYS_futex, uaddr, op, val, ts, NULL, val3);
}

static atomic_int token; /* 0: ping's turn, 1: pong's turn */
static atomic_int gate;
static atomic_int arrived, through;
static int order[4];

static void *pong(void *arg) {
  (void)arg;
  for (int i = 0; i < 200; i++) {
    while (atomic_load(&token) != 1) futex(&token, FUTEX_WAIT_PRIVATE, 0, NULL, 0);
    atomic_store(&token, 0);
    futex(&token, FUTEX_WAKE_PRIVATE, 1, NULL, 0);
  }
  return NULL;
}

static void *gated(void *arg) {
  int id = (int)(long)arg;
  atomic_fetch_add(&arrived, 1);
  while (atomic_load(&gate) == 0) futex(&gate, FUTEX_WAIT_PRIVATE, 0, NULL, 0);
  spin_work(1000);
  order[atomic_fetch_add(&through, 1)] = id;
  return NULL;
}

int main(void) {
  /* 1 */
  pthread_t t;
  pthread_create(&t, NULL, pong, NULL);
  for (int i = 0; i < 200; i++) {
    atomic_store(&token, 1);
    futex(&token, FUTEX_WAKE_PRIVATE, 1, NULL, 0);
    while (atomic_load(&token) != 0) futex(&token, FUTEX_WAIT_PRIVATE, 1, NULL, 0);
  }
  pthread_join(t, NULL);
  say("ping-pong: 200 rounds\n");

  /* 2 */
  pthread_t g[4];
  for (long i = 0; i < 4; i++) pthread_create(&g[i], NULL, gated, (void *)i);
  while (atomic_load(&arrived) < 4) sched_yield();
  msleep(10);
  atomic_store(&gate, 1);
  long woken = futex(&gate, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, 0);
  CHECK(woken >= 0 && woken <= 4, "woke %ld", woken);
  for (int i = 0; i < 4; i++) pthread_join(g[i], NULL);
  say("gate: through in order %d %d %d %d\n", order[0], order[1], order[2], order[3]);

  /* 3 */
  atomic_int w = 5;
  struct timespec rel = {0, 15 * 1000000};
  errno = 0;
  CHECK(futex(&w, FUTEX_WAIT_PRIVATE, 5, &rel, 0) < 0 && errno == ETIMEDOUT, "relative timeout");
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  now.tv_nsec += 15 * 1000000;
  if (now.tv_nsec >= 1000000000) {
    now.tv_sec++;
    now.tv_nsec -= 1000000000;
  }
  errno = 0;
  CHECK(futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 5, &now, FUTEX_BITSET_MATCH_ANY) < 0 && errno == ETIMEDOUT,
        "absolute timeout");
  errno = 0;
  CHECK(futex(&w, FUTEX_WAIT_PRIVATE, 6, NULL, 0) < 0 && errno == EAGAIN, "value mismatch");
  CHECK(futex(&w, FUTEX_WAKE_PRIVATE, 1, NULL, 0) == 0, "wake nobody");
  say("timeouts: ETIMEDOUT ETIMEDOUT, mismatch: EAGAIN, empty wake: 0\n");

  /* 4 */
  atomic_int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) FAIL("mmap");
  atomic_store(shared, 0);
  pid_t c = fork();
  if (c < 0) FAIL("fork");
  if (c == 0) {
    while (atomic_load(shared) == 0) futex(shared, FUTEX_WAIT, 0, NULL, 0);
    say("child: woken through a shared futex, value %d\n", atomic_load(shared));
    _exit(0);
  }
  msleep(20);
  atomic_store(shared, 7);
  futex(shared, FUTEX_WAKE, 1, NULL, 0);
  int st;
  waitpid(c, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
  say("shared futex: ok\n");
  return 0;
}
