// The tracer: launches the sandbox, follows every thread of the run with ptrace, drives
// the deterministic scheduler and hands each traced syscall to its policy handler.
// Mechanism lives here and in ptrace_ops/scheduler; policy lives in native/policy/.
#pragma once
#include <csignal>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/handler.h"
#include "core/scheduler.h"
#include "core/tracee.h"

namespace det {

struct RunStats {
  std::map<std::string, uint64_t> intercepted;  // group -> traced calls
  struct Unsupported {
    uint64_t count = 0;
    pid_t pid = 0;  // sandbox pid of the first process that made it
  };
  std::map<std::string, Unsupported> unsupported;  // syscall name -> count
  std::map<std::string, uint64_t> denied;          // refused escapes (EPERM)
  uint64_t processes = 0, threads = 0, stops = 0;
  uint64_t notified = 0;   // of the stops: served by a seccomp user notification
  uint64_t bounced = 0;    // of those: moved on to a ptrace stop (NeedStop)
  uint64_t killed_at_exit = 0;  // still alive when the command exited
};

class Tracer {
 public:
  explicit Tracer(const RunConfig& cfg);
  ~Tracer();

  // Runs the command; returns det's exit status (SPEC §1) and fills the report fields.
  int run();

  // For handlers.
  const RunConfig& config() const { return cfg_; }
  Scheduler& sched() { return sched_; }
  RunStats& stats() { return stats_; }
  void count(const char* group) { ++stats_.intercepted[group]; }
  // Whether a pipe, socket or terminal is one the run was given by its caller (det's own
  // stdin/stdout/stderr): its other end is outside the sandbox, so whether it is ready
  // depends on outside timing. Calls on it run in the kernel, blocking if they must, so
  // the schedule never depends on how fast the outside reads or writes.
  bool is_external(dev_t dev, ino_t ino) const;
  // A signal may now be pending for some blocked thread: make the scheduler look.
  void note_signal_sent();
  // After `sender` delivered SIGKILL: collect the deaths of the threads it reached.
  void collect_killed(Thread* sender);
  void collect_sigkilled(const std::function<bool(const Thread*)>& candidate);
  void collect_orphans_killed(const Process* p);
  void adopt_orphans(Process* p);
  // Logical clocks (ns).
  int64_t monotonic_ns() const { return sched_.now() + kBootOffsetNs; }
  int64_t realtime_ns() const { return cfg_.epoch * 1000000000LL + sched_.now(); }
  void log(int level, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
  // Refuse the run (--strict): ends it with status 125 and this reason.
  void refuse(const std::string& why);

  static constexpr int64_t kBootOffsetNs = 1000LL * 1000000000LL;  // "up" 1000 s at start

  // One traced stop of t (a seccomp stop, a trapped instruction): the logical clock
  // advances, t is charged for it, and emulated timers that are now due fire.
  void tick(Thread* t);
  // Logical CPU time (ns): the clock ticks charged to a thread, to all threads a process
  // ever had, and to its exited descendants (policy/time.cc's CPU clocks and rusage).
  int64_t thread_cpu_ns(const Thread* t) const;
  int64_t process_cpu_ns(const Process* p) const;
  int64_t children_cpu_ns(const Process* p) const;

  // Results, valid after run().
  int exit_code() const { return exit_code_; }
  int term_signal() const { return term_signal_; }
  double duration_ms() const { return duration_ms_; }
  const std::string& failure() const { return failure_; }
  bool timed_out() const { return timed_out_; }
  bool deadlocked() const { return deadlocked_; }
  int interrupted_by() const { return interrupted_by_; }

 private:
  // Launch.
  bool launch();
  // The loop.
  void main_loop();
  void run_thread(Thread* t);
  int wait_event(Thread* t, pid_t* who);  // next event of t; others' events handled
  bool handle_event(Thread* t, int status);
  // PTRACE_CONT of a thread that goes on to run user code: the resume hooks first.
  bool resume(Thread* t, int sig = 0);
  void handle_async(pid_t pid, int status);
  void absorb(pid_t pid, int status);
  void run_thread_until_parked(Thread* t);
  bool dispatch(Thread* t);
  bool restart_as_interrupted_call(Thread* t, Regs& r);
  bool apply(Thread* t, SysCtx& ctx, Verdict v);
  bool on_syscall_exit(Thread* t);
  // Seccomp user notifications.
  bool take_listener(Thread* t);
  bool receive_notification(Thread* t, pid_t* who);
  bool answer(Thread* t, long ret, bool run_it);
  void send_answer(Thread* t, long ret, bool run_it);  // answer without the resume hooks
  bool answer_with_fd(Thread* t, int local, bool cloexec);
  bool bounce(Thread* t);
  bool on_bounce_stop(Thread* t);
  void forget_notification(Thread* t);
  void on_new_child(Thread* t, int event);
  void on_exec(Thread* t);
  bool on_exit_event(Thread* t);
  bool on_signal(Thread* t, int sig);
  bool refuse_foreign_abi(Thread* t);
  // Records a call det does not support; false if --strict refused the run for it.
  bool note_unsupported(Thread* t, const std::string& name);
  // status: as waitpid reported it, or kDeathUnknown when the report was lost.
  void on_death(Thread* t, int status);
  static constexpr int kDeathUnknown = -1;  // neither WIFEXITED nor WIFSIGNALED
  void collect_lost(Thread* t);
  void drain_process(Process* p);
  void await_vfork_done(Thread* parent);
  bool await_exiting();
  bool death_is_near(const Thread* t, const std::vector<Thread*>& dying = {}) const;
  bool wait_external();
  void end_run_killing_all(const char* why);
  void kill_everything();
  void forget_init();
  Thread* find(pid_t tid);
  void park_blocked(Thread* t);
  void release_block(Thread* t);
  void fire_timers();

  RunConfig cfg_;
  bool delay_next_wait_ = false;  // RunConfig::test_wait_delay_us: before the exit stop of a call let run
  Scheduler sched_;
  RunStats stats_;
  std::map<pid_t, Thread*> threads_;
  std::vector<std::unique_ptr<Thread>> all_threads_;
  std::vector<std::unique_ptr<Process>> all_procs_;
  Thread* running_ = nullptr;   // the thread run_thread is running
  bool stashed_ = false;        // its next event, collected by a nested wait
  int stashed_status_ = 0;
  std::set<pid_t> early_stops_;  // first stops of threads whose creation event is pending
  std::vector<std::vector<Handler>> handlers_;  // by syscall number, in order
  pid_t init_pid_ = -1;
  Process* main_ = nullptr;
  bool awaiting_listener_ = false;  // cfg_.notify: the command's handshake is still to come
  int listener_ = -1;               // the seccomp notification descriptor (-1: ptrace stops only)
  int sigchld_fd_ = -1;             // signalfd of SIGCHLD: ptrace events, polled with listener_
  bool reap_first_ = true;          // a SIGCHLD was taken from sigchld_fd_: waitpid before polling
  Thread* next_ = nullptr;  // runs next regardless of round-robin (a vfork child)
  uint64_t seq_ = 0;
  uint64_t prev_seq_ = 0;
  bool main_done_ = false;
  int64_t main_exit_at_ = -1;  // logical time the command exited
  static constexpr int64_t kOrphanGraceNs = 10LL * 1000000000;  // leftovers may run this long
  int main_status_ = 0;
  int exit_code_ = 125, term_signal_ = 0;
  double duration_ms_ = 0;
  std::string failure_;
  bool timed_out_ = false, deadlocked_ = false, finished_ = false;
  int interrupted_by_ = 0;
  int log_fd_ = 2;
  std::vector<std::pair<dev_t, ino_t>> external_;  // see is_external
  struct CpuUse {
    int64_t self = 0, children = 0;
  };
  std::map<const Thread*, int64_t> thread_cpu_;
  std::map<const Process*, CpuUse> proc_cpu_;
};

// Emulated timers (policy/time.cc): run when the logical clock reaches
// sched().set_timer_deadlines()'s `check`, with every tracee stopped.
using TimerHook = void (*)(Tracer& tr);
bool register_timer_hook(TimerHook h);

// Set by the tracer's signal handlers (timeout, SIGINT/SIGTERM/SIGHUP).
extern volatile sig_atomic_t g_stop_signal;
// pid 1 of the sandbox (host pid), for the last-resort kill in the signal handler.
extern volatile sig_atomic_t g_init_pid;

}  // namespace det
