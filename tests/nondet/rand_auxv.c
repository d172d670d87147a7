// The 16 AT_RANDOM bytes the kernel puts in the auxiliary vector (glibc seeds the stack
// protector and pointer guard from them), via getauxval and via /proc/self/auxv's pointer.
#include <stdio.h>
#include <sys/auxv.h>

int main(void) {
  const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
  printf("AT_RANDOM ");
  for (int i = 0; i < 16; i++) printf("%02x", r[i]);
  printf("\n");
  FILE *f = fopen("/proc/self/auxv", "rb");
  unsigned long kv[2];
  int found = 0;
  while (f && fread(kv, sizeof kv, 1, f) == 1) {
    if (kv[0] == AT_RANDOM) {
      found = kv[1] == (unsigned long)r;
      printf("auxv AT_RANDOM bytes ");
      for (int i = 0; i < 16; i++) printf("%02x", ((const unsigned char *)kv[1])[i]);
      printf("\n");
    }
  }
  if (f) fclose(f);
  printf("same pointer: %s\n", found ? "yes" : "no");
  return 0;
}
