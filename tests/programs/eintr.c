/* Blocking calls interrupted by a signal whose handler has no SA_RESTART return EINTR, as
 * natively: a write to a full pipe, a FIFO open with no reader, a read of an empty pipe.
 * Under det each waits until the alarm's logical time; with seccomp user notifications the
 * write and the FIFO open are calls the tracer moves to ptrace stops (NeedStop), where the
 * pending signal must not be delivered first and the call restarted. Also a /proc read and
 * a stat of a /proc file (virtual file; a stat only the kernel can answer). */
#include "common.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

static void on_alarm(int s) { (void)s; }

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;  /* no SA_RESTART */
  CHECK(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
  int p[2];
  CHECK(pipe(p) == 0, "pipe");
  static char buf[4096];
  CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0, "nonblock");
  long total = 0;
  for (;;) {
    ssize_t w = write(p[1], buf, sizeof buf);
    if (w <= 0) break;
    total += w;
  }
  CHECK(fcntl(p[1], F_SETFL, 0) == 0, "block");
  say("pipe full at %ld bytes\n", total);
  alarm(1);
  ssize_t n = write(p[1], buf, sizeof buf);
  say("blocked write: %zd %s\n", n, n < 0 && errno == EINTR ? "EINTR" : "?");
  alarm(1);
  n = write(p[1], buf, 100);
  say("blocked small write: %zd %s\n", n, n < 0 && errno == EINTR ? "EINTR" : "?");
  int q[2];
  CHECK(pipe(q) == 0, "pipe");
  alarm(1);
  n = read(q[0], buf, 10);
  say("blocked read: %zd %s\n", n, n < 0 && errno == EINTR ? "EINTR" : "?");
  unlink("eintr.fifo");
  CHECK(mkfifo("eintr.fifo", 0600) == 0, "mkfifo");
  alarm(1);
  int fd = open("eintr.fifo", O_WRONLY);
  say("blocked fifo open: %d %s\n", fd, fd < 0 && errno == EINTR ? "EINTR" : "?");
  unlink("eintr.fifo");
  struct stat st;
  CHECK(stat("/proc/self/stat", &st) == 0, "stat /proc/self/stat");
  say("/proc/self/stat: ino %lu mode %o\n", (unsigned long)st.st_ino, st.st_mode);
  fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
  CHECK(fd >= 0, "open /proc/uptime");
  n = read(fd, buf, sizeof buf - 1);
  CHECK(n > 0, "read /proc/uptime");
  buf[n] = 0;
  say("/proc/uptime: %s", buf);
  say("cloexec: %d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
  return 0;
}
