/* Writes what the CPU says about itself, straight from the instructions, not from any
 * file or system call a tracer could intercept:
 *   CPUID  - vendor, brand string and a few feature flags (stable on one host, but
 *            different on another CPU: a build that embeds them is host-dependent);
 *   RDRAND - fresh hardware random numbers, different on every run.
 * Without CPUID faulting (not available on this AMD VM) no tracer can hide either, so
 * this build stays nondeterministic even under dettrace, and `dettrace verify` says why. */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>

static int rdrand64(unsigned long long *out) {
  for (int tries = 0; tries < 10; tries++) {
    unsigned long long v;
    unsigned char ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
    if (ok) {
      *out = v;
      return 1;
    }
  }
  return 0;
}

int main(void) {
  unsigned a, b, c, d;
  char vendor[13] = {0};
  __cpuid(0, a, b, c, d);
  memcpy(vendor, &b, 4);
  memcpy(vendor + 4, &d, 4);
  memcpy(vendor + 8, &c, 4);
  printf("vendor:   %s\n", vendor);

  char brand[49] = {0};
  __cpuid(0x80000000, a, b, c, d);
  if (a >= 0x80000004) {
    for (unsigned leaf = 0; leaf < 3; leaf++) {
      __cpuid(0x80000002 + leaf, a, b, c, d);
      memcpy(brand + leaf * 16, &a, 4);
      memcpy(brand + leaf * 16 + 4, &b, 4);
      memcpy(brand + leaf * 16 + 8, &c, 4);
      memcpy(brand + leaf * 16 + 12, &d, 4);
    }
  }
  printf("brand:    %s\n", brand);

  __cpuid(1, a, b, c, d);
  int has_rdrand = (c >> 30) & 1;
  printf("features: sse4.2=%u avx=%u rdrand=%d\n", (c >> 20) & 1, (c >> 28) & 1, has_rdrand);

  if (has_rdrand) {
    unsigned long long r[2];
    if (rdrand64(&r[0]) && rdrand64(&r[1])) {
      printf("rdrand:   %016llx%016llx\n", r[0], r[1]);
    } else {
      printf("rdrand:   (the CPU returned no value)\n");
    }
  } else {
    printf("rdrand:   (not supported by this CPU)\n");
  }
  return 0;
}
