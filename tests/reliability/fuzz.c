/* Syscall fuzzer: issues random syscalls with random (often invalid) arguments.
 * Usage: fuzz SEED SECONDS [BATCH]   -- forks a child per batch of BATCH calls (default 200),
 * so a child killed by a signal (SIGSEGV from a bad pointer the kernel wrote through, ...) is
 * fine; runs until SECONDS of CLOCK_MONOTONIC... (logical under det, so also bounded by count).
 * Prints "FUZZ issued=N batches=B crashed=C" and exits 0.
 * `fuzz errnos` prints "ERRNO <name> <errno>" for a fixed set of simple deterministic calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static int denied(long nr) {
  switch (nr) {
    case SYS_exit: case SYS_exit_group: case SYS_kill: case SYS_tkill: case SYS_tgkill:
    case SYS_rt_sigreturn: case SYS_pause: case SYS_vfork: case SYS_clone: case SYS_clone3:
    case SYS_fork: case SYS_execve: case SYS_execveat: case SYS_munmap: case SYS_mprotect:
    case SYS_mremap: case SYS_brk: case SYS_madvise: case SYS_set_tid_address: case SYS_rseq:
    case SYS_arch_prctl: case SYS_prctl: case SYS_seccomp: case SYS_ptrace: case SYS_reboot:
    case SYS_rt_sigsuspend: case SYS_rt_sigaction: case SYS_rt_sigprocmask: case SYS_sigaltstack:
    case SYS_shmdt: case SYS_mmap: case SYS_setrlimit: case SYS_prlimit64: case SYS_close_range:
    case SYS_dup2: case SYS_dup3: case SYS_close: case SYS_set_robust_list: case SYS_personality:
    case SYS_setsid: case SYS_setpgid: case SYS_setuid: case SYS_setgid: case SYS_setresuid:
    case SYS_setresgid: case SYS_setreuid: case SYS_setregid: case SYS_setgroups: case SYS_capset:
    case SYS_pidfd_send_signal: case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo:
    case SYS_alarm: case SYS_setitimer: case SYS_timer_create: case SYS_timer_settime:
    case SYS_timerfd_settime: case SYS_mlockall: case SYS_munlockall: case SYS_shutdown:
    case SYS_userfaultfd: case SYS_io_uring_setup: case SYS_memfd_secret: case SYS_pkey_mprotect:
    case SYS_vhangup: case SYS_unshare: case SYS_setns: case SYS_chroot: case SYS_pivot_root:
    case SYS_sync: case SYS_syncfs:
    case SYS_fsync: case SYS_fdatasync: case SYS_sync_file_range:
      return 1;
  }
  return nr > 470 || (nr >= 335 && nr < 424); /* the unallocated hole is still tried below */
}

static char scratch[65536];
static long arg(void) {
  switch (next() % 12) {
    case 0: return 0;
    case 1: return -1;
    case 2: return 1;
    case 3: return (long)0xdeadbeef;
    case 4: return (long)scratch;
    case 5: return (long)(scratch + 4096);
    case 6: return (long)(next() % 64);
    case 7: return (long)0x7fffffffffffL;
    case 8: return (long)(1UL << 40);
    case 9: return (long)(next() % 4096);
    case 10: return -(long)(next() % 200);
    default: return (long)next();
  }
}

static void errnos(void) {
  struct { const char *name; long nr, a, b, c; } t[] = {
    {"read-badfd", SYS_read, -1, (long)scratch, 1},
    {"write-badfd", SYS_write, 12345, (long)scratch, 1},
    {"read-badptr", SYS_read, 0, 1, 10},
    {"open-badptr", SYS_open, 1, O_RDONLY, 0},
    {"open-enoent", SYS_open, (long)"/nonexistent/det", O_RDONLY, 0},
    {"stat-badptr", SYS_stat, (long)0xdeadbeef, (long)scratch, 0},
    {"fstat-badfd", SYS_fstat, -1, (long)scratch, 0},
    {"fstat-badptr", SYS_fstat, 1, 1, 0},
    {"getcwd-small", SYS_getcwd, (long)scratch, 1, 0},
    {"getcwd-badptr", SYS_getcwd, 1, 4096, 0},
    {"uname-badptr", SYS_uname, 1, 0, 0},
    {"clock_gettime-badclock", SYS_clock_gettime, 12345, (long)scratch, 0},
    {"clock_gettime-badptr", SYS_clock_gettime, 0, 1, 0},
    {"gettimeofday-badptr", SYS_gettimeofday, 1, 0, 0},
    {"getrandom-badptr", SYS_getrandom, 1, 16, 0},
    {"getrandom-badflags", SYS_getrandom, (long)scratch, 16, 0x7fff0000},
    {"nanosleep-badptr", SYS_nanosleep, 1, 0, 0},
    {"nanosleep-neg", SYS_nanosleep, (long)(long[]){-1, 0}, 0, 0},
    {"getdents64-badfd", SYS_getdents64, -1, (long)scratch, 4096},
    {"lseek-badwhence", SYS_lseek, 0, 0, 99},
    {"pipe-badptr", SYS_pipe, 1, 0, 0},
    {"sched_getaffinity-badptr", SYS_sched_getaffinity, 0, 128, 1},
    {"sysinfo-badptr", SYS_sysinfo, 1, 0, 0},
    {"times-badptr", SYS_times, 1, 0, 0},
    {"poll-badptr", SYS_poll, 1, 1, 0},
    {"select-badnfds", SYS_select, -1, 0, 0},
    {"futex-badop", SYS_futex, (long)scratch, 99, 0},
    {"futex-badptr", SYS_futex, 1, 0 /*WAIT*/, 0},
    {"epoll_ctl-badfd", SYS_epoll_ctl, -1, 1, -1},
    {"socket-badfamily", SYS_socket, 9999, 1, 0},
    {"statx-badptr", SYS_statx, AT_FDCWD, 1, 0},
    {"readlink-badptr", SYS_readlink, 1, (long)scratch, 10},
    {"mkdir-badptr", SYS_mkdir, 1, 0755, 0},
    {"unknown-syscall-999", 999, 0, 0, 0},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    errno = 0;
    long r = syscall(t[i].nr, t[i].a, t[i].b, t[i].c, 0, 0, 0);
    printf("ERRNO %s %s\n", t[i].name, r < 0 ? strerrorname_np(errno) : "ok");
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "errnos")) { errnos(); return 0; }
  rng = argc > 1 ? strtoull(argv[1], NULL, 10) * 2654435761u + 88172645463325252ULL : 88172645463325252ULL;
  double seconds = argc > 2 ? atof(argv[2]) : 5;
  long batch = argc > 3 ? atol(argv[3]) : 200;
  long maxcalls = argc > 4 ? atol(argv[4]) : 1000000;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long issued = 0, batches = 0, crashed = 0;
  int devnull = open("/dev/null", O_RDWR);
  for (;;) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    double el = (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
    if (el >= seconds || issued >= maxcalls) break;
    uint64_t seed = next();
    pid_t pid = fork();
    if (pid == 0) {
      rng = seed | 1;
      /* keep our stdout/stderr out of reach: fds 0..2 become /dev/null */
      dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2);
      for (long i = 0; i < batch; i++) {
        long nr;
        do nr = (long)(next() % 471); while (denied(nr));
        syscall(nr, arg(), arg(), arg(), arg(), arg(), arg());
      }
      _exit(0);
    }
    if (pid < 0) { perror("fork"); return 1; }
    /* a batch that blocks (read on a pipe, a long sleep, ...) is killed after ~1 s */
    int st = 0, tries = 0;
    for (;;) {
      pid_t r = waitpid(pid, &st, WNOHANG);
      if (r == pid) break;
      if (r < 0 && errno != EINTR) { perror("waitpid"); return 1; }
      if (++tries == 100) kill(pid, SIGKILL);
      struct timespec ten = {0, 10 * 1000 * 1000};
      nanosleep(&ten, NULL);
    }
    if (!WIFEXITED(st)) crashed++;
    issued += batch;  /* a crashed batch issued fewer: counted as tried, an upper bound */
    batches++;
  }
  printf("FUZZ issued=%ld batches=%ld crashed=%ld\n", issued, batches, crashed);
  return 0;
}
