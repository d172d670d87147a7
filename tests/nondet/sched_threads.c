// Four threads racing: each writes 25 lines with write(2), and all of them bump a shared
// counter without a lock (lost updates depend on how they interleave).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile long counter;
static pthread_barrier_t start;

static void *worker(void *arg) {
  long id = (long)arg;
  char line[64];
  pthread_barrier_wait(&start);
  for (int i = 0; i < 25; i++) {
    int n = snprintf(line, sizeof line, "thread %ld line %02d\n", id, i);
    write(1, line, n);
    for (int k = 0; k < 100000; k++) counter = counter + 1;
  }
  return NULL;
}

int main(void) {
  pthread_t t[4];
  pthread_barrier_init(&start, NULL, 4);
  for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  printf("counter %ld\n", counter);
  return 0;
}
