// CPU-time timers: ITIMER_PROF and ITIMER_VIRTUAL every 5 ms of CPU time while the
// program polls its own CPU clock; prints the CPU time at each signal and the loop count.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static volatile int profs, virts;
static long long prof_at[3], virt_at[3];

static long long cpu_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void on_prof(int s) {
  (void)s;
  if (profs < 3) prof_at[profs] = cpu_ns();
  profs++;
}

static void on_virt(int s) {
  (void)s;
  if (virts < 3) virt_at[virts] = cpu_ns();
  virts++;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_prof;
  sigaction(SIGPROF, &sa, NULL);
  sa.sa_handler = on_virt;
  sigaction(SIGVTALRM, &sa, NULL);
  struct itimerval iv = {{0, 5000}, {0, 5000}};
  setitimer(ITIMER_PROF, &iv, NULL);
  setitimer(ITIMER_VIRTUAL, &iv, NULL);
  long long loops = 0;
  long long start = cpu_ns();
  while (profs < 3 || virts < 3) {
    cpu_ns();
    loops++;
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_PROF, &off, NULL);
  setitimer(ITIMER_VIRTUAL, &off, NULL);
  for (int i = 0; i < 3; i++) printf("SIGPROF %d at cpu_ns %lld\n", i, prof_at[i] - start);
  for (int i = 0; i < 3; i++) printf("SIGVTALRM %d at cpu_ns %lld\n", i, virt_at[i] - start);
  printf("loops %lld\n", loops);
  return 0;
}
