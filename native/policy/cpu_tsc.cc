// Policy for the time-stamp counter. rdtsc and rdtscp read the CPU's cycle counter without
// a syscall; with prctl(PR_SET_TSC, PR_TSC_SIGSEGV) they fault instead (SIGSEGV, si_code
// SI_KERNEL), the tracer sees the signal-delivery stop, answers from the logical clock at
// a nominal 1 GHz (TSC = logical monotonic ns, so TSC and clock_gettime agree), steps over
// the instruction and suppresses the signal. Any other SIGSEGV is delivered as usual.
//
// The mode is a per-thread flag that fork/clone inherit and execve keeps (probed on this
// kernel: 6.18). It is set once, in the command's process at its first exec, by running
// prctl in the tracee (register injection, see arm_tsc_trap): every process of the run
// descends from it. The tracee's own PR_SET_TSC/PR_GET_TSC are emulated so it cannot turn
// trapping off.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tuple>
#include <unistd.h>
#include <vector>

#include "core/io_util.h"
#include "core/tracer.h"
#include "policy/clock.h"

namespace det {
namespace {

bool g_armed = false;  // the command's process has PR_TSC_SIGSEGV

// Runs prctl(PR_SET_TSC, PR_TSC_SIGSEGV) in t, stopped at its PTRACE_EVENT_EXEC stop: steps
// to the exit of execve, writes a syscall instruction at the new program's entry, runs
// it with the prctl registers (through its seccomp stop), then restores code and registers.
bool arm_tsc_trap(Tracer& tr, Thread& t) {
  pid_t tid = t.tid;
  auto step = [&](int* status) {
    if (ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr) != 0) return false;
    for (;;) {
      pid_t w = waitpid(tid, status, __WALL);
      if (w == tid) return WIFSTOPPED(*status);
      if (w < 0 && errno != EINTR) return false;
    }
  };
  auto op_of = [&]() {
    __ptrace_syscall_info info;
    memset(&info, 0, sizeof info);
    if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, reinterpret_cast<void*>(sizeof info), &info) <= 0) return -1;
    return static_cast<int>(info.op);
  };
  int status = 0;
  // 1. The exit stop of execve itself (its return value is written after the exec event).
  if (!step(&status) || WSTOPSIG(status) != (SIGTRAP | 0x80) || op_of() != PTRACE_SYSCALL_INFO_EXIT) {
    tr.log(1, "tsc: no execve exit stop (status 0x%x)", status);
    return false;
  }
  Regs saved;
  if (!get_regs(tid, &saved)) return false;
  uint64_t word = 0;
  if (read_mem(tid, saved.rip, &word, sizeof word) != sizeof word) return false;
  uint64_t patched = (word & ~0xffffULL) | 0x050fULL;  // syscall
  if (write_mem(tid, saved.rip, &patched, sizeof patched) != sizeof patched) return false;
  Regs r = saved;
  r.rax = SYS_prctl;
  r.orig_rax = SYS_prctl;
  r.rdi = PR_SET_TSC;
  r.rsi = PR_TSC_SIGSEGV;
  r.rdx = r.r10 = r.r8 = 0;
  bool ok = set_regs(tid, r);
  long result = -1;
  // 2. Its entry, seccomp and exit stops.
  for (int i = 0; ok && i < 6; ++i) {
    if (!step(&status)) {
      ok = false;
      break;
    }
    if (WSTOPSIG(status) == (SIGTRAP | 0x80) && op_of() == PTRACE_SYSCALL_INFO_EXIT) {
      Regs after;
      if (get_regs(tid, &after)) result = static_cast<long>(after.rax);
      break;
    }
    if (WSTOPSIG(status) != SIGTRAP && WSTOPSIG(status) != (SIGTRAP | 0x80)) {
      tr.log(1, "tsc: signal %d while arming", WSTOPSIG(status));
      ok = false;
    }
  }
  write_mem(tid, saved.rip, &word, sizeof word);
  set_regs(tid, saved);
  if (result != 0) tr.log(1, "tsc: prctl(PR_SET_TSC) in the command returned %ld", result);
  return ok && result == 0;
}

// ----- the dynamic loader's own reads ------------------------------------------------------
// glibc's ld.so reads the TSC 8 times while it loads a program, only to time itself for
// LD_DEBUG=statistics: trapped, 8 stops per process. The places are learnt from the traps
// (the loader's file and the offset in it) and, at every later exec of a program whose
// environment has no LD_DEBUG, each is rewritten in the new process's copy of the loader to
// `xor eax, eax` (31 c0, the same two bytes): the loader's timers then hold a value of no
// meaning but a deterministic one (edx keeps what the program's own steps left there),
// which nothing prints without LD_DEBUG. With LD_DEBUG nothing is rewritten and the reads
// trap as any other. Only glibc's x86-64 loader, whose reads are known to be these timers,
// is learnt from; a program's own rdtsc is always trapped and answered from the clock.
constexpr const char* kLoader = "/ld-linux-x86-64.so.2";

struct Site {
  std::string dev;  // "maj:min" as /proc/<pid>/maps shows it
  unsigned long ino;
  unsigned long off;  // in the file
  bool operator<(const Site& o) const { return std::tie(dev, ino, off) < std::tie(o.dev, o.ino, o.off); }
};
std::set<Site> g_sites;

// The executable mappings of the loader, as exec left them.
std::vector<const MapLine*> loader_mappings(Thread& t) {
  std::vector<const MapLine*> out;
  size_t k = strlen(kLoader);
  for (const MapLine& m : maps_since_exec(*t.proc))
    if (m.perms.size() > 2 && m.perms[2] == 'x' && m.path.size() >= k && m.path.compare(m.path.size() - k, k, kLoader) == 0)
      out.push_back(&m);
  return out;
}

void learn_site(Thread& t, uint64_t rip) {
  for (const MapLine* m : loader_mappings(t))
    if (rip >= m->start && rip < m->end) g_sites.insert(Site{m->dev, m->ino, rip - m->start + m->off});
}

bool has_ld_debug(pid_t tid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/environ", tid);
  std::string env;
  if (!read_file(path, &env)) return true;  // cannot tell: leave the loader alone
  return env.compare(0, 9, "LD_DEBUG=") == 0 || env.find(std::string("\0LD_DEBUG=", 10)) != std::string::npos;
}

void rewrite_loader_reads(Tracer& tr, Thread& t) {
  if (g_sites.empty() || has_ld_debug(t.tid)) return;
  CodeMem code(t.tid);  // the loader's text is read-only: /proc/<pid>/mem, opened once
  int done = 0;
  for (const MapLine* m : loader_mappings(t)) {
    for (const Site& s : g_sites) {
      if (s.dev != m->dev || s.ino != m->ino || s.off < m->off || s.off - m->off + 2 > m->end - m->start) continue;
      uint64_t at = m->start + (s.off - m->off);
      uint8_t insn[2];
      if (!code.read(at, insn, 2) || insn[0] != 0x0f || insn[1] != 0x31) continue;
      static const uint8_t kXorEax[2] = {0x31, 0xc0};
      if (code.write(at, kXorEax, 2)) ++done;
    }
  }
  if (done) tr.count("loader-rdtsc-rewritten");
}

void on_exec(Tracer& tr, Thread& t) {
  rewrite_loader_reads(tr, t);
  if (g_armed || !t.proc->is_main) return;
  g_armed = true;  // once: every later process inherits it
  if (arm_tsc_trap(tr, t)) tr.log(1, "tsc: rdtsc/rdtscp trap armed in %d", t.tid);
}

// A SIGSEGV at rdtsc (0f 31) or rdtscp (0f 01 f9) raised by the TSC trap: emulate it.
bool on_signal(Tracer& tr, Thread& t, int sig) {
  if (sig != SIGSEGV) return false;
  siginfo_t si;
  if (ptrace(PTRACE_GETSIGINFO, t.tid, nullptr, &si) != 0 || si.si_code != SI_KERNEL) return false;
  Regs r;
  if (!get_regs(t.tid, &r)) return false;
  uint8_t insn[3] = {0, 0, 0};
  if (read_mem(t.tid, r.rip, insn, 2) != 2) return false;
  uint64_t len = 0;
  if (insn[0] == 0x0f && insn[1] == 0x31) {
    len = 2;
  } else if (insn[0] == 0x0f && insn[1] == 0x01) {
    if (read_mem(t.tid, r.rip + 2, insn + 2, 1) != 1 || insn[2] != 0xf9) return false;
    len = 3;
  } else {
    return false;
  }
  tr.tick(&t);  // a read of the clock takes time: loops on rdtsc terminate
  note_clock_read(tr, t);
  uint64_t tsc = static_cast<uint64_t>(tr.monotonic_ns());  // 1 GHz nominal
  r.rax = tsc & 0xffffffffULL;
  r.rdx = tsc >> 32;
  if (len == 3) r.rcx = 0;  // IA32_TSC_AUX: cpu 0, node 0
  r.rip += len;
  if (!set_regs(t.tid, r)) return false;
  tr.count("rdtsc");
  if (len == 2) learn_site(t, r.rip - 2);
  return true;
}

// prctl(PR_GET_TSC/PR_SET_TSC): the trap stays on; the tracee sees the default mode.
Verdict on_prctl(SysCtx& c) {
  long opt = static_cast<long>(c.arg(0));
  if (opt == PR_SET_TSC) {
    uint64_t mode = c.arg(1);
    if (mode != PR_TSC_ENABLE && mode != PR_TSC_SIGSEGV) return c.emulate(-EINVAL);
    return c.emulate(0);
  }
  if (opt == PR_GET_TSC) {
    int mode = PR_TSC_ENABLE;
    return c.emulate(put_user(c.t.tid, c.arg(1), &mode, sizeof mode) ? 0 : -EFAULT);
  }
  return Verdict::Pass;
}

const bool registered = [] {
  register_exec_hook(on_exec);
  register_signal_hook(on_signal);
  register_handler("prctl", on_prctl, 40);
  return true;
}();

}  // namespace
}  // namespace det
