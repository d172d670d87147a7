/* System calls today's glibc and build tools use, each checked for its effect and reported
 * as one line (the output is the same natively; under det none of them may fail with
 * ENOSYS or come back wrong): statx, newfstatat, faccessat2, openat2 (RESOLVE_BENEATH),
 * close_range, copy_file_range, sendfile, splice, getrandom, memfd_create, pipe2, dup3,
 * renameat2(RENAME_NOREPLACE), linkat/symlinkat/readlinkat, mkdirat/unlinkat(AT_REMOVEDIR),
 * fallocate, preadv2/pwritev2, utimensat, getdents64, prlimit64, sched_getaffinity, uname,
 * prctl(PR_SET_NAME). rseq is registered by glibc at startup before main. */
#include "common.h"
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static void ok(const char *what) { say("ok %s\n", what); }

int main(void) {
  umask(022); /* the modes printed below must not depend on the caller's umask */
  const char *dir = "syscalls.d";
  char path[256];
  /* clean leftovers of an interrupted run */
  unlinkat(AT_FDCWD, "syscalls.d/sub", AT_REMOVEDIR);
  const char *names[] = {"a", "b", "c", "link", "sym", "renamed", "copy"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    unlink(path);
  }
  rmdir(dir);

  if (mkdirat(AT_FDCWD, dir, 0755) != 0) FAIL("mkdirat");
  int dfd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dfd < 0) FAIL("open dir");
  ok("mkdirat");

  int fd = openat(dfd, "a", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) FAIL("openat");
  const char text[] = "0123456789abcdefghijklmnopqrstuvwxyz\n";
  if (write(fd, text, sizeof text - 1) != (ssize_t)sizeof text - 1) FAIL("write");
  ok("openat+write");

  struct statx sx;
  if (statx(dfd, "a", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &sx) != 0) FAIL("statx");
  CHECK(sx.stx_size == sizeof text - 1 && (sx.stx_mode & 0777) == 0640 && S_ISREG(sx.stx_mode), "statx fields");
  say("ok statx size=%llu mode=%o nlink=%u\n", (unsigned long long)sx.stx_size, sx.stx_mode & 07777, sx.stx_nlink);

  struct stat st;
  if (fstatat(dfd, "a", &st, 0) != 0) FAIL("newfstatat");
  CHECK(st.st_size == (off_t)sizeof text - 1, "fstatat size");
  if (fstat(fd, &st) != 0 || stat("syscalls.d/a", &st) != 0 || lstat("syscalls.d/a", &st) != 0) FAIL("stat family");
  ok("newfstatat/fstat/stat/lstat");

  CHECK(syscall(SYS_faccessat2, dfd, "a", R_OK | W_OK, AT_EACCESS) == 0, "faccessat2");
  errno = 0;
  CHECK(syscall(SYS_faccessat2, dfd, "missing", F_OK, 0) < 0 && errno == ENOENT, "faccessat2 ENOENT");
  CHECK(access("syscalls.d/a", R_OK) == 0 && faccessat(dfd, "a", W_OK, 0) == 0, "access/faccessat");
  ok("faccessat2");

  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH;
  int f2 = (int)syscall(SYS_openat2, dfd, "a", &how, sizeof how);
  if (f2 < 0) FAIL("openat2");
  close(f2);
  errno = 0;
  CHECK(syscall(SYS_openat2, dfd, "../syscalls.d/a", &how, sizeof how) < 0 && errno == EXDEV,
        "openat2 RESOLVE_BENEATH escape");
  ok("openat2 (RESOLVE_BENEATH: EXDEV on ..)");

  int out = openat(dfd, "b", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) FAIL("open b");
  loff_t in_off = 10, out_off = 0;
  ssize_t n = copy_file_range(fd, &in_off, out, &out_off, 16, 0);
  CHECK(n == 16, "copy_file_range %zd", n);
  char buf[64];
  CHECK(pread(out, buf, 16, 0) == 16 && memcmp(buf, "abcdefghijklmnop", 16) == 0, "copy_file_range data");
  ok("copy_file_range");

  int c = openat(dfd, "c", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  off_t so = 0;
  CHECK(sendfile(c, fd, &so, 10) == 10, "sendfile");
  int pp[2];
  if (pipe2(pp, O_CLOEXEC) != 0) FAIL("pipe2");
  loff_t po = 0;
  CHECK(splice(fd, &po, pp[1], NULL, 5, 0) == 5, "splice file->pipe");
  CHECK(read(pp[0], buf, 5) == 5 && memcmp(buf, "01234", 5) == 0, "splice data");
  ok("sendfile/pipe2/splice");

  unsigned char rnd[16];
  CHECK(getrandom(rnd, sizeof rnd, 0) == (ssize_t)sizeof rnd, "getrandom");
  CHECK(getrandom(rnd, sizeof rnd, GRND_NONBLOCK) == (ssize_t)sizeof rnd, "getrandom nonblock");
  ok("getrandom");

  int mfd = memfd_create("det-memfd", MFD_CLOEXEC);
  if (mfd < 0) FAIL("memfd_create");
  CHECK(write(mfd, "memfd", 5) == 5 && pread(mfd, buf, 5, 0) == 5, "memfd io");
  ok("memfd_create");

  int d = dup3(mfd, 100, O_CLOEXEC);
  CHECK(d == 100, "dup3");
  int d2 = dup2(mfd, 101), d3 = dup2(mfd, 102);
  CHECK(d2 == 101 && d3 == 102, "dup2");
  CHECK(syscall(SYS_close_range, 100, 102, 0) == 0, "close_range");
  CHECK(fcntl(100, F_GETFD) < 0 && fcntl(101, F_GETFD) < 0 && fcntl(102, F_GETFD) < 0, "close_range closed");
  ok("dup3/close_range");

  CHECK(linkat(dfd, "a", dfd, "link", 0) == 0, "linkat");
  CHECK(symlinkat("a", dfd, "sym") == 0, "symlinkat");
  ssize_t rl = readlinkat(dfd, "sym", buf, sizeof buf);
  CHECK(rl == 1 && buf[0] == 'a', "readlinkat");
  if (fstatat(dfd, "a", &st, 0) != 0 || st.st_nlink != 2) FAIL("nlink after linkat");
  ok("linkat/symlinkat/readlinkat");

  errno = 0;
  CHECK(renameat2(dfd, "b", dfd, "c", RENAME_NOREPLACE) < 0 && errno == EEXIST, "RENAME_NOREPLACE");
  CHECK(renameat2(dfd, "b", dfd, "renamed", RENAME_NOREPLACE) == 0, "renameat2");
  ok("renameat2");

  CHECK(fallocate(c, 0, 0, 8192) == 0, "fallocate");
  if (fstat(c, &st) != 0 || st.st_size != 8192) FAIL("fallocate size");
  char p1[] = "hello ", p2[] = "world";
  struct iovec iov[2] = {{p1, 6}, {p2, 5}};
  CHECK(pwritev2(c, iov, 2, 100, 0) == 11, "pwritev2");
  char r1[6], r2[5];
  struct iovec riov[2] = {{r1, 6}, {r2, 5}};
  CHECK(preadv2(c, riov, 2, 100, 0) == 11 && memcmp(r2, "world", 5) == 0, "preadv2");
  ok("fallocate/pwritev2/preadv2");

  struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
  CHECK(utimensat(dfd, "c", times, 0) == 0, "utimensat");
  if (fstatat(dfd, "c", &st, 0) != 0 || st.st_mtim.tv_sec != 1000000000) FAIL("utimensat mtime");
  ok("utimensat (explicit time sticks)");

  CHECK(mkdirat(dfd, "sub", 0700) == 0, "mkdirat sub");
  DIR *dp = fdopendir(dup(dfd));
  if (!dp) FAIL("fdopendir");
  int entries = 0;
  struct dirent *de;
  while ((de = readdir(dp)) != NULL) entries++;
  closedir(dp);
  CHECK(entries == 2 + 6, "getdents64 saw %d entries", entries); /* . .. a c link sym renamed sub */
  say("ok getdents64 (%d entries)\n", entries);
  CHECK(unlinkat(dfd, "sub", AT_REMOVEDIR) == 0, "unlinkat AT_REMOVEDIR");

  struct rlimit rl2;
  CHECK(prlimit(0, RLIMIT_NOFILE, NULL, &rl2) == 0 && rl2.rlim_cur > 0, "prlimit64");
  cpu_set_t cs;
  CHECK(sched_getaffinity(0, sizeof cs, &cs) == 0 && CPU_COUNT(&cs) >= 1, "sched_getaffinity");
  struct utsname u;
  CHECK(uname(&u) == 0 && strcmp(u.sysname, "Linux") == 0, "uname");
  CHECK(prctl(PR_SET_NAME, "det-syscalls") == 0, "prctl");
  char name[17] = {0};
  CHECK(prctl(PR_GET_NAME, name) == 0 && strcmp(name, "det-syscalls") == 0, "PR_GET_NAME");
  char cwd[4096];
  CHECK(getcwd(cwd, sizeof cwd) != NULL, "getcwd");
  ok("prlimit64/sched_getaffinity/uname/prctl/getcwd");

  const char *rm[] = {"a", "c", "link", "sym", "renamed"};
  for (size_t i = 0; i < sizeof rm / sizeof *rm; i++) CHECK(unlinkat(dfd, rm[i], 0) == 0, "unlinkat %s", rm[i]);
  close(dfd);
  CHECK(rmdir(dir) == 0, "rmdir");
  ok("cleanup");
  return 0;
}
