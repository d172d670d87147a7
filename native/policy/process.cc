// Policy for the process model: what the tracer must learn at fork/clone/exec/exit time,
// and waits on children, which must never block in the kernel (see scheduler.h).
#include <cerrno>
#include <csignal>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "core/tracer.h"

namespace det {
namespace {

Verdict on_set_tid_address(SysCtx& c) {
  c.t.clear_child_tid = c.arg(0);
  return Verdict::Allow;
}

Verdict on_exit_group(SysCtx& c) {
  c.t.proc->exiting = true;
  return Verdict::Allow;
}

// Where the signal number is among the arguments of each kill-family call.
int signal_arg(long nr) {
  switch (nr) {
    case SYS_tgkill:
    case SYS_rt_tgsigqueueinfo:
      return 2;
    default:  // kill, tkill, rt_sigqueueinfo, pidfd_send_signal
      return 1;
  }
}

ExitVerdict signal_send_exit(SysCtx& c) {
  if (c.result() == 0) c.tr.collect_killed(&c.t);
  return ExitVerdict::Done;
}

// Signals run in the kernel; a blocked thread notices one it can take when the scheduler
// looks (note_signal_sent). SIGKILL is different: it wakes its targets out of their stops
// at once, so their deaths are collected at the sender's exit stop (collect_killed).
Verdict on_signal_send(SysCtx& c) {
  c.tr.note_signal_sent();
  if (static_cast<int>(c.arg(signal_arg(c.nr()))) == SIGKILL) return c.allow_exit(signal_send_exit);
  return Verdict::Allow;
}

// wait4 and waitid: tried with WNOHANG; nothing to collect yet -> parked until a child of
// this process changes state. The options argument is restored at the exit stop.
int options_arg(long nr) { return nr == SYS_wait4 ? 2 : 3; }

// The child's resource usage the kernel reports is the host's (real CPU time, context
// switches, faults): replaced by fixed values, as getrusage(RUSAGE_CHILDREN) does.
void fix_rusage(SysCtx& c) {
  uint64_t ru_addr = c.arg(c.nr() == SYS_wait4 ? 3 : 4);
  if (!ru_addr) return;
  int64_t ru[18] = {};
  ru[4] = 4096;  // ru_maxrss (KiB)
  write_mem(c.t.tid, ru_addr, ru, sizeof ru);
}

ExitVerdict wait_exit(SysCtx& c) {
  int i = options_arg(c.nr());
  set_sys_arg(c.regs, i, sys_arg(c.t.entry_regs, i));
  c.regs_dirty = true;
  if (c.result() > 0 || (c.result() == 0 && c.nr() == SYS_waitid)) fix_rusage(c);
  bool added_wnohang = c.t.scratch.a != 0;
  if (c.result() != 0 || !added_wnohang) return ExitVerdict::Done;
  if (c.nr() == SYS_waitid) {
    uint64_t infop = c.arg(2);
    uint32_t child_pid = 0;
    if (!infop || !read_u32(c.t.tid, infop + 16, &child_pid) || child_pid != 0) return ExitVerdict::Done;
  }
  Block b;
  b.kind = BlockKind::Child;
  return c.would_block(b);
}

Verdict on_wait(SysCtx& c) {
  int i = options_arg(c.nr());
  uint64_t options = c.arg(i);
  // Tried with WNOHANG; with a signal pending it runs as asked and returns at once.
  bool add = !(options & WNOHANG) && !c.signal_wake;
  c.t.scratch.a = add ? 1 : 0;
  if (add) c.set_arg(i, options | WNOHANG);
  return c.allow_exit(wait_exit);
}

const bool registered = [] {
  register_handler("set_tid_address", on_set_tid_address);
  register_handler("exit_group", on_exit_group);
  for (const char* n : {"kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal"})
    register_handler(n, on_signal_send);
  register_handler("wait4", on_wait);
  register_handler("waitid", on_wait);
  return true;
}();

}  // namespace
}  // namespace det
