/* flock(2) contention between 4 processes: each takes LOCK_EX on ./det.lock 5 times and,
 * while holding it, appends "P start" / "P end" lines to ./flock.log with a little work in
 * between. The parent checks that no two critical sections overlapped and prints the log
 * (who got the lock when: varies natively). Also LOCK_NB while held (EWOULDBLOCK), shared
 * locks held together, and fcntl F_SETLKW record locks. */
#include "common.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>

#define N 4
#define ROUNDS 5

int main(void) {
  int log = open("flock.log", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (log < 0) FAIL("open flock.log");
  int go[2];
  if (pipe(go) != 0) FAIL("pipe");
  pid_t pids[N];
  for (int i = 0; i < N; i++) {
    pid_t c = fork();
    if (c < 0) FAIL("fork");
    if (c == 0) {
      close(go[1]);
      char b;
      (void)read(go[0], &b, 1);
      int fd = open("det.lock", O_RDWR | O_CREAT, 0644); /* own open file description */
      if (fd < 0) FAIL("open det.lock");
      for (int r = 0; r < ROUNDS; r++) {
        if (flock(fd, LOCK_EX) != 0) FAIL("flock");
        fdsay(log, "%d start\n", i);
        spin_work(30000);
        fdsay(log, "%d end\n", i);
        if (flock(fd, LOCK_UN) != 0) FAIL("unlock");
        spin_work(5000);
      }
      _exit(0);
    }
    pids[i] = c;
  }
  close(go[0]);
  close(go[1]);
  for (int i = 0; i < N; i++) {
    int st;
    if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0) FAIL("child %d", i);
  }
  close(log);
  FILE *f = fopen("flock.log", "r");
  if (!f) FAIL("fopen");
  char line[64], order[N * ROUNDS + 1];
  int n = 0, holder = -1, lines = 0;
  while (fgets(line, sizeof line, f)) {
    int who;
    char what[8];
    CHECK(sscanf(line, "%d %7s", &who, what) == 2, "bad line %s", line);
    if (strcmp(what, "start") == 0) {
      CHECK(holder == -1, "%d started while %d held the lock", who, holder);
      holder = who;
      order[n++] = (char)('0' + who);
    } else {
      CHECK(holder == who, "%d ended but %d held the lock", who, holder);
      holder = -1;
    }
    lines++;
  }
  fclose(f);
  order[n] = 0;
  CHECK(lines == 2 * N * ROUNDS, "log has %d lines", lines);
  say("flock: %d critical sections, none overlapped, order %s\n", n, order);

  int a = open("det.lock", O_RDWR), b = open("det.lock", O_RDWR);
  if (a < 0 || b < 0) FAIL("open");
  if (flock(a, LOCK_EX) != 0) FAIL("flock a");
  errno = 0;
  CHECK(flock(b, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK, "LOCK_NB while held");
  flock(a, LOCK_UN);
  CHECK(flock(a, LOCK_SH) == 0 && flock(b, LOCK_SH | LOCK_NB) == 0, "two shared locks");
  flock(a, LOCK_UN);
  flock(b, LOCK_UN);
  say("flock: LOCK_NB gives EWOULDBLOCK, shared locks coexist\n");

  /* fcntl record lock: the child blocks in F_SETLKW until the parent unlocks */
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
  if (fcntl(a, F_SETLKW, &fl) != 0) FAIL("F_SETLKW parent");
  int p[2];
  if (pipe(p) != 0) FAIL("pipe");
  pid_t c = fork();
  if (c < 0) FAIL("fork");
  if (c == 0) {
    close(p[0]);
    int fd = open("det.lock", O_RDWR);
    struct flock t = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    CHECK(fcntl(fd, F_GETLK, &t) == 0 && t.l_type == F_WRLCK, "F_GETLK shows the parent's lock");
    t.l_type = F_WRLCK;
    fdsay(p[1], "x");
    if (fcntl(fd, F_SETLKW, &t) != 0) FAIL("F_SETLKW child");
    say("fcntl: child got the record lock after the parent released it\n");
    _exit(0);
  }
  close(p[1]);
  char x;
  CHECK(read(p[0], &x, 1) == 1, "sync");
  msleep(30);
  say("fcntl: parent releases the record lock\n");
  fl.l_type = F_UNLCK;
  fcntl(a, F_SETLK, &fl);
  int st;
  waitpid(c, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
  unlink("det.lock");
  unlink("flock.log");
  return 0;
}
