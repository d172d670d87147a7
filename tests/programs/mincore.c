/* mincore: which pages of a file mapping are resident in the page cache (a fresh file of
 * 256 pages, half of them touched, after asking the kernel to drop the rest) depends on the
 * host's memory, not on the program. Under det every page is reported resident; a range
 * that is not mapped still fails as in the kernel. */
#include "common.h"
#include <fcntl.h>
#include <sys/mman.h>

int main(void) {
  const size_t pages = 256, len = pages * 4096;
  int fd = open("mincore.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate(fd, (off_t)len) != 0) return 1;
  char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) return 1;
  for (size_t i = 0; i < pages; i += 2) m[i * 4096] = 1;
  msync(m, len, MS_SYNC);
  posix_fadvise(fd, 0, (off_t)len, POSIX_FADV_DONTNEED);
  madvise(m, len, MADV_PAGEOUT);
  unsigned char vec[256];
  if (mincore(m, len, vec) != 0) return 1;
  size_t resident = 0;
  for (size_t i = 0; i < pages; i++) resident += vec[i] & 1;
  printf("resident %zu of %zu\n", resident, pages);
  errno = 0;
  int rc = mincore((void *)0x10000, 4096, vec);
  printf("unmapped: rc %d errno %d\n", rc, errno);
  unlink("mincore.dat");
  return 0;
}
