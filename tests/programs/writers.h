/* Shared by poll.c, select.c, epoll.c: start n writer processes, each writing `msgs`
 * messages "wI mJ\n" into its own pipe with some work in between, all released together.
 * Returns the read ends in rfd[] and the pids in pid[]. */
#ifndef DET_WRITERS_H
#define DET_WRITERS_H
#include "common.h"
#include <fcntl.h>
#include <sys/wait.h>

static void start_writers(int n, int msgs, int *rfd, pid_t *pid) {
  int go[2];
  if (pipe(go) != 0) FAIL("pipe");
  for (int i = 0; i < n; i++) {
    int p[2];
    if (pipe(p) != 0) FAIL("pipe");
    pid_t c = fork();
    if (c < 0) FAIL("fork");
    if (c == 0) {
      close(p[0]);
      close(go[1]);
      char b;
      (void)read(go[0], &b, 1);
      for (int j = 0; j < msgs; j++) {
        spin_work(20000 + 5000UL * (unsigned long)i);
        fdsay(p[1], "w%d m%d\n", i, j);
      }
      _exit(0);
    }
    close(p[1]);
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    rfd[i] = p[0];
    pid[i] = c;
  }
  close(go[0]);
  close(go[1]); /* EOF releases them all at once */
}

static void reap_writers(int n, pid_t *pid) {
  for (int i = 0; i < n; i++) {
    int st;
    if (waitpid(pid[i], &st, 0) != pid[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0) FAIL("writer %d", i);
  }
}

/* Read what is available on fd and print it as "tag: <fd index>: <data>" lines; returns
 * the number of bytes read (0 at EOF). */
static ssize_t drain_one(const char *tag, int idx, int fd) {
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) FAIL("read");
  if (n > 0) {
    buf[n] = 0;
    char *save = NULL;
    for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) say("%s: pipe %d: %s\n", tag, idx, l);
  }
  return n;
}
#endif
