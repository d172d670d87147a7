/* Double fork: the program's process forks a middle process that forks a grandchild and
 * exits at once; the program reaps the middle one and exits while the grandchild is still
 * sleeping. The orphaned grandchild then writes orphan.out in the current directory and a
 * line to stdout (the stdout pipe stays open until it is done). A tracer must wait for it,
 * not stop when the first process exits. The grandchild reports its new parent (the
 * sandbox's init/subreaper; natively some host process, so that varies). */
#include "common.h"
#include <fcntl.h>
#include <sys/wait.h>

int main(void) {
  int sync[2];
  if (pipe(sync) != 0) FAIL("pipe");
  pid_t top = getpid();
  pid_t mid = fork();
  if (mid < 0) FAIL("fork");
  if (mid == 0) {
    pid_t gc = fork();
    if (gc < 0) FAIL("fork grandchild");
    if (gc == 0) {
      close(sync[1]);
      char b;
      /* wait until the top process has exited: its copy of the write end closes then */
      while (read(sync[0], &b, 1) > 0) {
      }
      msleep(100);
      pid_t pp = getppid();
      int fd = open("orphan.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) FAIL("open orphan.out");
      fdsay(fd, "grandchild finished after its parents; reparented=%s\n", pp != top ? "yes" : "no");
      close(fd);
      say("grandchild: done, parent now pid %d\n", (int)pp);
      _exit(0);
    }
    close(sync[0]);
    close(sync[1]);
    _exit(0);
  }
  close(sync[0]);
  int st;
  if (waitpid(mid, &st, 0) != mid) FAIL("waitpid");
  say("top: middle process exited %d, top exits now\n", WEXITSTATUS(st));
  return 0; /* closes sync[1]: the grandchild goes on */
}
