// The time-stamp counter read straight from the CPU: rdtsc and rdtscp (with its TSC_AUX,
// which Linux sets to the CPU and node number), and their differences.
#include <stdio.h>
#include <x86intrin.h>

int main(void) {
  unsigned long long a = __rdtsc();
  unsigned long long b = __rdtsc();
  unsigned aux1 = 0, aux2 = 0;
  unsigned long long c = __rdtscp(&aux1);
  volatile unsigned long x = 0;
  for (unsigned long i = 0; i < 1000000; i++) x += i;
  unsigned long long d = __rdtscp(&aux2);
  printf("rdtsc %llu %llu delta %llu\n", a, b, b - a);
  printf("rdtscp %llu aux %u\n", c, aux1);
  printf("rdtscp %llu aux %u\n", d, aux2);
  printf("loop cycles %llu\n", d - c);
  return 0;
}
