/* Raw clone3(2): (a) three threads (CLONE_VM|CLONE_THREAD|... with their own stacks and
 * CLONE_CHILD_CLEARTID, joined by FUTEX_WAIT on the tid word, like glibc does) writing lines
 * that interleave with the main thread's (varies natively); (b) a child process with
 * CLONE_PIDFD that exits 3, reaped with waitid(P_PIDFD). */
#include "common.h"
#include <linux/futex.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define NTH 3
#define STACK (256 * 1024)

static volatile pid_t tids[NTH]; /* cleared by the kernel at thread exit */

/* Runs on the new thread's stack: no libc state that needs a TCB of its own. */
static void thread_body(void *arg) {
  long id = (long)arg;
  for (int i = 0; i < 20; i++) {
    char line[48];
    int n = snprintf(line, sizeof line, "clone3 thread %ld line %02d\n", id, i);
    syscall(SYS_write, 1, line, n);
    if (i % 4 == 0) syscall(SYS_sched_yield);
  }
}

/* clone3 in assembly: the child must not return through the C wrapper (its stack is new). */
static long clone3_thread(struct clone_args *args, void (*fn)(void *), void *arg) {
  long ret;
  register void (*r12)(void *) __asm__("r12") = fn;
  register void *r13 __asm__("r13") = arg;
  __asm__ volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "xor %%ebp, %%ebp\n\t"
      "mov %%r13, %%rdi\n\t"
      "call *%%r12\n\t"
      "mov $60, %%eax\n\t" /* SYS_exit: this thread only */
      "xor %%edi, %%edi\n\t"
      "syscall\n\t"
      "hlt\n"
      "1:\n\t"
      : "=a"(ret)
      : "0"((long)SYS_clone3), "D"(args), "S"(sizeof(*args)), "r"(r12), "r"(r13)
      : "rcx", "r11", "memory");
  return ret;
}

int main(void) {
  for (long i = 0; i < NTH; i++) {
    char *stack = aligned_alloc(64, STACK);
    CHECK(stack, "alloc");
    struct clone_args a;
    memset(&a, 0, sizeof a);
    a.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
              CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    a.parent_tid = (uint64_t)(uintptr_t)&tids[i];
    a.child_tid = (uint64_t)(uintptr_t)&tids[i];
    a.stack = (uint64_t)(uintptr_t)stack;
    a.stack_size = STACK;
    long t = clone3_thread(&a, thread_body, (void *)i);
    if (t < 0) {
      errno = (int)-t;
      FAIL("clone3 thread");
    }
    say("main: created thread %ld\n", i);
  }
  for (int i = 0; i < 10; i++) {
    say("main line %02d\n", i);
    sched_yield();
  }
  for (int i = 0; i < NTH; i++) {
    pid_t t;
    while ((t = tids[i]) != 0) syscall(SYS_futex, &tids[i], FUTEX_WAIT, t, NULL, NULL, 0);
    say("main: joined thread %d\n", i);
  }

  int pidfd = -1;
  struct clone_args a;
  memset(&a, 0, sizeof a);
  a.flags = CLONE_PIDFD;
  a.pidfd = (uint64_t)(uintptr_t)&pidfd;
  a.exit_signal = SIGCHLD;
  long p = syscall(SYS_clone3, &a, sizeof a);
  if (p < 0) FAIL("clone3 process");
  if (p == 0) {
    say("clone3 child process running\n");
    _exit(3);
  }
  CHECK(pidfd >= 0, "no pidfd");
  siginfo_t si;
  memset(&si, 0, sizeof si);
  if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) != 0) FAIL("waitid P_PIDFD");
  CHECK(si.si_pid == p && si.si_code == CLD_EXITED && si.si_status == 3, "waitid: pid %d code %d status %d",
        si.si_pid, si.si_code, si.si_status);
  say("main: clone3 child exited %d\n", si.si_status);
  return 0;
}
