// The stat family on an input file, its directory, a file made here, a hard link to it and
// a symlink: stat, lstat, fstat and fstatat(AT_EMPTY_PATH); every field of struct stat.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *how, const char *name, const struct stat *s) {
  printf("%s %s dev %lu ino %lu mode %o nlink %lu uid %u gid %u size %lld blksize %ld blocks %lld "
         "atime %lld.%09ld mtime %lld.%09ld ctime %lld.%09ld\n",
         how, name, (unsigned long)s->st_dev, (unsigned long)s->st_ino, s->st_mode, (unsigned long)s->st_nlink, s->st_uid,
         s->st_gid, (long long)s->st_size, (long)s->st_blksize, (long long)s->st_blocks, (long long)s->st_atim.tv_sec,
         s->st_atim.tv_nsec, (long long)s->st_mtim.tv_sec, s->st_mtim.tv_nsec, (long long)s->st_ctim.tv_sec,
         s->st_ctim.tv_nsec);
}

int main(void) {
  char buf[5000];
  memset(buf, 'x', sizeof buf);
  int fd = open("made.txt", O_CREAT | O_TRUNC | O_WRONLY, 0644);
  write(fd, buf, sizeof buf);
  close(fd);
  unlink("made.link");
  link("made.txt", "made.link");
  unlink("made.sym");
  symlink("made.txt", "made.sym");
  struct stat s;
  const char *names[] = {"tree/alpha", "tree", "made.txt", "made.link", "made.sym", "."};
  for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
    stat(names[i], &s);
    show("stat", names[i], &s);
  }
  lstat("made.sym", &s);
  show("lstat", "made.sym", &s);
  fd = open("tree/bravo", O_RDONLY);
  fstat(fd, &s);
  show("fstat", "tree/bravo", &s);
  fstatat(fd, "", &s, AT_EMPTY_PATH);
  show("fstatat-empty", "tree/bravo", &s);
  close(fd);
  return 0;
}
