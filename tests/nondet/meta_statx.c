// statx with every field it can report, including birth time and mount id.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *name) {
  struct statx x;
  if (statx(AT_FDCWD, name, AT_SYMLINK_NOFOLLOW, STATX_ALL | STATX_MNT_ID, &x) != 0) {
    printf("%s statx failed\n", name);
    return;
  }
  printf("%s mask %#x ino %llu dev %u:%u rdev %u:%u nlink %u blocks %llu blksize %u attrs %#llx mnt_id %llu "
         "atime %lld.%09u btime %lld.%09u ctime %lld.%09u mtime %lld.%09u\n",
         name, x.stx_mask, (unsigned long long)x.stx_ino, x.stx_dev_major, x.stx_dev_minor, x.stx_rdev_major,
         x.stx_rdev_minor, x.stx_nlink, (unsigned long long)x.stx_blocks, x.stx_blksize,
         (unsigned long long)x.stx_attributes, (unsigned long long)x.stx_mnt_id, (long long)x.stx_atime.tv_sec,
         x.stx_atime.tv_nsec, (long long)x.stx_btime.tv_sec, x.stx_btime.tv_nsec, (long long)x.stx_ctime.tv_sec,
         x.stx_ctime.tv_nsec, (long long)x.stx_mtime.tv_sec, x.stx_mtime.tv_nsec);
}

int main(void) {
  int fd = open("fresh", O_CREAT | O_WRONLY | O_TRUNC, 0600);
  write(fd, "fresh\n", 6);
  close(fd);
  show("tree/charlie");
  show("tree/nested");
  show("fresh");
  show(".");
  show("/dev/null");
  return 0;
}
