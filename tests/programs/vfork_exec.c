/* vfork + execve of /bin/echo four times without waiting in between (the parent is
 * suspended only until each child execs), then posix_spawn (glibc: clone(CLONE_VM|
 * CLONE_VFORK)) of /bin/sh, then one vfork child that _exits without exec'ing; the parent
 * reaps them with waitpid(-1). The echo lines and the parent's lines race (vary natively). */
#include "common.h"
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

int main(void) {
  pid_t pids[6];
  for (int i = 0; i < 4; i++) {
    char arg[32];
    snprintf(arg, sizeof arg, "echo-child-%d", i);
    char *argv[] = {"echo", arg, NULL};
    pid_t p = vfork();
    if (p < 0) FAIL("vfork");
    if (p == 0) {
      execve("/bin/echo", argv, environ);
      _exit(127);
    }
    pids[i] = p;
    say("parent: vforked %d\n", i);
  }
  char *sargv[] = {"sh", "-c", "echo spawned-sh; exit 3", NULL};
  if (posix_spawn(&pids[4], "/bin/sh", NULL, NULL, sargv, environ) != 0) FAIL("posix_spawn");
  say("parent: posix_spawned\n");
  volatile int touched = 0;
  pid_t p = vfork();
  if (p < 0) FAIL("vfork");
  if (p == 0) {
    touched = 42; /* shares the parent's memory until _exit */
    _exit(5);
  }
  pids[5] = p;
  CHECK(touched == 42, "vfork child did not share memory (touched=%d)", touched);
  say("parent: vfork child wrote %d\n", touched);
  for (int k = 0; k < 6; k++) {
    int st;
    pid_t w = waitpid(-1, &st, 0);
    if (w < 0) FAIL("waitpid");
    int idx = -1;
    for (int i = 0; i < 6; i++)
      if (pids[i] == w) idx = i;
    CHECK(idx >= 0 && WIFEXITED(st), "bad child %d st %#x", (int)w, st);
    int want = idx < 4 ? 0 : idx == 4 ? 3 : 5;
    CHECK(WEXITSTATUS(st) == want, "child %d exit %d want %d", idx, WEXITSTATUS(st), want);
    say("parent: reaped %d exit %d\n", idx, WEXITSTATUS(st));
  }
  return 0;
}
