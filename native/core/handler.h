// The interface between the tracer's mechanism and det's determinization policy, in the
// spirit of reverie's Tool: a handler sees one syscall of one thread at its seccomp stop
// and says what happens to it. Handlers live in native/policy/, one file per concern, and
// register themselves by syscall name; the syscall table says which names are traced.
#pragma once
#include <climits>
#include <cstdint>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "core/ptrace_ops.h"
#include "core/tracee.h"

namespace det {

class Tracer;

enum class Verdict : uint8_t {
  Allow,      // the kernel runs the call (with ctx.regs if regs_dirty); no exit stop
  AllowExit,  // the kernel runs it, then ctx.t.exit_fn runs at its exit stop
  Emulate,    // skipped; the tracee sees ctx.ret
  Block,      // parked with ctx.t.block set; re-dispatched when the scheduler wakes it
  Yield,      // emulated (ctx.ret), and the next runnable thread goes first
  Pass,       // not this handler's business: the next handler for the call decides
  // The call came as a seccomp user notification (ctx.notified) and needs what only a
  // ptrace stop gives: registers beyond the arguments, changed arguments, an exit stop
  // (AllowExit). The tracer moves the call to a ptrace stop, where every handler of the call
  // runs again, so a handler says it before it has changed anything (and handlers that
  // pass before it must be content to run twice).
  NeedStop,
};

struct SysCtx {
  SysCtx(Tracer& tr_, Thread& t_, Regs& regs_) : tr(tr_), t(t_), regs(regs_) {}
  ~SysCtx();
  SysCtx(const SysCtx&) = delete;
  SysCtx& operator=(const SysCtx&) = delete;
  Tracer& tr;
  Thread& t;
  Regs& regs;          // entry registers (at exit stops: exit registers, rax = result)
  bool retry = false;        // re-dispatched after a block
  bool timed_out = false;    // the block's deadline has passed
  bool signal_wake = false;  // woken because a signal became deliverable
  bool regs_dirty = false;
  // A user notification: regs holds the number, the arguments and rip only (no exit stop,
  // no register can be changed); a handler that needs more returns NeedStop.
  bool notified = false;
  long ret = 0;              // for Emulate/Yield

  long nr() const { return static_cast<long>(regs.orig_rax); }
  uint64_t arg(int i) const { return sys_arg(regs, i); }
  void set_arg(int i, uint64_t v) {
    set_sys_arg(regs, i, v);
    regs_dirty = true;
  }
  Verdict emulate(long value) {
    ret = value;
    return Verdict::Emulate;
  }
  // Notifications only: the call returns a new descriptor of the tracee's for the tracer's
  // `local` (SECCOMP_IOCTL_NOTIF_ADDFD, as open would number it), which is closed after.
  Verdict emulate_fd(int local, bool cloexec) {
    answer_fd = local;
    answer_fd_cloexec = cloexec;
    return Verdict::Emulate;
  }
  int answer_fd = -1;
  bool answer_fd_cloexec = false;
  Verdict block(const Block& b) {
    t.block = b;
    return Verdict::Block;
  }
  Verdict allow_exit(ExitFn fn) {
    t.exit_fn = fn;
    return Verdict::AllowExit;
  }
  // At an exit stop: ask the tracer to rewind and park the thread with b.
  ExitVerdict would_block(const Block& b) {
    t.pending_block = b;
    return ExitVerdict::WouldBlock;
  }
  long result() const { return static_cast<long>(regs.rax); }

  // The string at `addr` in the tracee (a path argument), read once per stop however many
  // handlers of the call ask (open: procfs.cc, pycache.cc); nullptr if it cannot be read.
  const std::string* path_at(uint64_t addr) {
    if (!path_read_ || path_addr_ != addr) {
      path_read_ = true;
      path_addr_ = addr;
      path_ok_ = read_cstr(t.tid, addr, &path_, PATH_MAX);
    }
    return path_ok_ ? &path_ : nullptr;
  }

  // The tracer's copy of the tracee's descriptor `fd` (pidfd_getfd: the same open file
  // description) and what fstat says of it, taken once per stop however many handlers of
  // the call ask (read: random.cc, time.cc's timerfds, blocking.cc); closed with the stop.
  // -1 / nullptr when the tracee has no such descriptor (errno as grab_fd left it).
  int fd_copy(int fd);
  const struct stat* fd_stat(int fd);
  // The copy, now the caller's to close: a block keeps it past the stop.
  int take_fd_copy(int fd);

 private:
  std::string path_;
  uint64_t path_addr_ = 0;
  bool path_read_ = false, path_ok_ = false;
  int fd_ = -1, fd_local_ = -1, fd_errno_ = 0;
  bool fd_stat_done_ = false, fd_stat_ok_ = false;
  struct stat fd_st_;
};

using Handler = Verdict (*)(SysCtx&);

// Registration from policy files: `static const bool r = register_handler("read", h);`
// Several handlers may serve one call (e.g. read: random devices, virtual /proc files,
// then pipes); they run in ascending `order` until one returns something other than Pass.
// A call whose handlers all pass runs in the kernel (Allow).
bool register_handler(const char* name, Handler h, int order = 100);
std::vector<Handler> find_handlers(const char* name);

// Hooks for policy that is not tied to one syscall.
// After every successful execve (PTRACE_EVENT_EXEC), before the new program runs.
using ExecHook = void (*)(Tracer& tr, Thread& t);
bool register_exec_hook(ExecHook h);
// At a signal-delivery stop of a running thread; return true when the policy handled the
// signal (e.g. emulated a trapped instruction) and it must not be delivered.
using SignalHook = bool (*)(Tracer& tr, Thread& t, int sig);
bool register_signal_hook(SignalHook h);
// Policy that shares state with a tracee's memory (time.cc: the in-process clock page):
// a stop hook runs at every stop of a thread that may have run user code since it was
// resumed, before anything else is done there; a resume hook just before the thread is
// let run user code again. Both run for every thread: they return at once when they have
// nothing to do for it.
using ThreadHook = void (*)(Tracer& tr, Thread& t);
bool register_stop_hook(ThreadHook h);
bool register_resume_hook(ThreadHook h);
const std::vector<ThreadHook>& stop_hooks();
const std::vector<ThreadHook>& resume_hooks();
const std::vector<ExecHook>& exec_hooks();
const std::vector<SignalHook>& signal_hooks();

// Scratch memory in the tracee for arguments the tracer substitutes (a zero timeout, a
// rewritten array): below the x86-64 red zone of the thread's stack, 16-byte aligned.
inline uint64_t tracee_scratch(const Regs& r, uint64_t size) {
  return ((r.rsp - 128 - size) & ~uint64_t(15)) - 64;
}

}  // namespace det
