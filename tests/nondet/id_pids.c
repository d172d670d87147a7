// Process and thread ids: getpid, getppid, gettid, a thread's tid, a forked child's pid,
// process group and session.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void *thr(void *a) {
  (void)a;
  printf("thread tid %d\n", gettid());
  return NULL;
}

int main(void) {
  printf("pid %d ppid %d tid %d\n", getpid(), getppid(), gettid());
  printf("pgrp %d sid %d\n", getpgrp(), getsid(0));
  fflush(stdout);
  pthread_t t;
  pthread_create(&t, NULL, thr, NULL);
  pthread_join(t, NULL);
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    printf("child pid %d ppid %d\n", getpid(), getppid());
    fflush(stdout);
    _exit(0);
  }
  waitpid(c, NULL, 0);
  printf("forked %d\n", c);
  return 0;
}
