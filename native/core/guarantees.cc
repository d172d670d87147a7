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
  add("user", "determinized", "uid/gid 0 in a user namespace");
  add("environment", "determinized", "fixed environment: PATH, HOME, LANG, TZ, SOURCE_DATE_EPOCH, --env");
  add("cwd", "determinized", "the work dir is mounted at /build");
  add("umask", "determinized", "022");
  add("aslr", "determinized", "personality(ADDR_NO_RANDOMIZE)");
  add("network", "determinized", "a private network namespace with loopback only");
  add("time", "determinized",
      "every clock (wall from --epoch, monotonic, CPU-time), times and getrusage answer from the logical clock, "
      "vDSO calls included (patched into syscalls at exec); alarm, setitimer, POSIX timers and timerfds fire at "
      "fixed points of logical time");
  add("file-metadata", "not-handled", "inode numbers and timestamps are the host's");
  add("directory-order", "not-handled", "getdents order is the file system's");
  add("randomness", "not-handled", "getrandom, /dev/urandom and AT_RANDOM are the host's");
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
  add("cpu-count", "not-handled", "sched_getaffinity and /proc/cpuinfo show the host's CPUs");
  add("proc-files", "not-handled", "/proc/meminfo, /proc/stat, /proc/uptime are the host's");
  return g;
}

}  // namespace det
