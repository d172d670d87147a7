// Inode numbers of files created, deleted and created again (the file system may reuse
// them); the live files never share a (dev, inode).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
  char name[32];
  struct stat s;
  mkdir("inodes", 0755);
  for (int i = 0; i < 8; i++) {
    snprintf(name, sizeof name, "inodes/a%d", i);
    close(open(name, O_CREAT | O_WRONLY, 0644));
  }
  for (int i = 0; i < 8; i += 2) {
    snprintf(name, sizeof name, "inodes/a%d", i);
    unlink(name);
  }
  for (int i = 0; i < 4; i++) {
    snprintf(name, sizeof name, "inodes/b%d", i);
    close(open(name, O_CREAT | O_WRONLY, 0644));
  }
  unsigned long long seen[16][2];
  int n = 0, dup = 0;
  const char *live[] = {"a1", "a3", "a5", "a7", "b0", "b1", "b2", "b3"};
  for (int i = 0; i < 8; i++) {
    snprintf(name, sizeof name, "inodes/%s", live[i]);
    stat(name, &s);
    printf("%s dev %llu ino %llu\n", live[i], (unsigned long long)s.st_dev, (unsigned long long)s.st_ino);
    for (int k = 0; k < n; k++)
      if (seen[k][0] == s.st_dev && seen[k][1] == s.st_ino) dup++;
    seen[n][0] = s.st_dev;
    seen[n][1] = s.st_ino;
    n++;
  }
  printf("duplicates %d\n", dup);
  return 0;
}
