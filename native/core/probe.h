// What this host lets us determinize, found by trying each mechanism in a short-lived child
// (never by reading feature flags alone). Every child is killed and reaped before
// probe_host() returns; the whole probe takes a few milliseconds (each child is bounded by
// a 250 ms deadline). Safe to call from a multi-threaded process (the N-API addon in node):
// the children only make async-signal-safe calls.
#pragma once
#include <string>

namespace det {

struct ProbeItem {
  bool available = false;
  std::string detail;  // one line: what was tried and what happened
};

struct HostProbe {
  std::string kernel;  // uname -r
  std::string arch;    // uname -m
  int cpus = 0;        // online CPUs (sysconf)
  int cpus_allowed = 0;  // CPUs this process may run on (sched_getaffinity)
  bool root = false;   // euid 0
  ProbeItem ptrace;          // PTRACE_TRACEME + SIGSTOP seen by the parent
  ProbeItem seccomp_trace;   // a seccomp filter returning SECCOMP_RET_TRACE stops the tracee
                             // with PTRACE_EVENT_SECCOMP carrying the filter's data
  ProbeItem user_ns;         // unshare(CLONE_NEWUSER) + uid/gid map + a mount ns inside it
  ProbeItem pid_ns;          // unshare(CLONE_NEWPID) (in a user ns when not root); child is pid 1
  ProbeItem seccomp_notify;  // a filter with a notification descriptor whose waits only a
                             // fatal signal ends (Linux 5.19): Notify calls skip ptrace stops
  ProbeItem tsc_trap;        // prctl(PR_SET_TSC, PR_TSC_SIGSEGV) makes rdtsc raise SIGSEGV
  ProbeItem cpuid_faulting;  // arch_prctl(ARCH_SET_CPUID, 0) makes cpuid raise SIGSEGV
  ProbeItem perf_counters;   // perf_event_open of retired instructions/branches counts
  ProbeItem rdrand;          // advertised by CPUID and executes in user space (no syscall)
  ProbeItem rdseed;          // likewise; hideable only with CPUID faulting
  ProbeItem vdso;            // a vDSO is mapped (AT_SYSINFO_EHDR): time calls skip the kernel
  bool apparmor_restricts_userns = false;  // kernel.apparmor_restrict_unprivileged_userns=1
  std::string apparmor_detail;
  double duration_ms = 0;    // how long the probe took
};

HostProbe probe_host();

// Compact JSON object, camelCase keys:
// {"kernel","arch","cpus","cpusAllowed","root","ptrace":{"available","detail"},"seccompTrace",
//  "userNamespaces","pidNamespaces","seccompNotify","tscTrap","cpuidFaulting","perfCounters","rdrand","rdseed",
//  "vdso","apparmorRestrictsUserns","apparmorDetail","durationMs"}
std::string probe_to_json(const HostProbe& p);

}  // namespace det
