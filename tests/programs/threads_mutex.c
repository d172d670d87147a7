/* Threads contending for a pthread mutex (the order of acquisition is the scheduler's
 * choice, so it varies natively), then a strict round-robin handoff through a condition
 * variable (the order is fixed by the program, but every step blocks on the condvar), then
 * pthread_join. Prints the acquisition order, the per-thread counts and the final counter. */
#include "common.h"
#include <pthread.h>

#define NT 4
#define ROUNDS 50

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long counter;
static char order[NT * ROUNDS + 1];
static int norder;
static int turn;
static char handoff[NT * ROUNDS + 1];
static int nhandoff;

static void *worker(void *arg) {
  int id = (int)(long)arg;
  pthread_barrier_wait(&barrier);
  /* phase 1: free-for-all contention */
  for (int i = 0; i < ROUNDS; i++) {
    pthread_mutex_lock(&mu);
    order[norder++] = (char)('0' + id);
    counter++;
    spin_work(200);
    pthread_mutex_unlock(&mu);
    if (i % 5 == id) sched_yield();
  }
  pthread_barrier_wait(&barrier);
  /* phase 2: round-robin handoff through the condvar */
  for (int i = 0; i < ROUNDS; i++) {
    pthread_mutex_lock(&mu);
    while (turn != id) pthread_cond_wait(&cv, &mu);
    handoff[nhandoff++] = (char)('0' + id);
    counter++;
    turn = (turn + 1) % NT;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
  }
  return (void *)(long)(id * 10);
}

int main(void) {
  pthread_t th[NT];
  pthread_barrier_init(&barrier, NULL, NT);
  for (long i = 0; i < NT; i++)
    if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) FAIL("pthread_create");
  long joined = 0;
  for (int i = 0; i < NT; i++) {
    void *ret;
    pthread_join(th[i], &ret);
    joined += (long)ret;
  }
  int counts[NT] = {0};
  for (int i = 0; i < norder; i++) counts[order[i] - '0']++;
  for (int off = 0; off < norder; off += 50) say("order: %.50s\n", order + off);
  for (int off = 0; off < nhandoff; off += 50) say("handoff: %.50s\n", handoff + off);
  say("counts: %d %d %d %d\n", counts[0], counts[1], counts[2], counts[3]);
  say("counter: %ld\n", counter);
  say("joined: %ld\n", joined);
  return 0;
}
