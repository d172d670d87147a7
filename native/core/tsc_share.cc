// Why the tracer traps rdtsc too.
//
// Every tracee runs with prctl(PR_SET_TSC, PR_TSC_SIGSEGV) (cpu_tsc.cc), which the kernel
// implements with CR4.TSD: at each context switch between a task that traps the counter
// and one that does not, it rewrites CR4. Each ptrace stop is two such switches (tracee ->
// tracer -> tracee, on one CPU: tracer.cc pins both). In a virtual machine a CR4 write
// exits to the hypervisor. Measured on the 2-vCPU KVM guest det is developed on, with a
// minimal seccomp tracer doing what det does at a clock_gettime stop (GETREGS,
// GETEVENTMSG, process_vm_writev, SETREGS, CONT): 12.6 us per stop without any trap,
// 22.4 us when only the tracee traps, 13.2 us when the tracer traps as well. So the tracer
// thread runs with the same setting and no switch between it and a tracee touches CR4.
//
// The tracer must then not read the counter itself: its clock reads go through
// host_clock_ns (the system call; glibc's clock_gettime would use the vDSO, which reads
// the counter). As a safety net for any read left in code det does not own, a SIGSEGV at
// an rdtsc/rdtscp instruction turns the counter back on (PR_TSC_ENABLE) and lets the
// instruction run again; the main loop arms the trap again before the next wait. Any other
// SIGSEGV gets the default action, as before. share_tsc_trap tries the net once itself.
#include "core/tsc_share.h"

#include <csignal>
#include <cstring>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

namespace det {
namespace {

volatile sig_atomic_t g_shared = 0;    // the trap is meant to be armed
volatile sig_atomic_t g_disarmed = 0;  // the handler turned the counter back on

void on_segv(int sig, siginfo_t* info, void* ctx) {
  (void)sig;
  // The trap is a general-protection fault (SI_KERNEL): only then is RIP an instruction
  // that can be read, and only an rdtsc/rdtscp there is ours to let through.
  auto* uc = static_cast<ucontext_t*>(ctx);
  const auto* ip = reinterpret_cast<const unsigned char*>(uc->uc_mcontext.gregs[REG_RIP]);
  bool tsc_read = g_shared && info->si_code == SI_KERNEL && ip &&
                  ((ip[0] == 0x0f && ip[1] == 0x31) || (ip[0] == 0x0f && ip[1] == 0x01 && ip[2] == 0xf9));
  if (tsc_read && syscall(SYS_prctl, PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0) == 0) {
    g_disarmed = 1;
    return;  // the instruction runs again, now allowed
  }
  // Not ours: the default action when the fault repeats, as if no handler were installed.
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGSEGV, &dfl, nullptr);
}

}  // namespace

bool share_tsc_trap() {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, nullptr) != 0) return false;
  if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) != 0) {
    signal(SIGSEGV, SIG_DFL);
    return false;
  }
  g_shared = 1;
  // The net is tried once before it is relied on: this read must fault, be let through by
  // the handler and leave the trap to be armed again.
  uint32_t lo, hi;
  __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
  (void)lo;
  (void)hi;
  if (!rearm_tsc_trap()) {  // it did not fault: nothing is shared, nothing to keep
    unshare_tsc_trap();
    return false;
  }
  return true;
}

bool rearm_tsc_trap() {
  if (!g_disarmed) return false;
  g_disarmed = 0;
  prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
  return true;
}

void unshare_tsc_trap() {
  if (!g_shared) return;
  g_shared = 0;
  prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0);
  signal(SIGSEGV, SIG_DFL);
}

struct timespec host_clock(clockid_t clk) {
  struct timespec ts {};
  syscall(SYS_clock_gettime, clk, &ts);
  return ts;
}

int64_t host_clock_ns(clockid_t clk) {
  struct timespec ts = host_clock(clk);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

}  // namespace det
