/* A call through the i386 ABI (int 0x80) from 64-bit code: getpid (i386 number 20), then a
   64-bit getpid. Under det the first is refused with ENOSYS and reported as i386:20 (the
   sandbox's calls are only determinized for x86-64 numbers); the second still works. */
#include "common.h"

int main(void) {
  long r = 20;
  __asm__ volatile("int $0x80" : "+a"(r) : : "memory", "r8", "r9", "r10", "r11");
  long p = (long)getpid();
  say("int 0x80 getpid: %s\n", r == p ? "the pid" : r == -38 ? "ENOSYS" : "other");
  say("getpid after: %s\n", p > 0 ? "ok" : "bad");
  return 0;
}
