// statfs/fstatfs/statvfs of the work dir: file system type, sizes, free blocks and inodes, fsid.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

static void show(const char *how, const struct statfs *s) {
  printf("%s type %#lx bsize %ld blocks %llu bfree %llu bavail %llu files %llu ffree %llu fsid %d:%d namelen %ld "
         "frsize %ld flags %#lx\n",
         how, (unsigned long)s->f_type, (long)s->f_bsize, (unsigned long long)s->f_blocks, (unsigned long long)s->f_bfree,
         (unsigned long long)s->f_bavail, (unsigned long long)s->f_files, (unsigned long long)s->f_ffree,
         s->f_fsid.__val[0], s->f_fsid.__val[1], (long)s->f_namelen, (long)s->f_frsize, (unsigned long)s->f_flags);
}

int main(void) {
  struct statfs s;
  statfs(".", &s);
  show("statfs .", &s);
  int fd = open("tree", O_RDONLY | O_DIRECTORY);
  fstatfs(fd, &s);
  show("fstatfs tree", &s);
  close(fd);
  struct statvfs v;
  statvfs(".", &v);
  printf("statvfs . bsize %lu frsize %lu blocks %llu bfree %llu bavail %llu files %llu ffree %llu favail %llu fsid %lu "
         "flag %#lx namemax %lu\n",
         v.f_bsize, v.f_frsize, (unsigned long long)v.f_blocks, (unsigned long long)v.f_bfree,
         (unsigned long long)v.f_bavail, (unsigned long long)v.f_files, (unsigned long long)v.f_ffree,
         (unsigned long long)v.f_favail, v.f_fsid, v.f_flag, v.f_namemax);
  return 0;
}
