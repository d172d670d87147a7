// The deterministic scheduler. Exactly one tracee runs at a time; it runs until it blocks,
// yields, exits or uses up its quantum of traced stops, and the next one is chosen by a
// fixed rule over the creation order. Nothing here depends on wall time or on the order
// in which the kernel reports events, so the same inputs give the same interleaving.
//
// Blocking calls never block in the kernel: handlers try them non-blocking and park the
// thread with a Block; `pick` re-checks parked threads in order. Sleeps and timeouts run
// on a logical clock that jumps to the next deadline when nothing else can run.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "core/tracee.h"

namespace det {

class Scheduler {
 public:
  static constexpr uint32_t kQuantum = 20000;  // traced stops before a forced switch
  static constexpr int64_t kNsPerStop = 1000;  // logical time each traced stop takes

  // Threads in creation order; `cursor` is where the round-robin resumes.
  void add(Thread* t);
  void remove(Thread* t);
  const std::vector<Thread*>& threads() const { return order_; }

  // The next thread to run after the one created as `prev_seq` (round-robin in creation
  // order), waking blocked ones whose condition now holds; nullptr if none can run now.
  Thread* pick(uint64_t prev_seq);
  // Whether a blocked thread may run now; sets ctx flags through the out-params.
  bool wakeable(Thread* t, bool* timed_out, bool* signal_wake);

  // Logical clock, monotonic ns since the sandbox started.
  int64_t now() const { return now_; }
  void tick() { now_ += kNsPerStop; }
  // Jumps the clock to the earliest deadline of a blocked thread (or of an emulated
  // timer, see below); false if none.
  bool advance_to_next_deadline();

  // Emulated timers (native/policy/time.cc): `check` is the logical time at which the
  // tracer must run the timer hooks next (Tracer::tick, main loop); `wake` is the earliest
  // expiry that can end a wait, which the clock may jump to like a sleep's deadline.
  // -1: none.
  void set_timer_deadlines(int64_t check, int64_t wake) {
    timer_check_ = check;
    timer_wake_ = wake;
  }
  bool timer_due() const { return timer_check_ >= 0 && now_ >= timer_check_; }

  // Any traced call that may change shared state counts as progress (wakes Retry blocks).
  void progress() { ++progress_; }
  uint64_t progress_count() const { return progress_; }

  // Futex wait queues, FIFO per key.
  void futex_enqueue(Thread* t);
  // Wakes up to n waiters of key whose bitset intersects; returns how many.
  int futex_wake(uint64_t a, uint64_t b, int n, uint32_t bitset);
  // Moves up to n waiters from one key to another; returns how many.
  int futex_requeue(uint64_t a, uint64_t b, uint64_t a2, uint64_t b2, int n);
  void futex_forget(Thread* t);

 private:
  std::vector<Thread*> order_;
  int64_t now_ = 0;
  uint64_t progress_ = 0;
  int64_t timer_check_ = -1, timer_wake_ = -1;
  std::map<std::pair<uint64_t, uint64_t>, std::deque<Thread*>> futexes_;
};

// Pending and blocked signal sets of a thread, from /proc/<tid>/status.
bool read_signal_state(pid_t tid, uint64_t* pending, uint64_t* blocked);
// The pending signals that would interrupt a blocking call natively: without ptrace the
// kernel discards a signal the process ignores (SIG_IGN, or SIG_DFL of SIGCHLD, SIGCONT,
// SIGURG, SIGWINCH) unless it is blocked; under ptrace it is queued and stops the tracee,
// but it must not end a wait (else the call goes into the kernel, is interrupted there and
// restarted by the kernel, blocking in it).
uint64_t interrupting_signals(pid_t tid, uint64_t* blocked, uint64_t* all_pending = nullptr);

}  // namespace det
