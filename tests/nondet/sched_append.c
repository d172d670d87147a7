// Four processes appending lines to one file opened with O_APPEND; the file's final
// content shows who won each race.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  unlink("appended.log");
  int go[2];
  pipe(go);
  for (int c = 0; c < 4; c++) {
    if (fork() == 0) {
      char g;
      close(go[1]);
      read(go[0], &g, 1); /* all four start together when the parent closes go[1] */
      int fd = open("appended.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
      char msg[32];
      for (int i = 0; i < 15; i++) {
        int n = snprintf(msg, sizeof msg, "writer %d line %02d\n", c, i);
        write(fd, msg, n);
        for (volatile int k = 0; k < 30000; k++) {
        }
      }
      close(fd);
      _exit(0);
    }
  }
  close(go[0]);
  close(go[1]);
  while (wait(NULL) > 0) {
  }
  FILE *f = fopen("appended.log", "r");
  char line[64];
  while (fgets(line, sizeof line, f)) fputs(line, stdout);
  fclose(f);
  return 0;
}
