/* 4 threads released together by a barrier, each writing 200 short lines to stdout with
 * one write(2) per line. Natively the interleaving of the 800 lines changes from run to
 * run; under det it must be the same every run. Output: exactly 800 lines "tK lineNNN". */
#include "common.h"
#include <pthread.h>

#define NTHREADS 4
#define NLINES 200

static pthread_barrier_t barrier;

static void *worker(void *arg) {
  int id = (int)(long)arg;
  pthread_barrier_wait(&barrier);
  for (int i = 0; i < NLINES; i++) {
    char line[32];
    int n = snprintf(line, sizeof line, "t%d line%03d\n", id, i);
    if (write(1, line, (size_t)n) != n) FAIL("write");
    if (i % 16 == 0) sched_yield();
  }
  return NULL;
}

int main(void) {
  pthread_t th[NTHREADS];
  pthread_barrier_init(&barrier, NULL, NTHREADS);
  for (long i = 0; i < NTHREADS; i++)
    if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) FAIL("pthread_create");
  for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
  return 0;
}
