/* execveat(2) in three forms and fexecve(3), each in a forked child, all started before any
 * is reaped, so their outputs race (vary natively): execveat(fd, "", AT_EMPTY_PATH) on an
 * O_PATH fd of /bin/echo; execveat(dirfd of /usr/bin, "printf"); fexecve on an O_RDONLY fd of
 * /bin/sh; and execveat of this very program through /proc/self/exe for a second stage. */
#include "common.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

extern char **environ;

static int my_execveat(int dirfd, const char *path, char *const argv[], int flags) {
  return (int)syscall(SYS_execveat, dirfd, path, argv, environ, flags);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "stage2") == 0) {
    say("stage2 via /proc/self/exe argc=%d\n", argc);
    return 4;
  }
  pid_t pids[4];
  for (int i = 0; i < 4; i++) {
    pid_t p = fork();
    if (p < 0) FAIL("fork");
    if (p == 0) {
      if (i == 0) {
        int fd = open("/bin/echo", O_PATH | O_CLOEXEC);
        if (fd < 0) FAIL("open O_PATH");
        char *av[] = {"echo", "execveat-empty-path", NULL};
        my_execveat(fd, "", av, AT_EMPTY_PATH);
        FAIL("execveat AT_EMPTY_PATH");
      } else if (i == 1) {
        int dfd = open("/usr/bin", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dfd < 0) FAIL("open /usr/bin");
        char *av[] = {"printf", "execveat-dirfd %s\\n", "printf", NULL};
        my_execveat(dfd, "printf", av, 0);
        FAIL("execveat dirfd");
      } else if (i == 2) {
        int fd = open("/bin/sh", O_RDONLY);
        if (fd < 0) FAIL("open /bin/sh");
        char *av[] = {"sh", "-c", "echo fexecve-sh; exit 2", NULL};
        fexecve(fd, av, environ);
        FAIL("fexecve");
      } else {
        char *av[] = {argv[0], "stage2", NULL};
        my_execveat(AT_FDCWD, "/proc/self/exe", av, 0);
        FAIL("execveat /proc/self/exe");
      }
    }
    pids[i] = p;
  }
  const int want[4] = {0, 0, 2, 4};
  for (int k = 0; k < 4; k++) {
    int st;
    pid_t w = waitpid(-1, &st, 0);
    if (w < 0) FAIL("waitpid");
    int idx = -1;
    for (int i = 0; i < 4; i++)
      if (pids[i] == w) idx = i;
    CHECK(idx >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == want[idx], "child %d status %#x", idx, st);
    say("reaped exec child %d exit %d\n", idx, WEXITSTATUS(st));
  }
  /* execveat of a missing file and of a non-executable one: ENOENT, EACCES */
  char *av[] = {"x", NULL};
  errno = 0;
  CHECK(my_execveat(AT_FDCWD, "/nonexistent/prog", av, 0) < 0 && errno == ENOENT, "expected ENOENT");
  char tmpl[] = "/tmp/det-noexec-XXXXXX";
  int tfd = mkstemp(tmpl);
  if (tfd < 0) FAIL("mkstemp");
  if (write(tfd, "#!/bin/sh\n", 10) != 10) FAIL("write");
  fchmod(tfd, 0644);
  close(tfd);
  errno = 0;
  CHECK(my_execveat(AT_FDCWD, tmpl, av, 0) < 0 && errno == EACCES, "expected EACCES");
  unlink(tmpl);
  say("errors: ENOENT EACCES ok\n");
  return 0;
}
