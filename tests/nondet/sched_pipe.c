// Four child processes racing to write messages into one pipe; the parent prints what it
// reads, message by message, in arrival order.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
  int p[2];
  pipe(p);
  int go[2];
  pipe(go);
  for (int c = 0; c < 4; c++) {
    if (fork() == 0) {
      char g;
      close(go[1]);
      read(go[0], &g, 1); /* all four start together when the parent closes go[1] */
      close(p[0]);
      char msg[32];
      for (int i = 0; i < 15; i++) {
        int n = snprintf(msg, sizeof msg, "child %d msg %02d\n", c, i);
        write(p[1], msg, n);
        for (volatile int k = 0; k < 30000; k++) {
        }
      }
      _exit(0);
    }
  }
  close(go[0]);
  close(go[1]);
  close(p[1]);
  FILE *in = fdopen(p[0], "r");
  char line[64];
  while (fgets(line, sizeof line, in)) fputs(line, stdout);
  while (wait(NULL) > 0) {
  }
  return 0;
}
