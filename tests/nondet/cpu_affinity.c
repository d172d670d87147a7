// How many CPUs a program is told it has: sched_getaffinity (count and list),
// pthread_getaffinity_np, sysconf and get_nprocs.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/sysinfo.h>
#include <unistd.h>

int main(void) {
  cpu_set_t set;
  CPU_ZERO(&set);
  sched_getaffinity(0, sizeof set, &set);
  printf("sched_getaffinity count %d cpus", CPU_COUNT(&set));
  for (int i = 0; i < CPU_SETSIZE; i++)
    if (CPU_ISSET(i, &set)) printf(" %d", i);
  printf("\n");
  CPU_ZERO(&set);
  pthread_getaffinity_np(pthread_self(), sizeof set, &set);
  printf("pthread_getaffinity_np count %d\n", CPU_COUNT(&set));
  printf("sysconf onln %ld conf %ld\n", sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_NPROCESSORS_CONF));
  printf("get_nprocs %d conf %d\n", get_nprocs(), get_nprocs_conf());
  return 0;
}
