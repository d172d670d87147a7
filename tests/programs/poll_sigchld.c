/* A parent waits in poll (no timeout) on a pipe while one child exits (SIGCHLD, whose
 * default action is to ignore it) and another child writes to the pipe only after that.
 * Natively the ignored SIGCHLD never interrupts the poll. Under ptrace every signal stops
 * the tracee, so the tracer must not treat it as one that ends the wait: the poll used to
 * go into the kernel, be interrupted, restart there (restart_syscall) and block for ever
 * (cargo waiting on rustc's output hung this way). Also pause-free: no handlers at all. */
#include "common.h"
#include <poll.h>
#include <sys/wait.h>

int main(void) {
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  pid_t quick = fork();
  if (quick == 0) _exit(3);
  pid_t writer = fork();
  if (writer == 0) {
    close(p[0]);
    for (int i = 0; i < 200; i++) sched_yield();  /* let the parent poll and the quick child exit */
    CHECK(write(p[1], "x", 1) == 1, "write");
    _exit(0);
  }
  close(p[1]);
  struct pollfd fd = {p[0], POLLIN, 0};
  int n = poll(&fd, 1, -1);
  say("poll %d revents %s\n", n, (fd.revents & POLLIN) ? "POLLIN" : "-");
  char c;
  CHECK(read(p[0], &c, 1) == 1, "read");
  int st;
  CHECK(waitpid(quick, &st, 0) == quick && WEXITSTATUS(st) == 3, "quick child");
  CHECK(waitpid(writer, &st, 0) == writer, "writer");
  say("done\n");
  return 0;
}
