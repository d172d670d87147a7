/* A child whose main thread has exited (pthread_exit) while its other thread waits on a
 * pipe, and a sibling SIGKILLed by the parent. The waiting thread's descriptors must still be
 * reachable by the tracer (its group's leader is a zombie: a pidfd of the leader no longer
 * reaches the file table), so its read is parked, not left to block in the kernel, and the
 * zombie leader is not waited for when the sibling's death is collected. */
#include "common.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

static int pfd[2];
static void *reader(void *a) {
  char c;
  (void)a;
  ssize_t n = read(pfd[0], &c, 1);
  say("reader got %zd byte(s)\n", n);
  return NULL;
}

int main(void) {
  CHECK(pipe(pfd) == 0, "pipe");
  pid_t p = fork();
  if (p == 0) {
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    pthread_exit(NULL);
  }
  pid_t c = fork();
  if (c == 0) {
    pause();
    _exit(0);
  }
  for (int i = 0; i < 20; i++) sched_yield();
  CHECK(kill(c, SIGKILL) == 0, "kill");
  int st = 0;
  pid_t r = waitpid(c, &st, WNOHANG);
  say("killed sibling reaped=%d signal=%d\n", r == c, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  CHECK(write(pfd[1], "x", 1) == 1, "write");
  CHECK(waitpid(p, &st, 0) == p, "waitpid");
  say("thread-group child exit=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  return 0;
}
