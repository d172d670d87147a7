/* Blocking on pipes: (1) a reader that blocks in read() before the writer has written
 * anything (the writer sleeps first); (2) a writer that blocks on a full pipe (1 MiB
 * through a 64 KiB pipe) while a reader with a small buffer drains it; the sizes of the
 * reader's read() calls depend on timing (a run-length summary varies natively);
 * (3) EOF after all writers close. Prints sizes, a checksum and the totals. */
#include "common.h"
#include <sys/wait.h>

#define TOTAL (1 << 20)

int main(void) {
  int p[2];
  pid_t r = fork_reader(p);
  if (r == 0) { /* reader */
    char buf[4096 * 3];
    ssize_t n = read(p[0], buf, 64); /* blocks: nothing written yet */
    CHECK(n >= 18 && memcmp(buf, "hello-from-writer\n", 18) == 0, "first read %zd", n);
    say("reader: first read: %.17s\n", buf);
    unsigned long sum = 0, total = 0;
    for (ssize_t i = 18; i < n; i++) sum = sum * 31 + (unsigned char)buf[i];
    total = (unsigned long)(n - 18);
    long nreads = 0, full = 0;
    char sizes[2048];
    int off = 0;
    ssize_t prev = -1;
    int run = 0;
    while ((n = read(p[0], buf, sizeof buf)) > 0) {
      for (ssize_t i = 0; i < n; i++) sum = sum * 31 + (unsigned char)buf[i];
      total += (unsigned long)n;
      nreads++;
      if (n == (ssize_t)sizeof buf) full++;
      if (n == prev) {
        run++;
      } else {
        if (prev >= 0 && off < (int)sizeof sizes - 64) off += snprintf(sizes + off, sizeof sizes - (size_t)off, " %zdx%d", prev, run);
        prev = n;
        run = 1;
      }
      if (nreads % 8 == 0) spin_work(2000);
    }
    if (prev >= 0 && off < (int)sizeof sizes - 64) off += snprintf(sizes + off, sizeof sizes - (size_t)off, " %zdx%d", prev, run);
    CHECK(n == 0, "read error");
    say("reader: %lu bytes in %ld reads (%ld full) checksum %016lx\n", total, nreads, full, sum);
    say("reader: read sizes%s\n", sizes);
    _exit(total == TOTAL ? 0 : 1);
  }
  close(p[0]);
  msleep(50); /* let the reader block first */
  const char hello[] = "hello-from-writer\n";
  if (write(p[1], hello, sizeof hello - 1) != (ssize_t)sizeof hello - 1) FAIL("write hello");
  msleep(20);
  static char big[TOTAL];
  for (int i = 0; i < TOTAL; i++) big[i] = (char)('a' + (i * 7) % 26);
  size_t done = 0;
  long writes = 0;
  while (done < TOTAL) {
    ssize_t w = write(p[1], big + done, 100000 < TOTAL - done ? 100000 : TOTAL - done);
    if (w < 0) FAIL("write");
    done += (size_t)w;
    writes++;
  }
  close(p[1]);
  int st;
  waitpid(r, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "reader status %#x", st);
  say("writer: %zu bytes in %ld writes, reader ok\n", done, writes);
  return 0;
}
