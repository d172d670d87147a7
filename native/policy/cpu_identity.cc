// The fixed machine as syscalls report it (the same machine procfs.cc shows in /proc and
// /sys; the numbers live in machine.h):
//   sched_getaffinity   CPUs 0-3 (emulated; the real mask is the one CPU det pins the run to)
//   getcpu              CPU 0, node 0 (emulated; the vDSO's getcpu is turned into this
//                       syscall by the time policy)
//   sysinfo             uptime from the logical clock, 8 GiB RAM, no swap, loads 0, the
//                       number of threads in the sandbox
//   getrlimit/setrlimit/prlimit64
//                       the limits of machine::kLimits. sandbox.cc sets them for real in the
//                       sandbox's init before the command starts; where the host does not
//                       allow it (a hard limit above the host's, without CAP_SYS_RESOURCE)
//                       the achievable value is used for real and reported as the fixed one:
//                       a limit still at its start value reads as the fixed value, and a
//                       request for the fixed value sets the start value.
//   getpriority/setpriority, sched_getattr's nice
//                       relative to the nice value the command started with (host: `nice
//                       dettrace ...`), which reads as 0.
//   sched_rr_get_interval  a fixed 100 ms.
//   syslog              EPERM, as with kernel.dmesg_restrict: the kernel log is the host's.
//   rseq                ENOSYS: the rseq area would carry the current CPU.
// sched_getparam/sched_getscheduler pass through: their answers depend only on what the
// command itself set (or on det being run under a real-time policy, which is not handled).
// CPUID cannot be trapped without CPUID faulting: see the "cpuid" guarantee row.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <unistd.h>
#include <vector>

#include "core/tracer.h"
#include "policy/machine.h"

namespace det {
namespace machine {

const Limit kLimits[RLIM_NLIMITS] = {
    {RLIM_INFINITY, RLIM_INFINITY},  // CPU
    {RLIM_INFINITY, RLIM_INFINITY},  // FSIZE
    {RLIM_INFINITY, RLIM_INFINITY},  // DATA
    {8 << 20, RLIM_INFINITY},        // STACK
    {0, RLIM_INFINITY},              // CORE
    {RLIM_INFINITY, RLIM_INFINITY},  // RSS
    {31771, 31771},                  // NPROC (what an 8 GiB machine gets)
    {1024, 524288},                  // NOFILE (systemd's defaults)
    {8 << 20, 8 << 20},              // MEMLOCK
    {RLIM_INFINITY, RLIM_INFINITY},  // AS
    {RLIM_INFINITY, RLIM_INFINITY},  // LOCKS
    {31771, 31771},                  // SIGPENDING
    {819200, 819200},                // MSGQUEUE
    {0, 0},                          // NICE
    {0, 0},                          // RTPRIO
    {RLIM_INFINITY, RLIM_INFINITY},  // RTTIME
};

void apply_rlimits() {
  for (int r = 0; r < RLIM_NLIMITS; ++r) {
    struct rlimit host;
    if (getrlimit(r, &host) != 0) continue;
    struct rlimit want = {kLimits[r].cur, kLimits[r].max};
    if (setrlimit(r, &want) == 0) continue;
    // Cannot raise the hard limit: keep the host's, and the soft one under it.
    if (want.rlim_max > host.rlim_max) want.rlim_max = host.rlim_max;
    if (want.rlim_cur > want.rlim_max) want.rlim_cur = want.rlim_max;
    setrlimit(r, &want);
  }
}

}  // namespace machine

namespace {

using machine::kCpus;
using machine::kLimits;

// The limits the command really started with (== kLimits where the host allowed it),
// and its nice value; read at the command's first exec.
struct StartState {
  bool known = false;
  struct rlimit limits[RLIM_NLIMITS];
  int nice = 0;
};
StartState& start() {
  static StartState s;
  return s;
}

void on_exec(Tracer& tr, Thread& t) {
  StartState& s = start();
  if (s.known || !t.proc->is_main) return;
  s.known = true;
  for (int r = 0; r < RLIM_NLIMITS; ++r) {
    if (prlimit(t.tid, static_cast<enum __rlimit_resource>(r), nullptr, &s.limits[r]) != 0) {
      s.limits[r].rlim_cur = kLimits[r].cur;
      s.limits[r].rlim_max = kLimits[r].max;
    }
  }
  errno = 0;
  int n = getpriority(PRIO_PROCESS, static_cast<id_t>(t.tid));
  s.nice = errno ? 0 : n;
  tr.log(1, "command started with nice %d; NOFILE %llu/%llu", s.nice,
         static_cast<unsigned long long>(s.limits[RLIMIT_NOFILE].rlim_cur),
         static_cast<unsigned long long>(s.limits[RLIMIT_NOFILE].rlim_max));
}

// Real -> reported, field by field.
void to_virtual(int r, struct rlimit* l) {
  const StartState& s = start();
  if (!s.known || r < 0 || r >= RLIM_NLIMITS) return;
  const struct rlimit& real = s.limits[r];
  if (l->rlim_cur == real.rlim_cur) l->rlim_cur = kLimits[r].cur;
  else if (l->rlim_cur == real.rlim_max && real.rlim_max != kLimits[r].max) l->rlim_cur = kLimits[r].max;
  if (l->rlim_max == real.rlim_max) l->rlim_max = kLimits[r].max;
}
// Requested -> real; true if it changed. A value the program can only have learnt from us
// (the fixed hard or soft limit where the real one differs) becomes the real one, and a
// value between the real hard limit and the fixed one is clamped to the real hard limit:
// what the fixed machine would accept, the host accepts too.
rlim_t value_to_real(int r, rlim_t v) {
  const StartState& s = start();
  const struct rlimit& real = s.limits[r];
  if (v == kLimits[r].max && real.rlim_max != kLimits[r].max) return real.rlim_max;
  if (v == kLimits[r].cur && real.rlim_cur != kLimits[r].cur) return real.rlim_cur;
  if (real.rlim_max < kLimits[r].max && v > real.rlim_max && v <= kLimits[r].max) return real.rlim_max;
  return v;
}
bool to_real(int r, struct rlimit* l) {
  const StartState& s = start();
  if (!s.known || r < 0 || r >= RLIM_NLIMITS) return false;
  rlim_t cur = value_to_real(r, l->rlim_cur), max = value_to_real(r, l->rlim_max);
  bool changed = cur != l->rlim_cur || max != l->rlim_max;
  l->rlim_cur = cur;
  l->rlim_max = max;
  return changed;
}

// Rewrites the struct rlimit argument `i` for the kernel if the request names fixed values.
void translate_request(SysCtx& c, int i, int resource) {
  uint64_t addr = c.arg(i);
  if (!addr) return;
  struct rlimit l;
  if (read_mem(c.t.tid, addr, &l, sizeof l) != sizeof l) return;
  if (!to_real(resource, &l)) return;
  uint64_t at = tracee_scratch(c.regs, sizeof l);
  if (write_mem(c.t.tid, at, &l, sizeof l) != sizeof l) return;
  c.set_arg(i, at);
}

// At the exit: the argument registers back as the program passed them, the old limits
// (argument `old_i`, -1: none) shown as fixed.
ExitVerdict rlimit_exit(SysCtx& c) {
  for (int i = 0; i < 4; ++i) set_sys_arg(c.regs, i, sys_arg(c.t.entry_regs, i));
  c.regs_dirty = true;
  int old_i = static_cast<int>(c.t.scratch.a);
  int resource = static_cast<int>(c.t.scratch.b);
  if (c.result() != 0 || old_i < 0) return ExitVerdict::Done;
  uint64_t addr = sys_arg(c.t.entry_regs, old_i);
  struct rlimit l;
  if (!addr || read_mem(c.t.tid, addr, &l, sizeof l) != sizeof l) return ExitVerdict::Done;
  to_virtual(resource, &l);
  write_mem(c.t.tid, addr, &l, sizeof l);
  return ExitVerdict::Done;
}

// `own`: the calling process's limits (prlimit64 of another pid: the kernel reads them,
// the exit stop shows them).
Verdict rlimit_call(SysCtx& c, int resource, int new_i, int old_i, bool own = true) {
  if (resource < 0 || resource >= RLIM_NLIMITS) return Verdict::Pass;
  bool read_own = own && new_i < 0 && old_i >= 0;
  if (c.notified && !read_own) return Verdict::NeedStop;  // a request changed, a result rewritten
  c.tr.count("rlimits");
  if (read_own) {
    // Only a read (every process's getrlimit(RLIMIT_STACK) in glibc's start-up): the
    // tracer reads the process's limits itself and answers in this one stop.
    struct rlimit l;
    if (prlimit(c.t.proc->tgid, static_cast<enum __rlimit_resource>(resource), nullptr, &l) == 0) {
      to_virtual(resource, &l);
      return c.emulate(put_user(c.t.tid, c.arg(old_i), &l, sizeof l) ? 0 : -EFAULT);
    }
  }
  if (new_i >= 0) translate_request(c, new_i, resource);
  c.t.scratch = CallScratch{};
  c.t.scratch.a = static_cast<uint64_t>(old_i);
  c.t.scratch.b = static_cast<uint64_t>(resource);
  return c.allow_exit(rlimit_exit);
}

Verdict on_getrlimit(SysCtx& c) { return rlimit_call(c, static_cast<int>(c.arg(0)), -1, 1); }
Verdict on_setrlimit(SysCtx& c) { return rlimit_call(c, static_cast<int>(c.arg(0)), 1, -1); }
Verdict on_prlimit64(SysCtx& c) {
  return rlimit_call(c, static_cast<int>(c.arg(1)), c.arg(2) ? 2 : -1, c.arg(3) ? 3 : -1,
                     static_cast<int>(c.arg(0)) == 0);
}

// ----- priorities -----------------------------------------------------------------------

ExitVerdict getpriority_exit(SysCtx& c) {
  long r = c.result();
  if (r > 0) {  // 20 - nice
    long v = r + start().nice;
    if (v < 1) v = 1;
    if (v > 40) v = 40;
    c.regs.rax = static_cast<unsigned long long>(v);
    c.regs_dirty = true;
  }
  return ExitVerdict::Done;
}

Verdict on_getpriority(SysCtx& c) {
  if (start().nice == 0) return Verdict::Pass;
  return c.allow_exit(getpriority_exit);
}

ExitVerdict setpriority_exit(SysCtx& c) {
  set_sys_arg(c.regs, 2, sys_arg(c.t.entry_regs, 2));
  c.regs_dirty = true;
  return ExitVerdict::Done;
}

Verdict on_setpriority(SysCtx& c) {
  if (start().nice == 0) return Verdict::Pass;
  long v = static_cast<int>(c.arg(2)) + start().nice;
  if (v > 19) v = 19;
  c.set_arg(2, static_cast<uint64_t>(v));
  return c.allow_exit(setpriority_exit);
}

ExitVerdict getattr_exit(SysCtx& c) {
  if (c.result() != 0) return ExitVerdict::Done;
  uint64_t addr = sys_arg(c.t.entry_regs, 1) + 16;  // sched_attr.sched_nice
  int32_t nice;
  if (read_mem(c.t.tid, addr, &nice, sizeof nice) != sizeof nice) return ExitVerdict::Done;
  nice -= start().nice;
  write_mem(c.t.tid, addr, &nice, sizeof nice);
  return ExitVerdict::Done;
}

Verdict on_sched_getattr(SysCtx& c) {
  if (start().nice == 0) return Verdict::Pass;
  return c.allow_exit(getattr_exit);
}

ExitVerdict rr_interval_exit(SysCtx& c) {
  if (c.result() != 0) return ExitVerdict::Done;
  int64_t ts[2] = {0, 100000000};
  write_mem(c.t.tid, sys_arg(c.t.entry_regs, 1), ts, sizeof ts);
  return ExitVerdict::Done;
}

Verdict on_sched_rr_get_interval(SysCtx& c) { return c.allow_exit(rr_interval_exit); }

// ----- CPUs, memory -----------------------------------------------------------------------

// Does the sandbox pid exist (as the caller sees it)?
bool pid_exists(SysCtx& c, long pid) {
  if (pid == 0) return true;
  if (pid < 0) return false;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/root/proc/%ld", c.t.tid, pid);
  return access(path, F_OK) == 0;
}

Verdict on_sched_getaffinity(SysCtx& c) {
  long pid = static_cast<int>(c.arg(0));
  uint64_t len = c.arg(1);
  if (len * 8 < static_cast<uint64_t>(kCpus) || (len & 7)) return c.emulate(-EINVAL);
  if (!pid_exists(c, pid)) return c.emulate(-ESRCH);
  uint64_t mask = (1ULL << kCpus) - 1;
  if (write_mem(c.t.tid, c.arg(2), &mask, sizeof mask) != sizeof mask) return c.emulate(-EFAULT);
  return c.emulate(sizeof mask);  // cpumask_size() of a 4-CPU kernel
}

Verdict on_getcpu(SysCtx& c) {
  uint32_t zero = 0;
  for (int i = 0; i < 2; ++i)
    if (c.arg(i) && write_mem(c.t.tid, c.arg(i), &zero, sizeof zero) != sizeof zero) return c.emulate(-EFAULT);
  return c.emulate(0);
}

Verdict on_sysinfo(SysCtx& c) {
  struct sysinfo si;
  memset(&si, 0, sizeof si);
  si.uptime = static_cast<long>(c.tr.monotonic_ns() / 1000000000LL);
  si.totalram = machine::kMemTotal;
  si.freeram = machine::kMemFree;
  si.sharedram = machine::kMemShared;
  si.bufferram = machine::kMemBuffers;
  si.procs = static_cast<unsigned short>(c.tr.sched().threads().size() + 1);  // + init
  si.mem_unit = 1;
  if (write_mem(c.t.tid, c.arg(0), &si, sizeof si) != sizeof si) return c.emulate(-EFAULT);
  return c.emulate(0);
}

Verdict on_syslog(SysCtx& c) { return c.emulate(-EPERM); }

// mincore: which pages of a mapping are in memory depends on the host's page cache and
// memory pressure. The kernel checks the range (ENOMEM, EINVAL, EFAULT as it would); a
// success reports every page resident, as on a machine with memory to spare.
ExitVerdict mincore_exit(SysCtx& c) {
  if (c.result() != 0) return ExitVerdict::Done;
  uint64_t len = sys_arg(c.t.entry_regs, 1), vec = sys_arg(c.t.entry_regs, 2);
  uint64_t pages = (len + 4095) / 4096;
  static const std::vector<uint8_t> ones(4096, 1);
  for (uint64_t done = 0; done < pages;) {
    uint64_t n = std::min<uint64_t>(pages - done, ones.size());
    if (write_mem(c.t.tid, vec + done, ones.data(), n) != static_cast<ssize_t>(n)) break;
    done += n;
  }
  return ExitVerdict::Done;
}

Verdict on_mincore(SysCtx& c) { return c.allow_exit(mincore_exit); }

// get_mempolicy: the policy's mode is the process's own (set_mempolicy), but node masks
// and node numbers are the host's NUMA layout. The fixed machine has one node, node 0.
ExitVerdict mempolicy_exit(SysCtx& c) {
  if (c.result() != 0) return ExitVerdict::Done;
  const Regs& e = c.t.entry_regs;
  uint64_t mode = sys_arg(e, 0), mask = sys_arg(e, 1), maxnode = sys_arg(e, 2), flags = sys_arg(e, 4);
  constexpr uint64_t kNode = 1;  // MPOL_F_NODE: *mode is a node number
  if (mode && (flags & kNode)) {
    int zero = 0;
    write_mem(c.t.tid, mode, &zero, sizeof zero);
  }
  if (mask && maxnode) {
    // A non-empty mask (the nodes of a policy, or MPOL_F_MEMS_ALLOWED) becomes {node 0};
    // an empty one (the default policy) stays empty.
    uint64_t words = std::min<uint64_t>((maxnode + 63) / 64, 1024);
    std::vector<uint64_t> m(words);
    if (words && read_mem(c.t.tid, mask, m.data(), words * 8) == static_cast<ssize_t>(words * 8)) {
      bool any = false;
      for (uint64_t w : m) any = any || w != 0;
      if (any) {
        std::fill(m.begin(), m.end(), 0);
        m[0] = 1;
        write_mem(c.t.tid, mask, m.data(), words * 8);
      }
    }
  }
  return ExitVerdict::Done;
}

Verdict on_get_mempolicy(SysCtx& c) { return c.allow_exit(mempolicy_exit); }

// Restartable sequences: the kernel keeps the thread's current CPU in the registered area
// (glibc's sched_getcpu reads it there, without a syscall) and aborts critical sections on
// preemption, both host-dependent. Refused as by a kernel without rseq: glibc and tcmalloc
// fall back (sched_getcpu then calls getcpu, answered above).
Verdict on_rseq(SysCtx& c) { return c.emulate(-ENOSYS); }

const bool registered = [] {
  register_handler("getrlimit", on_getrlimit);
  register_handler("setrlimit", on_setrlimit);
  register_handler("prlimit64", on_prlimit64);
  register_handler("getpriority", on_getpriority);
  register_handler("setpriority", on_setpriority);
  register_handler("sched_getattr", on_sched_getattr);
  register_handler("sched_rr_get_interval", on_sched_rr_get_interval);
  register_handler("sched_getaffinity", on_sched_getaffinity);
  register_handler("getcpu", on_getcpu);
  register_handler("sysinfo", on_sysinfo);
  register_handler("syslog", on_syslog);
  register_handler("rseq", on_rseq);
  register_handler("mincore", on_mincore);
  register_handler("get_mempolicy", on_get_mempolicy);
  register_exec_hook(on_exec);
  return true;
}();

}  // namespace

int virtual_nice_offset() { return start().nice; }

void rlimit_to_virtual(int resource, struct rlimit* l) { to_virtual(resource, l); }

}  // namespace det
