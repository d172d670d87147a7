/* One file reached by many routes: stat, lstat, fstat, fstatat with a dirfd, relative
 * paths with "..", an absolute symlink, a relative symlink, /proc/self/fd/N and statx. det
 * answers some of these in one stop (the tracer finds the file itself) and others by
 * rewriting the kernel's answer; every route must give the same virtual inode, times and
 * size. Also the errors: a missing file, a file under a non-directory, a bad buffer. */
#include "common.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static void show(const char *how, int rc, const struct stat *st) {
  if (rc != 0) {
    say("%s: errno %d\n", how, errno);
    return;
  }
  say("%s: ino %lu mode %o size %ld mtime %ld.%09ld nlink %lu\n", how, (unsigned long)st->st_ino,
      (unsigned)st->st_mode, (long)st->st_size, (long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
      (unsigned long)st->st_nlink);
}

int main(void) {
  struct stat st;
  CHECK(mkdir("sp", 0755) == 0 || errno == EEXIST, "mkdir");
  CHECK(mkdir("sp/sub", 0755) == 0 || errno == EEXIST, "mkdir sub");
  int fd = open("sp/f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CHECK(fd >= 0, "open");
  CHECK(write(fd, "hello\n", 6) == 6, "write");
  close(fd);
  unlink("sp/abs");
  unlink("sp/rel");
  CHECK(symlink("/build/sp/f", "sp/abs") == 0, "symlink abs");
  CHECK(symlink("f", "sp/rel") == 0, "symlink rel");
  show("stat", stat("sp/f", &st), &st);
  show("stat-abs", stat("/build/sp/f", &st), &st);
  show("stat-dotdot", stat("sp/sub/../f", &st), &st);
  show("stat-abs-link", stat("sp/abs", &st), &st);
  show("stat-rel-link", stat("sp/rel", &st), &st);
  show("lstat-abs-link", lstat("sp/abs", &st), &st);
  fd = open("sp/f", O_RDONLY);
  show("fstat", fstat(fd, &st), &st);
  char p[64];
  snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
  show("stat-proc-fd", stat(p, &st), &st);
  int dfd = open("sp/sub", O_RDONLY | O_DIRECTORY);
  show("fstatat-dirfd-dotdot", fstatat(dfd, "../f", &st, 0), &st);
  show("fstatat-dirfd-abs", fstatat(dfd, "/build/sp/f", &st, 0), &st);
  show("fstatat-empty", fstatat(fd, "", &st, AT_EMPTY_PATH), &st);
  chdir("sp/sub");
  show("stat-cwd-dotdot", stat("../f", &st), &st);
  show("stat-cwd-dotdot2", stat("../../sp/f", &st), &st);
  chdir("/build");
  struct statx sx;
  int rc = (int)syscall(SYS_statx, AT_FDCWD, "sp/f", 0, STATX_BASIC_STATS, &sx);
  if (rc == 0)
    say("statx: ino %lu size %llu mtime %lld.%09u\n", (unsigned long)sx.stx_ino, (unsigned long long)sx.stx_size,
        (long long)sx.stx_mtime.tv_sec, sx.stx_mtime.tv_nsec);
  show("stat-dir", stat("sp", &st), &st);
  show("stat-missing", stat("sp/nope", &st), &st);
  show("stat-notdir", stat("sp/f/x", &st), &st);
  show("stat-proc-self", stat("/proc/self", &st), &st);
  errno = 0;
  rc = stat("sp/f", (struct stat *)1);
  say("stat-badbuf: rc %d errno %d\n", rc, errno);
  close(fd);
  close(dfd);
  return 0;
}
