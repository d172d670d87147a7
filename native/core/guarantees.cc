#include "core/guarantees.h"

namespace det {

// Keep in step with native/policy/: a source is "determinized" only when a handler for it
// exists and is tested (__tests__/nondeterminism.test.ts); everything else is reported.
std::vector<Guarantee> guarantees_for(const HostProbe& h) {
  std::vector<Guarantee> g;
  auto add = [&](const char* s, const char* st, const std::string& d) { g.push_back({s, st, d}); };
  add("scheduling", "determinized", "one tracee runs at a time, switched only at syscalls in a fixed order");
  add("pids", "determinized", "fresh pid namespace; processes are created in a fixed order");
  add("blocking", "determinized", "blocking calls are tried non-blocking and retried by the scheduler");
  add("sleeps", "determinized", "sleeps and timeouts run on a logical clock");
  add("hostname", "determinized", "uts namespace and a fixed uname");
  add("user", "determinized",
      "uid/gid 0, no supplementary groups: in a user namespace when det is not root; as root, with the "
      "machine-level capabilities dropped");
  add("environment", "determinized", "fixed environment: PATH, HOME, LANG, TZ, SOURCE_DATE_EPOCH, --env");
  add("cwd", "determinized", "the work dir is mounted at /build");
  add("umask", "determinized", "022");
  add("aslr", "determinized", "personality(ADDR_NO_RANDOMIZE)");
  add("network", "determinized",
      "a private network namespace with loopback only; ephemeral ports (bind to port 0, connect, listen, "
      "UDP send) come from a per-run counter starting at 32768");
  add("time", "determinized",
      "every clock (wall from --epoch, monotonic, CPU-time), times and getrusage answer from the logical clock, "
      "vDSO calls included (patched into syscalls at exec); alarm, setitimer, POSIX timers and timerfds fire at "
      "fixed points of logical time");
  add("file-metadata", "determinized",
      "stat family: inode/device numbers in first-seen order, block counts from sizes, times from the "
      "logical clock (inputs keep their order below the epoch); utime family honoured; statfs fixed");
  add("directory-order", "determinized", "getdents lists each whole directory sorted by name");
  add("randomness", "determinized",
      "getrandom, /dev/urandom, /dev/random, AT_RANDOM (stack canary, pointer guard), "
      "/proc/sys/kernel/random/uuid and boot_id: ChaCha20 seeded by --seed, one stream per process");
  add("rdtsc", h.tsc_trap.available ? "determinized" : "unavailable-on-host",
      h.tsc_trap.available ? "rdtsc/rdtscp trap (PR_SET_TSC) and read the logical clock at a nominal 1 GHz"
                           : "rdtsc/rdtscp read the host's cycle counter: " + h.tsc_trap.detail);
  add("cpuid", h.cpuid_faulting.available ? "not-handled" : "unavailable-on-host",
      h.cpuid_faulting.available ? "CPUID faulting works on this host, but is not used yet"
                                 : "CPUID faulting unavailable: the build may embed CPU features (" +
                                       h.cpuid_faulting.detail + ")");
  if (h.rdrand.available || h.rdseed.available)
    add("rdrand", h.cpuid_faulting.available ? "not-handled" : "unavailable-on-host",
        "the CPU offers RDRAND/RDSEED; without CPUID faulting they cannot be hidden");
  add("cpu-count", "determinized",
      "4 CPUs everywhere: sched_getaffinity, getcpu (CPU 0), /proc/cpuinfo, /proc/stat, "
      "/sys/devices/system/cpu/online, /proc/self/status (CPUID itself is the host's, see cpuid)");
  add("proc-files", "determinized",
      "sysinfo, /proc/meminfo (8 GiB), /proc/stat, /proc/uptime, /proc/loadavg, /proc/version, /proc/cmdline "
      "and the start time, CPU times, faults and sizes in /proc/<pid>/stat, statm, status: a fixed machine on the "
      "logical clock");
  add("resource-limits", "determinized",
      "getrlimit/prlimit64 and /proc/<pid>/limits show fixed limits (NOFILE 1024/524288, STACK 8 MiB); nice "
      "values are relative to the command's");
  return g;
}

}  // namespace det
