/* Pipe writes that det lets run in one stop when they surely fit (native/policy/pipe_room.cc):
 * a writer sends records of awkward sizes (1, 4095, 4097, 5000, 10240, 65536, 70000 bytes)
 * that leave pages partly filled, through write, writev, vmsplice, tee, splice from a file, a
 * non-blocking descriptor and a buffer that ends in an unmapped page, and resizes the pipe
 * on the way; a reader reads odd sizes with work in between. If det ever let a write run
 * that does not fit, the writer would wait in the kernel while det holds the reader: the
 * run would hang. Prints the byte count and checksum each side saw. */
#include "common.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

static unsigned long sum_in(unsigned long sum, const char *p, size_t n) {
  for (size_t i = 0; i < n; i++) sum = sum * 31 + (unsigned char)p[i];
  return sum;
}

static unsigned long sent_sum = 0, sent = 0;

static void full_write(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EAGAIN) {
      msleep(1);
      continue;
    }
    if (w < 0) FAIL("write %zu", n);
    sent_sum = sum_in(sent_sum, p, (size_t)w);
    sent += (unsigned long)w;
    p += w;
    n -= (size_t)w;
  }
}

int main(void) {
  int p[2];
  pid_t r = fork_reader(p);
  if (r == 0) { /* reader */
    msleep(50); /* first the writer fills the pipe alone */
    static char buf[70000];
    const size_t sizes[] = {3000, 1, 8191, 4096, 12288, 70000, 100, 4097};
    unsigned long sum = 0, total = 0;
    ssize_t n;
    for (int i = 0; (n = read(p[0], buf, sizes[i % 8])) > 0; i++) {
      sum = sum_in(sum, buf, (size_t)n);
      total += (unsigned long)n;
      if (i % 5 == 0) spin_work(500);
    }
    CHECK(n == 0, "read");
    say("reader: %lu bytes, checksum %016lx\n", total, sum);
    _exit(0);
  }
  close(p[0]);
  static char data[70000];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (char)('a' + (i * 7 + i / 91) % 26);
  /* Records of 4097 bytes alone use two buffers for every three pages of data (each odd byte
   * merges into the last buffer, or starts one): a bound from the bytes queued is wrong. */
  for (int i = 0; i < 24; i++) full_write(p[1], data + i, 4097);
  const size_t sizes[] = {1, 4095, 4097, 5000, 10240, 65536, 70000, 1, 1, 4097, 4097};
  for (int round = 0; round < 40; round++) {
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) full_write(p[1], data + (round * 13 + k) % 97, sizes[k] - (round * 13 + k) % 97 % 2);
    switch (round % 8) {
      case 1: { /* writev of three pieces */
        struct iovec v[3] = {{data, 3000}, {data + 5, 5000}, {data + 9, 7}};
        ssize_t w = writev(p[1], v, 3);
        CHECK(w == 8007, "writev %zd", w);
        sent_sum = sum_in(sum_in(sum_in(sent_sum, data, 3000), data + 5, 5000), data + 9, 7);
        sent += 8007;
        break;
      }
      case 2: { /* vmsplice (waits for room only without SPLICE_F_NONBLOCK), then tee from a pipe */
        static char page[8192] __attribute__((aligned(4096)));
        memcpy(page, data, sizeof page);
        int fl = fcntl(p[1], F_GETFL); /* fill the pipe first: vmsplice has to wait for room */
        fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
        ssize_t f;
        for (int i = 0; i < 64 && (f = write(p[1], data, 4096)) > 0; i++) { /* natively the reader may keep up */
          sent_sum = sum_in(sent_sum, data, (size_t)f);
          sent += (unsigned long)f;
        }
        fcntl(p[1], F_SETFL, fl);
        if (round == 2) { /* the caller's own SPLICE_F_NONBLOCK: no room, no wait */
          struct iovec v = {page, 4096};
          ssize_t w = vmsplice(p[1], &v, 1, SPLICE_F_NONBLOCK);
          if (w > 0) {
            sent_sum = sum_in(sent_sum, page, (size_t)w);
            sent += (unsigned long)w;
          }
          say("writer: vmsplice with SPLICE_F_NONBLOCK after filling the pipe: %s\n", w >= 0 ? "spliced" : strerror(errno));
        }
        size_t done = 0;
        while (done < 6000) {
          struct iovec v = {page + done, 6000 - done};
          ssize_t w = vmsplice(p[1], &v, 1, 0);
          if (w < 0) FAIL("vmsplice");
          done += (size_t)w;
        }
        sent_sum = sum_in(sent_sum, page, 6000);
        sent += 6000;
        int q[2];
        if (pipe(q) != 0 || write(q[1], data, 5000) != 5000) FAIL("second pipe");
        size_t teed = 0;
        while (teed < 5000) { /* tee copies from the front of q each time: take what it copied */
          ssize_t w = tee(q[0], p[1], 5000 - teed, 0);
          if (w <= 0) FAIL("tee");
          static char sink[5000];
          if (read(q[0], sink, (size_t)w) != w) FAIL("drain");
          teed += (size_t)w;
        }
        close(q[0]);
        close(q[1]);
        sent_sum = sum_in(sent_sum, data, 5000);
        sent += 5000;
        break;
      }
      case 3: { /* splice from a file */
        int f = open("pipe_room.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
        if (f < 0 || write(f, data, 9000) != 9000) FAIL("tmp file");
        loff_t off = 0;
        while (off < 9000) {
          ssize_t w = splice(f, &off, p[1], NULL, 9000 - (size_t)off, 0);
          if (w <= 0) FAIL("splice");
        }
        close(f);
        unlink("pipe_room.tmp");
        sent_sum = sum_in(sent_sum, data, 9000);
        sent += 9000;
        break;
      }
      case 4: { /* a non-blocking descriptor for a while */
        int fl = fcntl(p[1], F_GETFL);
        fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
        full_write(p[1], data, 30000);
        fcntl(p[1], F_SETFL, fl);
        break;
      }
      case 5: { /* a buffer whose second page is unmapped: the write stops there */
        char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) FAIL("mmap");
        memcpy(m, data, 4096);
        munmap(m + 4096, 4096);
        ssize_t w = write(p[1], m + 1000, 5000);
        if (w > 0) {
          sent_sum = sum_in(sent_sum, m + 1000, (size_t)w);
          sent += (unsigned long)w;
        }
        say("writer: a write running into an unmapped page: %s\n", w > 0 ? "partial" : w == 0 ? "0" : strerror(errno));
        munmap(m, 4096);
        break;
      }
      case 6: /* a smaller pipe, then a larger one (fails while too much is queued) */
        fcntl(p[1], F_SETPIPE_SZ, round % 16 == 6 ? 16384 : 131072);
        break;
    }
  }
  fcntl(p[1], F_SETPIPE_SZ, 65536);
  say("writer: %lu bytes, checksum %016lx\n", sent, sent_sum);
  close(p[1]);
  int st;
  if (waitpid(r, &st, 0) != r || !WIFEXITED(st) || WEXITSTATUS(st) != 0) FAIL("reader");
  return 0;
}
