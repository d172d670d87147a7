// What the tracer knows about each traced thread and process. Plain state; the event loop
// (tracer.cc) and the scheduler (scheduler.cc) change it, handlers read and annotate it.
#pragma once
#include <cstdint>
#include <sys/types.h>
#include <vector>

#include "core/proc_maps.h"
#include "core/ptrace_ops.h"

namespace det {

struct Process;

// Why a thread cannot run now. A blocked thread is always parked at the seccomp stop of
// the call that would block, registers untouched, so waking it re-dispatches that call.
enum class BlockKind : uint8_t {
  None,
  FdRead,    // local_fd (the tracer's copy of the tracee's fd) not readable yet
  FdWrite,   // local_fd not writable yet
  Futex,     // in the futex wait queue; woken by an emulated FUTEX_WAKE or a thread exit
  Child,     // wait4/waitid: until a child of the process changes state
  Sleep,     // only the deadline can end it
  Signal,    // pause/sigsuspend/sigtimedwait: until a signal in `sigmask` is pending
  Retry,     // locks, IPC, readiness waits: try again once anything else made progress
};

struct Block {
  BlockKind kind = BlockKind::None;
  int local_fd = -1;
  int64_t deadline = -1;       // logical monotonic ns; -1: none
  uint64_t sigmask = 0;        // Signal (or has_sigmask): signals that end the wait (1 << (sig - 1))
  bool has_sigmask = false;    // a readiness wait with its own signal mask (ppoll, epoll_pwait...)
  uint64_t waited = 0;         // Signal: the set a sigtimedwait takes (ignored or not)
  uint64_t progress_seen = 0;  // Retry: the progress counter when it blocked
  uint64_t child_events_seen = 0;  // Child: the process's child-event counter then
  // Futex: the queue key and the bitset of the wait.
  uint64_t futex_a = 0, futex_b = 0;
  uint32_t futex_bitset = 0;
};

// How a parked thread continues when the scheduler picks it.
enum class Park : uint8_t {
  Redispatch,  // at a seccomp stop: run the handler (again)
  Continue,    // registers are final: PTRACE_CONT with inject_sig
  AwaitStop,   // new thread whose first stop has not been seen yet: wait for it
};

enum class ThreadState : uint8_t { Runnable, Blocked, InKernel, Exiting, Dead };

// Per-call scratch for handlers that need the syscall's exit (kept on the thread so the
// hot path allocates nothing).
struct CallScratch {
  int local_fd = -1;
  int saved_flags = 0;
  uint64_t a = 0, b = 0, c = 0;
  // write continuation: bytes already written by earlier parts of one blocking write
  bool cont_active = false;
  bool cont_notified = false;  // the tracer writes the parts itself (blocking.cc, notified_pipe_write)
  uint64_t cont_total = 0;
  uint64_t cont_buf = 0, cont_len = 0;
  // a write to a pipe whose room det counts (pipe_room.h): its count is noted at the exit
  ino_t pipe_ino = 0;
  // splice, tee, vmsplice run with SPLICE_F_NONBLOCK added to this argument (-1: none),
  // put back at the exit
  int splice_flags_arg = -1;
  uint64_t splice_flags = 0;
  // select/pselect6: the fd sets as the program passed them (a zero-timeout try clears them)
  std::vector<uint8_t> saved;
  // ppoll/pselect6/epoll_pwait(2): the signals the call's own mask lets through
  bool has_sigmask = false;
  uint64_t sigmask = 0;
};

struct SysCtx;
enum class ExitVerdict : uint8_t { Done, WouldBlock };
using ExitFn = ExitVerdict (*)(SysCtx&);

struct Thread {
  pid_t tid = 0;
  pid_t ns_tid = 0;  // the tid the sandbox sees
  Process* proc = nullptr;
  uint64_t seq = 0;  // creation order: the scheduler's tie-breaker
  ThreadState state = ThreadState::Runnable;
  Park park = Park::AwaitStop;
  int inject_sig = 0;
  Regs regs{};        // at the current stop
  Regs entry_regs{};  // at the seccomp stop of the call in progress
  Block block;
  bool would_block = false;  // the re-issued call must park with `pending_block`
  Block pending_block;
  ExitFn exit_fn = nullptr;
  CallScratch scratch;
  uint64_t clear_child_tid = 0;
  Thread* vfork_parent = nullptr;  // set on a vfork child until it execs or exits
  bool futex_woken = false;
  bool wake_timed_out = false;  // set by the scheduler when it wakes a blocked thread
  bool wake_signal = false;
  bool maybe_signal = false;     // a signal may have been sent to it: check /proc status
  uint64_t seen_pending = 0;     // pending set at the last check (no busy re-waking)
  uint32_t stops_in_quantum = 0;
  // Seccomp user notifications (tracer.cc, "notifications"). notif_id: the notification
  // the thread waits in, received and not yet answered (0: none); the call's number,
  // arguments and rip are in `regs` meanwhile. bounce: a notified call on its way to a
  // ptrace stop (SIGSTOP sent, notification answered with a restart); bypass: the call
  // is at or past that stop with r9 = kNotifyBypass, its own r9 kept in bypass_r9 until its
  // exit stop gives it back.
  uint64_t notif_id = 0;
  bool bounce = false;
  uint64_t bounce_ip = 0;  // where the bounced call returns to (rip after its syscall instruction)
  bool bypass = false;
  uint64_t bypass_r9 = 0;
  bool is_leader() const;
};

struct Process {
  pid_t tgid = 0;
  pid_t ns_pid = 0;
  Process* parent = nullptr;
  std::vector<Process*> children;  // made or adopted, live or not (until it is gone itself)
  int pidfd = -1;
  std::vector<Thread*> threads;  // live threads
  uint64_t child_events = 0;     // bumped when a child exits: wakes wait4/waitid
  bool exiting = false;          // exit_group or a fatal signal is under way
  bool gone = false;             // its last thread died (parent told, counted once)
  bool is_main = false;          // the command det was asked to run
  bool vfork_parent_waiting = false;
  // The clock state the process's memory holds (time.cc, vclock.cc): copied at fork with
  // the memory, reset at exec with it.
  struct ClockPage {
    uint64_t vdso_entry = 0;    // the vDSO's clock_gettime, patched at exec to make the syscall
    uint64_t page = 0;          // the in-process clock page, once set up (0: none)
    bool refused = false;       // setting it up failed: the syscall it stays
    uint32_t syscalls = 0;      // clock reads through the vDSO's syscall so far
    uint64_t count = 0;         // the page's read count as of the last stop
    bool count_known = false;   // `count` is still the page's (no other process ran since)
    bool shares_vm = false;     // made with or made a CLONE_VM child that is not a thread
  } clock;
  // Its memory map as exec left it, read on first use after each exec (maps_since_exec).
  std::vector<MapLine> exec_maps;
  bool exec_maps_read = false;
};

// The process's memory map as of its exec (the vDSO and the dynamic loader stay where exec
// put them), read once however many exec hooks and later traps look.
inline const std::vector<MapLine>& maps_since_exec(Process& p) {
  if (!p.exec_maps_read) p.exec_maps_read = read_proc_maps(p.tgid, &p.exec_maps);
  return p.exec_maps;
}

inline bool Thread::is_leader() const { return proc && tid == proc->tgid; }

}  // namespace det
