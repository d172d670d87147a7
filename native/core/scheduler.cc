#include "core/scheduler.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace det {

void Scheduler::add(Thread* t) { order_.push_back(t); }

void Scheduler::remove(Thread* t) {
  futex_forget(t);
  order_.erase(std::remove(order_.begin(), order_.end(), t), order_.end());
}

namespace {

// The signal lines of /proc/<tid>/status.
struct SignalStatus {
  uint64_t thread_pending = 0, shared_pending = 0, blocked = 0, ignored = 0, caught = 0;
};

bool read_signal_status(pid_t tid, SignalStatus* st) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = 0;
  const struct {
    const char* key;
    uint64_t* out;
  } fields[] = {{"SigPnd:", &st->thread_pending}, {"ShdPnd:", &st->shared_pending}, {"SigBlk:", &st->blocked},
                {"SigIgn:", &st->ignored},        {"SigCgt:", &st->caught}};
  for (char* line = buf; line && *line;) {
    char* next = strchr(line, '\n');
    if (next) *next++ = 0;
    for (const auto& f : fields)
      if (!strncmp(line, f.key, 7)) *f.out = strtoull(line + 7, nullptr, 16);
    line = next;
  }
  return true;
}

}  // namespace

bool read_signal_state(pid_t tid, uint64_t* pending, uint64_t* blocked) {
  SignalStatus st;
  if (!read_signal_status(tid, &st)) return false;
  *pending = st.thread_pending | st.shared_pending;
  *blocked = st.blocked;
  return true;
}

uint64_t interrupting_signals(pid_t tid, uint64_t* blocked, uint64_t* all_pending) {
  SignalStatus st;
  *blocked = 0;
  if (all_pending) *all_pending = 0;
  if (!read_signal_status(tid, &st)) return 0;
  auto bit = [](int sig) { return 1ULL << (sig - 1); };
  uint64_t default_ignore = bit(SIGCHLD) | bit(SIGCONT) | bit(SIGURG) | bit(SIGWINCH);
  uint64_t ignored = (st.ignored | (default_ignore & ~st.caught)) & ~st.blocked;
  uint64_t pending = st.thread_pending | st.shared_pending;
  *blocked = st.blocked;
  if (all_pending) *all_pending = pending;
  return pending & ~ignored;
}

bool Scheduler::wakeable(Thread* t, bool* timed_out, bool* signal_wake) {
  *timed_out = false;
  *signal_wake = false;
  const Block& b = t->block;
  // A signal sent to it may have to interrupt the wait. Checked only when something may
  // have sent one (kill, a child's exit), and only when the pending set changed.
  if (t->maybe_signal) {
    t->maybe_signal = false;
    uint64_t blocked = 0, all = 0;
    // sigtimedwait takes the signals of its set even where they would be ignored
    uint64_t pending = interrupting_signals(t->tid, &blocked, &all) | (all & b.waited);
    uint64_t mask = (b.kind == BlockKind::Signal || b.has_sigmask) ? b.sigmask : ~blocked;
    uint64_t deliverable = pending & mask;
    if (deliverable && pending != t->seen_pending) {
      t->seen_pending = pending;
      *signal_wake = true;
      return true;
    }
    t->seen_pending = pending;
  }
  bool ready = false;
  switch (b.kind) {
    case BlockKind::None: ready = true; break;
    case BlockKind::FdRead:
    case BlockKind::FdWrite: {
      pollfd p{b.local_fd, static_cast<short>(b.kind == BlockKind::FdRead ? POLLIN : POLLOUT), 0};
      ready = poll(&p, 1, 0) != 0;  // ready, hung up, error or invalid: let the call see it
      break;
    }
    case BlockKind::Futex: ready = t->futex_woken; break;
    case BlockKind::Child: ready = t->proc->child_events != b.child_events_seen; break;
    case BlockKind::Sleep: ready = false; break;
    case BlockKind::Signal: ready = false; break;
    case BlockKind::Retry: ready = progress_ != b.progress_seen; break;
  }
  if (ready) return true;
  if (b.deadline >= 0 && now_ >= b.deadline) {
    *timed_out = true;
    return true;
  }
  return false;
}

Thread* Scheduler::pick(uint64_t prev_seq) {
  size_t n = order_.size();
  if (n == 0) return nullptr;
  // order_ is sorted by seq (threads are appended as they are created).
  auto it = std::upper_bound(order_.begin(), order_.end(), prev_seq,
                             [](uint64_t s, const Thread* t) { return s < t->seq; });
  size_t start = static_cast<size_t>(it - order_.begin());
  for (size_t i = 0; i < n; ++i) {
    Thread* t = order_[(start + i) % n];
    if (t->state == ThreadState::Runnable) return t;
    if (t->state == ThreadState::Blocked) {
      bool timed_out, signal_wake;
      if (wakeable(t, &timed_out, &signal_wake)) {
        // The handler learns why it was woken from these (see Tracer::dispatch).
        t->state = ThreadState::Runnable;
        t->wake_timed_out = timed_out;
        t->wake_signal = signal_wake;
        return t;
      }
    }
  }
  return nullptr;
}

bool Scheduler::advance_to_next_deadline() {
  int64_t best = -1;
  for (Thread* t : order_) {
    if (t->state != ThreadState::Blocked || t->block.deadline < 0) continue;
    if (best < 0 || t->block.deadline < best) best = t->block.deadline;
  }
  if (timer_wake_ >= 0 && (best < 0 || timer_wake_ < best)) best = timer_wake_;
  if (best < 0) return false;
  if (best > now_) now_ = best;
  return true;
}

void Scheduler::futex_enqueue(Thread* t) {
  t->futex_woken = false;
  futexes_[{t->block.futex_a, t->block.futex_b}].push_back(t);
}

int Scheduler::futex_wake(uint64_t a, uint64_t b, int n, uint32_t bitset) {
  auto it = futexes_.find({a, b});
  if (it == futexes_.end()) return 0;
  int woken = 0;
  auto& q = it->second;
  for (auto w = q.begin(); w != q.end() && woken < n;) {
    if ((*w)->block.futex_bitset & bitset) {
      (*w)->futex_woken = true;
      w = q.erase(w);
      ++woken;
    } else {
      ++w;
    }
  }
  if (q.empty()) futexes_.erase(it);
  return woken;
}

int Scheduler::futex_requeue(uint64_t a, uint64_t b, uint64_t a2, uint64_t b2, int n) {
  auto it = futexes_.find({a, b});
  if (it == futexes_.end() || n <= 0) return 0;
  int moved = 0;
  auto& q = it->second;
  auto& dst = futexes_[{a2, b2}];
  while (!q.empty() && moved < n) {
    Thread* t = q.front();
    q.pop_front();
    t->block.futex_a = a2;
    t->block.futex_b = b2;
    dst.push_back(t);
    ++moved;
  }
  if (q.empty()) futexes_.erase(it);
  return moved;
}

void Scheduler::futex_forget(Thread* t) {
  for (auto it = futexes_.begin(); it != futexes_.end();) {
    auto& q = it->second;
    q.erase(std::remove(q.begin(), q.end(), t), q.end());
    if (q.empty()) it = futexes_.erase(it);
    else ++it;
  }
}

}  // namespace det
