/* threads N: create N threads (in waves if the kernel refuses), each doing a few syscalls,
 * join them all; prints "THREADS N" and exits 0. deep D: recursive fork chain D levels deep;
 * each level waits for its child; prints "DEEP D" at the top. forkexec N: fork+exec /bin/true
 * N times one after the other; prints "FORKEXEC N". */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *work(void *p) {
  (void)p;
  for (int i = 0; i < 3; i++) { getpid(); (void)gettid(); sched_yield(); }
  return NULL;
}

static int deep(int d) {
  if (d == 0) return 0;
  pid_t p = fork();
  if (p < 0) return 1;
  if (p == 0) _exit(deep(d - 1));
  int st;
  if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st)) return 1;
  return WEXITSTATUS(st);
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int n = atoi(argv[2]);
  if (!strcmp(argv[1], "threads")) {
    pthread_t *t = calloc(n, sizeof *t);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 64 * 1024);
    for (int i = 0; i < n; i++)
      if (pthread_create(&t[i], &a, work, NULL)) { fprintf(stderr, "pthread_create %d failed\n", i); return 1; }
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    printf("THREADS %d\n", n);
    return 0;
  }
  if (!strcmp(argv[1], "deep")) {
    int r = deep(n);
    if (r) { fprintf(stderr, "deep chain failed\n"); return 1; }
    printf("DEEP %d\n", n);
    return 0;
  }
  if (!strcmp(argv[1], "forkexec")) {
    for (int i = 0; i < n; i++) {
      pid_t p = fork();
      if (p < 0) { perror("fork"); return 1; }
      if (p == 0) { execl("/bin/true", "true", (char *)NULL); _exit(127); }
      int st;
      if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) { fprintf(stderr, "child %d failed\n", i); return 1; }
    }
    printf("FORKEXEC %d\n", n);
    return 0;
  }
  return 2;
}
