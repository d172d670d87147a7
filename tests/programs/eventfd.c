/* eventfd between threads and processes: a producer thread adds 1 a hundred times while
 * the consumer reads the counter (each read returns the sum accumulated since the last
 * one, so the sequence of values varies natively; the total is 100); EFD_SEMAPHORE
 * between a parent and a child; EFD_NONBLOCK read of a zero counter gives EAGAIN; poll
 * on an eventfd. */
#include "common.h"
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

static int efd;

static void *producer(void *arg) {
  (void)arg;
  for (int i = 0; i < 100; i++) {
    uint64_t one = 1;
    if (write(efd, &one, 8) != 8) FAIL("eventfd write");
    if (i % 7 == 0) sched_yield();
    spin_work(500);
  }
  return NULL;
}

int main(void) {
  efd = eventfd(0, EFD_CLOEXEC);
  if (efd < 0) FAIL("eventfd");
  pthread_t t;
  pthread_create(&t, NULL, producer, NULL);
  uint64_t total = 0;
  int reads = 0;
  char vals[1024];
  int off = 0;
  while (total < 100) {
    uint64_t v;
    if (read(efd, &v, 8) != 8) FAIL("eventfd read");
    total += v;
    reads++;
    if (off < (int)sizeof vals - 8) off += snprintf(vals + off, sizeof vals - (size_t)off, " %llu", (unsigned long long)v);
  }
  pthread_join(t, NULL);
  CHECK(total == 100, "total %llu", (unsigned long long)total);
  say("eventfd: total %llu in %d reads:%s\n", (unsigned long long)total, reads, vals);

  int sem = eventfd(0, EFD_SEMAPHORE);
  if (sem < 0) FAIL("eventfd sem");
  pid_t c = fork();
  if (c < 0) FAIL("fork");
  if (c == 0) {
    for (int i = 0; i < 3; i++) {
      uint64_t v;
      if (read(sem, &v, 8) != 8 || v != 1) FAIL("semaphore read");
      say("child: semaphore token %d\n", i);
    }
    _exit(0);
  }
  uint64_t three = 3;
  msleep(20);
  if (write(sem, &three, 8) != 8) FAIL("sem write");
  int st;
  waitpid(c, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %#x", st);

  int nb = eventfd(0, EFD_NONBLOCK);
  uint64_t v;
  errno = 0;
  CHECK(read(nb, &v, 8) < 0 && errno == EAGAIN, "nonblocking read");
  struct pollfd p = {nb, POLLIN, 0};
  CHECK(poll(&p, 1, 10) == 0, "poll empty eventfd");
  v = 5;
  if (write(nb, &v, 8) != 8) FAIL("write");
  CHECK(poll(&p, 1, -1) == 1 && (p.revents & POLLIN), "poll ready eventfd");
  CHECK(read(nb, &v, 8) == 8 && v == 5, "read 5");
  say("eventfd: EAGAIN when empty, poll readiness ok\n");
  return 0;
}
