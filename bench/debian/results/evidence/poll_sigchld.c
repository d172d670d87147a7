// poll(-1) on a pipe while a child exits (SIGCHLD, default action: ignore); another child
// writes to the pipe a second later. Natively: prints "ready 1" after 1 s.
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
  int p[2];
  if (pipe(p)) return 2;
  if (fork() == 0) _exit(0);                                        // A: SIGCHLD to us
  if (fork() == 0) { sleep(1); if (write(p[1], "x", 1) != 1) _exit(3); _exit(0); }  // B: the data
  struct pollfd fd = { p[0], POLLIN, 0 };
  int n = poll(&fd, 1, -1);
  printf("ready %d\n", n);
  while (wait(NULL) > 0) {}
  return 0;
}
