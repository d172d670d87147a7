// Values derived from AT_RANDOM that a program can observe: the stack-protector canary
// (fs:0x28) and the pointer guard (fs:0x30), and a setjmp buffer's mangled stack and
// return-address slots.
#include <setjmp.h>
#include <stdio.h>

int main(void) {
  unsigned long canary, guard;
  __asm__ volatile("mov %%fs:0x28, %0" : "=r"(canary));
  __asm__ volatile("mov %%fs:0x30, %0" : "=r"(guard));
  printf("stack canary %016lx\n", canary);
  printf("pointer guard %016lx\n", guard);
  jmp_buf jb;
  if (setjmp(jb) == 0) {
    unsigned long *slots = (unsigned long *)jb;
    printf("setjmp mangled rbp %016lx\n", slots[1]);
    printf("setjmp mangled rsp %016lx\n", slots[6]);
    printf("setjmp mangled pc  %016lx\n", slots[7]);
  }
  return 0;
}
