// Which CPU the program runs on: sched_getcpu (vDSO), the getcpu syscall, and rdtscp's
// TSC_AUX; sampled after some work.
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

int main(void) {
  volatile unsigned long x = 0;
  for (unsigned long i = 0; i < 2000000; i++) x += i;
  printf("sched_getcpu %d\n", sched_getcpu());
  unsigned cpu = 99, node = 99;
  syscall(SYS_getcpu, &cpu, &node, NULL);
  printf("getcpu cpu %u node %u\n", cpu, node);
  unsigned aux = 0;
  __rdtscp(&aux);
  printf("rdtscp aux cpu %u node %u\n", aux & 0xfff, aux >> 12);
  return 0;
}
