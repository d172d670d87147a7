#include "core/tracer.h"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/sandbox.h"
#include "core/seccomp_filter.h"
#include "core/io_util.h"
#include "core/sandbox_init.h"
#include "core/syscall_table.h"
#include "core/tsc_share.h"
#include "policy/machine.h"

namespace det {

volatile sig_atomic_t g_stop_signal = 0;
volatile sig_atomic_t g_init_pid = 0;

namespace {

constexpr long kPtraceOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                                PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEVFORKDONE |
                                PTRACE_O_TRACEEXIT | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;

int event_of(int status) { return status >> 16; }

// wait_event's status for "the thread waits in a seccomp user notification": no waitpid
// status looks so (stopped by signal 127).
constexpr int kNotified = 0x7f7f;
constexpr int kERestartNoIntr = 513;  // the kernel's ERESTARTNOINTR: restart the call

// The thread's own sandbox tid, from the last field of NSpid in /proc/<tid>/status.
pid_t read_ns_tid(pid_t tid, pid_t* tgid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", tid);
  FILE* f = fopen(path, "re");
  if (!f) return 0;
  char line[512];
  pid_t ns = 0;
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "Tgid:", 5) && tgid) *tgid = static_cast<pid_t>(atoi(line + 5));
    if (!strncmp(line, "NSpid:", 6)) {
      char* last = strrchr(line, '\t');
      ns = static_cast<pid_t>(atoi(last ? last + 1 : line + 6));
    }
  }
  fclose(f);
  return ns;
}


}  // namespace

bool Tracer::is_external(dev_t dev, ino_t ino) const {
  for (const auto& e : external_)
    if (e.first == dev && e.second == ino) return true;
  return false;
}

Tracer::Tracer(const RunConfig& cfg) : cfg_(cfg) {
  for (int fd = 0; fd < 3; ++fd) {
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISBLK(st.st_mode))
      external_.emplace_back(st.st_dev, st.st_ino);
  }
  handlers_.assign(kSyscallLimit, {});
  for (const SyscallEntry& e : syscall_table())
    if (handled(e.action)) handlers_[e.nr] = find_handlers(e.name);
  if (!cfg_.log.empty()) {
    int fd = open(cfg_.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) log_fd_ = fd;
  }
}

Tracer::~Tracer() {
  if (log_fd_ > 2) close(log_fd_);
  if (listener_ >= 0) close(listener_);
  if (sigchld_fd_ >= 0) close(sigchld_fd_);
}

void Tracer::log(int level, const char* fmt, ...) {
  if (cfg_.debug < level) return;
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > static_cast<int>(sizeof buf) - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  write_all(log_fd_, "[det] " + std::string(buf, static_cast<size_t>(n)));
}

void Tracer::refuse(const std::string& why) {
  if (failure_.empty()) failure_ = why;
  end_run_killing_all("refused");
}

namespace {
std::vector<TimerHook>& timer_hook_list() {
  static std::vector<TimerHook> v;
  return v;
}
}  // namespace

bool register_timer_hook(TimerHook h) {
  timer_hook_list().push_back(h);
  return true;
}

void Tracer::fire_timers() {
  for (TimerHook h : timer_hook_list()) h(*this);
}

bool Tracer::resume(Thread* t, int sig) {
  for (ThreadHook h : resume_hooks()) h(*this, *t);
  return resume_cont(t->tid, sig);
}

void Tracer::tick(Thread* t) {
  sched_.tick();
  thread_cpu_[t] += Scheduler::kNsPerStop;
  proc_cpu_[t->proc].self += Scheduler::kNsPerStop;
  if (sched_.timer_due()) fire_timers();
}

int64_t Tracer::thread_cpu_ns(const Thread* t) const {
  auto it = thread_cpu_.find(t);
  return it == thread_cpu_.end() ? 0 : it->second;
}

int64_t Tracer::process_cpu_ns(const Process* p) const {
  auto it = proc_cpu_.find(p);
  return it == proc_cpu_.end() ? 0 : it->second.self;
}

int64_t Tracer::children_cpu_ns(const Process* p) const {
  auto it = proc_cpu_.find(p);
  return it == proc_cpu_.end() ? 0 : it->second.children;
}

void Tracer::note_signal_sent() {
  for (Thread* t : sched_.threads())
    if (t->state == ThreadState::Blocked) t->maybe_signal = true;
}

Thread* Tracer::find(pid_t tid) {
  auto it = threads_.find(tid);
  return it == threads_.end() ? nullptr : it->second;
}

// ---------------------------------------------------------------------------------------
// Launch: tracer -> init (pid 1, untraced once the command is forked) -> command (pid 2).

// Tracer and tracees share one CPU. Only one tracee runs at a time anyway, and every
// ptrace stop is a switch between tracee and tracer: on one CPU it is a direct context
// switch, across CPUs it needs a cross-CPU wakeup. Measured on a 2-vCPU VM: 55 us per
// stop across CPUs, 10 us on one (see bench/).
static void pin_to_one_cpu() {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
  int cpu = sched_getcpu();
  if (cpu < 0 || !CPU_ISSET(cpu, &allowed)) {
    for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &allowed); ++cpu) {
    }
    if (cpu >= CPU_SETSIZE) return;
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  sched_setaffinity(0, sizeof one, &one);
}

bool Tracer::launch() {
  pin_to_one_cpu();
  std::string err;
  if (!sandbox_unshare(&err)) {
    failure_ = err;
    return false;
  }
  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) != 0) {
    failure_ = std::string("pipe: ") + strerror(errno);
    return false;
  }
  SandboxConfig sandbox = sandbox_config_from(cfg_);
  sandbox.proc_files = proc_file_snapshot(*this);
  fflush(nullptr);
  pid_t init = fork();
  if (init < 0) {
    failure_ = std::string("cannot start the sandbox: fork: ") + strerror(errno);
    return false;
  }
  if (init == 0) {
    close(errpipe[0]);
    enter_sandbox_init(cfg_, sandbox, errpipe[1]);
  }
  close(errpipe[1]);
  init_pid_ = init;
  g_init_pid = init;
  awaiting_listener_ = cfg_.notify;
  auto init_failed = [&]() {
    char buf[1024];
    ssize_t n = read(errpipe[0], buf, sizeof buf - 1);
    failure_ = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "the sandbox's init process died";
    close(errpipe[0]);
    return false;
  };
  // A stop signal (SIGINT, SIGTERM, SIGHUP) while the sandbox starts ends the run as
  // interrupted (run() gives 128+N), not as a start-up failure (125).
  auto wait_start = [&](pid_t who, int* st) {
    for (;;) {
      pid_t w = waitpid(who, st, __WALL);
      if (w >= 0 || errno != EINTR || g_stop_signal) return w;
    }
  };
  int status;
  if (wait_start(init, &status) != init || !WIFSTOPPED(status)) return init_failed();
  if (ptrace(PTRACE_SETOPTIONS, init, nullptr, reinterpret_cast<void*>(kPtraceOptions)) != 0) {
    failure_ = std::string("ptrace(SETOPTIONS): ") + strerror(errno);
    return false;
  }
  resume_cont(init);
  pid_t cmd = -1;
  while (cmd < 0) {
    pid_t w = wait_start(-1, &status);
    if (w < 0) return init_failed();
    if (w == init) {
      if (!WIFSTOPPED(status)) return init_failed();
      if (event_of(status) == PTRACE_EVENT_FORK) {
        unsigned long msg = 0;
        ptrace(PTRACE_GETEVENTMSG, init, nullptr, &msg);
        cmd = static_cast<pid_t>(msg);
        // init stays untraced: it only reaps orphans and never affects the command.
        ptrace(PTRACE_DETACH, init, nullptr, nullptr);
      } else {
        resume_cont(init, WSTOPSIG(status) == SIGTRAP ? 0 : WSTOPSIG(status));
      }
    } else if (WIFSTOPPED(status)) {
      early_stops_.insert(w);  // the command's first stop came before init's fork event
    }
  }
  close(errpipe[0]);

  auto proc = std::make_unique<Process>();
  proc->tgid = cmd;
  proc->is_main = true;
  proc->pidfd = open_pidfd(cmd);
  main_ = proc.get();
  auto th = std::make_unique<Thread>();
  th->tid = cmd;
  th->proc = main_;
  th->seq = ++seq_;
  th->park = early_stops_.erase(cmd) ? Park::Continue : Park::AwaitStop;
  main_->threads.push_back(th.get());
  threads_[cmd] = th.get();
  sched_.add(th.get());
  all_threads_.push_back(std::move(th));
  all_procs_.push_back(std::move(proc));
  stats_.processes = 1;
  stats_.threads = 1;
  return true;
}

// ---------------------------------------------------------------------------------------
// The loop.

int Tracer::run() {
  struct timespec t0 = host_clock(CLOCK_MONOTONIC), t1;
  if (!launch()) {
    exit_code_ = 125;
    if (g_stop_signal && g_stop_signal != SIGALRM) {  // interrupted while starting: the
      interrupted_by_ = g_stop_signal;                  // handler killed init under launch
      exit_code_ = 128 + g_stop_signal;
      failure_.clear();
    }
    // init and what it started: the command may be in a ptrace stop (its exit stop, when a
    // stop signal killed init under launch), which must be resumed for it and init to die.
    end_run_killing_all(nullptr);
  } else {
    if (cfg_.timeout > 0) {
      struct itimerval it{};
      it.it_value.tv_sec = static_cast<time_t>(cfg_.timeout);
      it.it_value.tv_usec = static_cast<suseconds_t>((cfg_.timeout - static_cast<double>(it.it_value.tv_sec)) * 1e6);
      if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0) it.it_value.tv_usec = 1;
      setitimer(ITIMER_REAL, &it, nullptr);
    }
    if (cfg_.share_tsc_trap && share_tsc_trap()) log(1, "tsc: the tracer traps rdtsc too (no CR4 write per stop; its own read was caught)");
    try {
      main_loop();
    } catch (const std::exception& e) {
      // A tracer bug (a handler that could not cope with what a tracee passed): the run ends
      // as a tool failure (125) with the reason in the report, every tracee killed and
      // collected, rather than the tracer dying and EXITKILL doing the rest unreported.
      failure_ = std::string("internal error in the tracer: ") + e.what();
      log(1, "%s", failure_.c_str());
      finished_ = false;
      end_run_killing_all("internal error");
    }
    unshare_tsc_trap();
    struct itimerval off{};
    setitimer(ITIMER_REAL, &off, nullptr);
    if (main_done_) {
      if (WIFEXITED(main_status_)) {
        exit_code_ = WEXITSTATUS(main_status_);
      } else if (WIFSIGNALED(main_status_)) {
        term_signal_ = WTERMSIG(main_status_);
        exit_code_ = 128 + term_signal_;
      }
    }
    if (timed_out_) exit_code_ = 124;
    else if (interrupted_by_) exit_code_ = 128 + interrupted_by_;
    else if (!failure_.empty()) exit_code_ = 125;
  }
  t1 = host_clock(CLOCK_MONOTONIC);
  duration_ms_ = static_cast<double>(t1.tv_sec - t0.tv_sec) * 1e3 + static_cast<double>(t1.tv_nsec - t0.tv_nsec) / 1e6;
  return exit_code_;
}

void Tracer::main_loop() {
  unsigned idle_rounds = 0;
  while (!finished_) {
    if (g_stop_signal) {
      if (g_stop_signal == SIGALRM) {
        timed_out_ = true;
        end_run_killing_all("timeout");
      } else {
        interrupted_by_ = g_stop_signal;
        end_run_killing_all("interrupted");
      }
      break;
    }
    if (main_done_) {
      // The command has exited. Processes it left behind (a double-forked writer, a
      // background job) may finish within a grace period of logical time; whatever is
      // still there then, or can only wait, is killed, at a point fixed by the schedule.
      if (main_exit_at_ < 0) main_exit_at_ = sched_.now();
      if (sched_.threads().empty() || sched_.now() > main_exit_at_ + kOrphanGraceNs) {
        end_run_killing_all("the command exited");
        break;
      }
    }
    if (sched_.timer_due()) fire_timers();
    Thread* t = next_;
    next_ = nullptr;
    if (t && t->state != ThreadState::Runnable) t = nullptr;
    if (!t) t = sched_.pick(prev_seq_);
    if (!t) {
      if (sched_.threads().empty()) break;
      fire_timers();  // every tracee waits: timers re-check which expiries could wake one
      if (sched_.advance_to_next_deadline()) continue;
      if (await_exiting()) continue;
      if (main_done_) {  // leftovers that can only wait for each other or the outside
        end_run_killing_all("the command exited");
        break;
      }
      if (wait_external()) {
        ++idle_rounds;
        continue;
      }
      deadlocked_ = true;
      failure_ = "deadlock: every process of the run is blocked (" + std::to_string(sched_.threads().size()) +
                 " threads)";
      end_run_killing_all("deadlock");
      break;
    }
    idle_rounds = 0;
    if (rearm_tsc_trap()) log(1, "tsc: the tracer read the time-stamp counter; trap armed again");
    prev_seq_ = t->seq;
    run_thread(t);
  }
  (void)idle_rounds;
}

// Nothing can run, but a thread is past its exit stop (met while another thread ran): its
// death is certain and may be what the others wait for (a parent in wait4, a joiner).
// Collected here, at a point the schedule fixes; not a deadlock. False: no such thread.
bool Tracer::await_exiting() {
  bool any = false;
  for (Thread* t : sched_.threads())
    if (t->state == ThreadState::Exiting && death_is_near(t)) any = true;
  if (!any) return false;
  int status;
  pid_t w = waitpid(-1, &status, __WALL);
  if (w < 0) return errno == EINTR;  // a stop request: the loop handles it
  handle_async(w, status);
  return true;
}

// t, past its exit stop, reports its death soon: a thread other than the leader does; a
// thread-group leader's death is reported only once the rest of its group is gone (a leader
// that called exit while its threads run on waits as a zombie). `dying`: threads known to
// be on their way out besides those past their exit stops.
bool Tracer::death_is_near(const Thread* t, const std::vector<Thread*>& dying) const {
  if (!t->is_leader()) return true;
  for (const Thread* s : t->proc->threads) {
    if (s == t || s->state == ThreadState::Dead || (s->state == ThreadState::Exiting && !s->is_leader())) continue;
    if (std::find(dying.begin(), dying.end(), s) == dying.end()) return false;
  }
  return true;
}

// Waits for something outside the sandbox (a pipe from the host, the terminal) that a
// blocked thread is waiting on. False when nothing outside can wake anyone: a deadlock.
bool Tracer::wait_external() {
  std::vector<pollfd> fds;
  bool retry_blocked = false;
  for (Thread* t : sched_.threads()) {
    if (t->state != ThreadState::Blocked) continue;
    if (t->block.kind == BlockKind::FdRead) fds.push_back({t->block.local_fd, POLLIN, 0});
    if (t->block.kind == BlockKind::FdWrite) fds.push_back({t->block.local_fd, POLLOUT, 0});
    if (t->block.kind == BlockKind::Retry) retry_blocked = true;
  }
  if (fds.empty() && !retry_blocked) return false;
  if (!fds.empty()) {
    // Not for ever: a tracee killed from outside (the host, the OOM killer) leaves its
    // stop and reports its exit stop and death, which no descriptor here shows.
    int r = poll(fds.data(), fds.size(), retry_blocked ? 20 : 100);
    if (r < 0 && errno != EINTR) return false;
  } else {
    usleep(20000);
  }
  for (;;) {  // such reports: absorbed (a death wakes the parent's wait)
    int status;
    pid_t w = waitpid(-1, &status, __WALL | WNOHANG);
    if (w <= 0) break;
    handle_async(w, status);
  }
  // Readiness and lock state may have changed outside: let every retry run once more.
  sched_.progress();
  return true;
}

void Tracer::run_thread(Thread* t) {
  running_ = t;
  stashed_ = false;
  run_thread_until_parked(t);
  running_ = nullptr;
  stashed_ = false;
}

void Tracer::run_thread_until_parked(Thread* t) {
  t->stops_in_quantum = 0;
  bool keep = true;
  switch (t->park) {
    case Park::AwaitStop: {
      int status;
      pid_t w = waitpid(t->tid, &status, __WALL);
      if (w != t->tid) {
        if (errno == EINTR) return;  // stop request: the loop handles it
        on_death(t, kDeathUnknown);
        return;
      }
      if (!WIFSTOPPED(status)) {
        on_death(t, status);
        return;
      }
      t->park = Park::Continue;
      t->inject_sig = 0;
      [[fallthrough]];
    }
    case Park::Continue:
      if (!resume(t, t->inject_sig)) {
        collect_lost(t);
        return;
      }
      t->inject_sig = 0;
      break;
    case Park::Redispatch:
      keep = dispatch(t);
      break;
  }
  while (keep && t->state != ThreadState::Dead && !finished_) {
    pid_t who = 0;
    int status = wait_event(t, &who);
    if (who < 0) return;  // interrupted by a stop request
    keep = handle_event(t, status);
  }
}

int Tracer::wait_event(Thread* t, pid_t* who) {
  if (delay_next_wait_) {  // tests only (RunConfig::test_wait_delay_us)
    delay_next_wait_ = false;
    usleep(cfg_.test_wait_delay_us);
  }
  for (;;) {
    if (stashed_ && running_ == t) {  // collected by a nested wait (see handle_async)
      stashed_ = false;
      *who = t->tid;
      return stashed_status_;
    }
    if (listener_ >= 0 && !reap_first_) {
      // Either a ptrace event (SIGCHLD) or a notification comes next: wait for both.
      pollfd p[2] = {{listener_, POLLIN, 0}, {sigchld_fd_, POLLIN, 0}};
      if (poll(p, 2, -1) < 0) {
        if (errno == EINTR && g_stop_signal) {
          *who = -1;
          return 0;
        }
        continue;
      }
      if (p[1].revents & POLLIN) {
        // One read takes it: SIGCHLD does not queue, so at most one is pending.
        signalfd_siginfo si;
        ssize_t n = read(sigchld_fd_, &si, sizeof si);
        (void)n;
        reap_first_ = true;
      }
      if ((p[0].revents & POLLIN) && receive_notification(t, who)) return kNotified;
      if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
        // No tracee is left to notify: plain waits from here on.
        close(listener_);
        listener_ = -1;
      }
      continue;
    }
    int status = 0;
    pid_t w = waitpid(-1, &status, __WALL | (listener_ >= 0 ? WNOHANG : 0));
    if (w == 0) {  // nothing to reap: poll
      reap_first_ = false;
      continue;
    }
    if (w < 0) {
      if (errno == EINTR && g_stop_signal) {
        *who = -1;
        return 0;
      }
      if (errno == EINTR) continue;
      // No tracee left at all: t is gone.
      *who = -1;
      on_death(t, kDeathUnknown);
      return 0;
    }
    if (w == t->tid) {
      *who = w;
      return status;
    }
    // A multi-threaded exec reports through the thread-group leader's tid: the thread
    // that called execve takes over that tid.
    if (WIFSTOPPED(status) && event_of(status) == PTRACE_EVENT_EXEC && t->proc && w == t->proc->tgid) {
      unsigned long former = 0;
      ptrace(PTRACE_GETEVENTMSG, w, nullptr, &former);
      if (static_cast<pid_t>(former) == t->tid) {
        Thread* old_leader = find(w);
        if (old_leader && old_leader != t) {
          old_leader->state = ThreadState::Dead;
          sched_.remove(old_leader);
          auto& v = t->proc->threads;
          v.erase(std::remove(v.begin(), v.end(), old_leader), v.end());
        }
        threads_.erase(t->tid);
        t->tid = w;
        threads_[w] = t;
        *who = w;
        return status;
      }
    }
    handle_async(w, status);
    // t's own death may have been collected on the way (e.g. while draining its exiting
    // thread group from another thread's death): nothing more will come for it.
    if (t->state == ThreadState::Dead) {
      *who = -1;
      return 0;
    }
  }
}

bool Tracer::handle_event(Thread* t, int status) {
  bool notified = status == kNotified;
  if (!notified) {
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      on_death(t, status);
      return false;
    }
    if (!WIFSTOPPED(status)) return true;
  }
  int sig = notified ? 0 : WSTOPSIG(status);
  int ev = notified ? 0 : event_of(status);
  bool seccomp_stop = sig == SIGTRAP && ev == PTRACE_EVENT_SECCOMP;
  // A bounced call's stops (its SIGSTOP, then its seccomp stop) come with no user code run
  // since its notification, where the stop hooks ran and the stop was counted.
  if (t->bounce && sig == SIGSTOP) return on_bounce_stop(t);
  if (!(t->bypass && seccomp_stop)) for (ThreadHook h : stop_hooks()) h(*this, *t);
  // The command's handshake (its first seccomp stop) is not one of its calls: not counted,
  // no logical time, so runs with and without notifications count alike.
  if (seccomp_stop && (t->bypass || awaiting_listener_)) return dispatch(t);
  if (notified || seccomp_stop) {
    if (notified) ++stats_.notified;
    ++stats_.stops;
    tick(t);
    if (++t->stops_in_quantum > Scheduler::kQuantum && sched_.threads().size() > 1) {
      // Quantum used up: park at this stop; the call is dispatched when it runs again.
      t->park = Park::Redispatch;
      t->state = ThreadState::Runnable;
      return false;
    }
    return dispatch(t);
  }
  if (sig == (SIGTRAP | 0x80)) return on_syscall_exit(t);
  if (sig == SIGTRAP && ev != 0) {
    switch (ev) {
      case PTRACE_EVENT_FORK:
      case PTRACE_EVENT_CLONE:
      case PTRACE_EVENT_VFORK:
        on_new_child(t, ev);
        if (ev == PTRACE_EVENT_VFORK) {
          // The parent now waits in the kernel until the child execs or exits; the child
          // runs next. The parent's VFORK_DONE stop is collected deterministically then.
          resume(t);
          t->state = ThreadState::InKernel;
          t->park = Park::Continue;
          return false;
        }
        break;
      case PTRACE_EVENT_EXEC:
        on_exec(t);
        break;
      case PTRACE_EVENT_EXIT:
        return on_exit_event(t);
      default:
        break;
    }
    if (!resume(t)) {
      collect_lost(t);
      return false;
    }
    return true;
  }
  return on_signal(t, sig);
}

void Tracer::handle_async(pid_t pid, int status) {
  // The running thread's own next event, met by a nested wait (draining a dying thread
  // group, collecting a killed thread): kept for the running thread's event loop, which
  // would otherwise wait for it forever.
  if (running_ && pid == running_->tid && running_->state != ThreadState::Dead) {
    stashed_status_ = status;
    stashed_ = true;
    return;
  }
  absorb(pid, status);
}

// An event of a thread that is not the one running: recorded, so the thread continues
// correctly when the scheduler next picks it.
void Tracer::absorb(pid_t pid, int status) {
  Thread* a = find(pid);
  if (!a) {
    if (pid == init_pid_) {
      if (WIFEXITED(status) || WIFSIGNALED(status)) forget_init();
      return;
    }
    if (WIFSTOPPED(status)) early_stops_.insert(pid);
    return;
  }
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    on_death(a, status);
    return;
  }
  if (!WIFSTOPPED(status)) return;
  int sig = WSTOPSIG(status);
  int ev = event_of(status);
  if (a->park == Park::AwaitStop) {
    a->park = Park::Continue;
    a->inject_sig = 0;
    return;
  }
  if (sig == SIGTRAP && ev == PTRACE_EVENT_EXIT) {
    a->state = ThreadState::Exiting;
    resume_cont(pid);
    return;
  }
  if (sig == SIGTRAP && ev == PTRACE_EVENT_VFORK_DONE) {
    a->state = ThreadState::Runnable;
    a->park = Park::Continue;
    return;
  }
  if (sig == SIGTRAP && ev == PTRACE_EVENT_SECCOMP) {
    a->state = ThreadState::Runnable;
    a->park = Park::Redispatch;
    return;
  }
  // A signal-delivery stop of a thread that is not running (e.g. a vfork parent waiting
  // in the kernel): deliver it when the thread next runs.
  a->state = ThreadState::Runnable;
  a->park = Park::Continue;
  a->inject_sig = (sig == SIGTRAP && ev) ? 0 : sig;
}

// ---------------------------------------------------------------------------------------
// Syscalls.

// restart_syscall: a wait interrupted by a signal that ran no handler (a signal the process
// ignores, which ptrace still queues; a stop and continue) is resumed by the kernel, in the
// kernel, with its remaining timeout, where it would block unseen by the scheduler. Instead
// the interrupted call is issued again through its handler, from the registers of its
// entry (the last traced call of this thread: no handler ran in between), so a poll that
// met an ignored SIGCHLD returns what it would have returned natively. Its timeout starts
// again on the logical clock. False for a call that is not such a wait (then EINTR).
bool Tracer::restart_as_interrupted_call(Thread* t, Regs& r) {
  const Regs& e = t->entry_regs;
  switch (static_cast<long>(e.orig_rax)) {
    case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6: case SYS_epoll_wait:
    case SYS_epoll_pwait: case SYS_epoll_pwait2: case SYS_nanosleep: case SYS_clock_nanosleep:
    case SYS_futex:
      break;
    default:
      log(1, "restart_syscall in %d after syscall %llu: EINTR", t->tid, static_cast<unsigned long long>(e.orig_rax));
      return false;
  }
  r.orig_rax = e.orig_rax;
  r.rdi = e.rdi;
  r.rsi = e.rsi;
  r.rdx = e.rdx;
  r.r10 = e.r10;
  r.r8 = e.r8;
  r.r9 = e.r9;
  return set_regs(t->tid, r);
}

bool Tracer::dispatch(Thread* t) {
  Regs& r = t->regs;
  bool notified = t->notif_id != 0;  // else a ptrace stop (regs from receive_notification)
  if (!notified && !get_regs(t->tid, &r)) {
    collect_lost(t);  // killed while parked
    return false;
  }
  if (awaiting_listener_ && t->proc == main_ && r.orig_rax == SYS_kill && r.r10 == kNotifyHandshake) return take_listener(t);
  // A bounced call: the kernel's r9 carries the bypass to its exit; handlers see the call's.
  if (t->bypass) r.r9 = t->bypass_r9;
  bool retry = t->state == ThreadState::Runnable && t->park == Park::Redispatch && t->block.kind != BlockKind::None;
  SysCtx ctx{*this, *t, r};
  ctx.notified = notified;
  ctx.retry = retry;
  ctx.timed_out = t->wake_timed_out;
  ctx.signal_wake = t->wake_signal;
  t->wake_timed_out = t->wake_signal = false;
  release_block(t);
  t->state = ThreadState::Runnable;

  if (t->would_block) {
    // The call was tried non-blocking at its previous issue and would block: park it.
    t->would_block = false;
    t->block = t->pending_block;
    t->pending_block = Block{};
    park_blocked(t);
    return false;
  }

  if (r.orig_rax == SYS_restart_syscall && !restart_as_interrupted_call(t, r)) return apply(t, ctx, ctx.emulate(-EINTR));
  long nr = static_cast<long>(r.orig_rax);
  // Always an x86-64 call: foreign ABIs raise SIGSYS instead (seccomp_filter.h), so no
  // PTRACE_GETEVENTMSG per stop to ask.
  const SyscallEntry* e = syscall_entry(nr);
  if (!retry && !t->bypass) count(e ? e->group : "unsupported");  // (a bounced call was, as a notification)
  log(2, "%d %s(%llx, %llx, %llx)%s%s", t->ns_tid ? t->ns_tid : t->tid,
      e ? e->name : "?", static_cast<unsigned long long>(r.rdi), static_cast<unsigned long long>(r.rsi),
      static_cast<unsigned long long>(r.rdx), retry ? " [retry]" : "", t->bypass ? " [at a ptrace stop]" : "");

  if (!e || e->action == Action::DenyENOSYS) {
    char buf[32];
    if (!note_unsupported(t, syscall_name(nr, buf))) return false;
    return apply(t, ctx, ctx.emulate(-ENOSYS));
  }
  if (e->action == Action::DenyEPERM) {
    ++stats_.denied[e->name];
    return apply(t, ctx, ctx.emulate(-EPERM));
  }
  if (e->action == Action::Allow) return apply(t, ctx, Verdict::Allow);
  if (!notified) t->entry_regs = r;  // (a notification has no full registers to keep)
  Verdict v = Verdict::Pass;
  for (Handler h : handlers_[nr]) {
    v = h(ctx);
    if (v != Verdict::Pass) break;
  }
  return apply(t, ctx, v == Verdict::Pass ? Verdict::Allow : v);
}

bool Tracer::apply(Thread* t, SysCtx& ctx, Verdict v) {
  Regs& r = ctx.regs;
  if (ctx.notified) {
    if (v == Verdict::NeedStop) return bounce(t);
    if (v == Verdict::AllowExit || v == Verdict::Yield || ctx.regs_dirty) {
      char buf[32];
      throw std::logic_error(std::string(syscall_name(static_cast<long>(r.orig_rax), buf)) +
                             ": a handler needs a ptrace stop but did not say NeedStop");
    }
    if (v == Verdict::Block) {
      park_blocked(t);  // it waits in its notification meanwhile
      return false;
    }
    sched_.progress();
    if (ctx.answer_fd >= 0) return answer_with_fd(t, ctx.answer_fd, ctx.answer_fd_cloexec);
    return answer(t, ctx.ret, v != Verdict::Emulate);
  }
  if (v == Verdict::NeedStop) throw std::logic_error("NeedStop at a ptrace stop");
  if (t->bypass) {
    if (v == Verdict::Emulate || v == Verdict::Yield) {
      t->bypass = false;  // skipped: r9 is the call's (r)
    } else if (v != Verdict::Block) {
      // The bounced call runs: the kernel rechecks the filter after the stop, so r9 keeps
      // the bypass until the exit stop, where the call's own r9 is put back.
      r.r9 = kNotifyBypass;
      ctx.regs_dirty = true;
      if (v != Verdict::AllowExit) {
        t->exit_fn = nullptr;
        v = Verdict::AllowExit;
      }
    }
  }
  switch (v) {
    case Verdict::Pass:
    case Verdict::Allow:
    case Verdict::NeedStop:  // (not here: thrown above)
      if (ctx.regs_dirty) set_regs(t->tid, r);
      sched_.progress();
      break;
    case Verdict::AllowExit:
      if (ctx.regs_dirty) set_regs(t->tid, r);
      if (!resume_syscall(t->tid)) {
        collect_lost(t);
        return false;
      }
      delay_next_wait_ = cfg_.test_wait_delay_us != 0;
      return true;
    case Verdict::Emulate:
    case Verdict::Yield:
      r.orig_rax = static_cast<unsigned long long>(-1);
      r.rax = static_cast<unsigned long long>(ctx.ret);
      set_regs(t->tid, r);
      sched_.progress();
      if (v == Verdict::Yield) {
        t->park = Park::Continue;
        t->state = ThreadState::Runnable;
        return false;
      }
      break;
    case Verdict::Block:
      park_blocked(t);
      return false;
  }
  if (!resume(t)) {
    collect_lost(t);
    return false;
  }
  return true;
}

void Tracer::park_blocked(Thread* t) {
  t->state = ThreadState::Blocked;
  t->park = Park::Redispatch;
  t->block.progress_seen = sched_.progress_count();
  t->block.child_events_seen = t->proc->child_events;
  if (t->block.kind == BlockKind::Futex) sched_.futex_enqueue(t);
}

void Tracer::release_block(Thread* t) {
  if (t->block.kind == BlockKind::Futex) sched_.futex_forget(t);
  if (t->block.local_fd >= 0) close(t->block.local_fd);
  t->block = Block{};
}

// ---------------------------------------------------------------------------------------
// Notifications. Notify calls (syscall_table.def) make the tracee wait in a seccomp user
// notification instead of a ptrace stop: the tracer receives the call's number and
// arguments, and answers with a result or lets the kernel run it, for about half what a
// ptrace stop costs (no stop, no register transfers). The scheduler treats a thread waiting
// in one as it treats one at a seccomp stop: it is held there while parked (the filter's
// WAIT_KILLABLE_RECV: only a fatal signal ends that wait) and dispatched when it runs.
// A call whose handler needs a ptrace stop (NeedStop) is bounced to one: the tracer sends
// the thread a SIGSTOP and answers the notification with ERESTARTNOINTR, so the thread
// stops with the call undone (on_bounce_stop); there it is rewound to re-issue the call with
// r9 = kNotifyBypass, which the filter traces, and at that seccomp stop the handlers run
// again with full registers (its r9 is given back at its exit stop).

// The command's handshake (sandbox_init.cc): its notification descriptor, or -1 if the
// kernel gave none. The kill is answered 0 without running.
bool Tracer::take_listener(Thread* t) {
  awaiting_listener_ = false;
  Regs& r = t->regs;
  int remote = static_cast<int>(r.rdx);
  if (remote >= 0) {
    int fd = static_cast<int>(syscall(SYS_pidfd_getfd, t->proc->pidfd, remote, 0));
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    // SIGCHLD blocked and read from a descriptor: ptrace events become pollable with the
    // notifications (blocked, it is queued although its default action ignores it).
    int sfd = -1;
    if (fd >= 0 && sigprocmask(SIG_BLOCK, &chld, nullptr) == 0) sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0) {
      // Its Notify calls would wait for a tracer that never answers: refuse the run.
      if (fd >= 0) close(fd);
      failure_ = std::string("cannot take the seccomp notification descriptor: ") + strerror(errno);
      end_run_killing_all("no notification descriptor");
      return false;
    }
    listener_ = fd;
    sigchld_fd_ = sfd;
    reap_first_ = true;
  }
  log(1, "seccomp user notification: %s", listener_ >= 0 ? "in use" : "not available, ptrace stops only");
  r.orig_rax = static_cast<unsigned long long>(-1);
  r.rax = 0;
  set_regs(t->tid, r);
  if (!resume(t)) {
    collect_lost(t);
    return false;
  }
  return true;
}

// A notification has come: true if it is t's (then t->regs holds the call). Another
// thread's cannot come while t runs but would be kept for when that thread runs.
bool Tracer::receive_notification(Thread* t, pid_t* who) {
  seccomp_notif n;
  memset(&n, 0, sizeof n);
  // Fails when the notification was withdrawn (a signal ended the wait before it was
  // received): the thread's signal stop follows.
  if (ioctl(listener_, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0) return false;
  Thread* a = find(static_cast<pid_t>(n.pid));
  if (!a) throw std::logic_error("a seccomp notification from an unknown thread " + std::to_string(n.pid));
  a->notif_id = n.id;
  Regs& r = a->regs;
  r = Regs{};
  r.orig_rax = static_cast<unsigned long long>(n.data.nr);
  r.rax = static_cast<unsigned long long>(-ENOSYS);
  r.rdi = n.data.args[0];
  r.rsi = n.data.args[1];
  r.rdx = n.data.args[2];
  r.r10 = n.data.args[3];
  r.r8 = n.data.args[4];
  r.r9 = n.data.args[5];
  r.rip = n.data.instruction_pointer;
  if (a == t) {
    *who = t->tid;
    return true;
  }
  a->state = ThreadState::Runnable;
  a->park = Park::Redispatch;
  return false;
}

// Answers t's notification: the call runs in the kernel (run_it) or returns ret.
bool Tracer::answer(Thread* t, long ret, bool run_it) {
  for (ThreadHook h : resume_hooks()) h(*this, *t);
  send_answer(t, ret, run_it);
  return true;
}

void Tracer::send_answer(Thread* t, long ret, bool run_it) {
  seccomp_notif_resp resp;
  memset(&resp, 0, sizeof resp);
  resp.id = t->notif_id;
  t->notif_id = 0;
  if (run_it) resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  else if (ret < 0 && ret >= -4095) resp.error = static_cast<int32_t>(ret);
  else resp.val = ret;
  // ENOENT: a fatal signal ended the wait meanwhile; its exit stop comes next.
  ioctl(listener_, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

// Answers t's notification with a new descriptor for `local` (installed and returned by the
// kernel at once), or with the error installing it gave (EMFILE...).
bool Tracer::answer_with_fd(Thread* t, int local, bool cloexec) {
  for (ThreadHook h : resume_hooks()) h(*this, *t);
  seccomp_notif_addfd add;
  memset(&add, 0, sizeof add);
  add.id = t->notif_id;
  add.flags = SECCOMP_ADDFD_FLAG_SEND;
  add.srcfd = static_cast<uint32_t>(local);
  add.newfd_flags = cloexec ? O_CLOEXEC : 0;
  if (ioctl(listener_, SECCOMP_IOCTL_NOTIF_ADDFD, &add) >= 0 || errno == ENOENT) {
    t->notif_id = 0;
    return true;
  }
  send_answer(t, -errno, false);
  return true;
}

// NeedStop: see above. The SIGSTOP, sent while the thread waits (no signal but a fatal one
// ends that wait), is what makes it stop on its way out with the call undone. (A thread
// that is only traced, not seized, has no PTRACE_INTERRUPT.) Two consequences, both fixed
// by the schedule: a SIGSTOP being sent flushes a pending SIGCONT of the process (a SIGCONT
// that is blocked or not yet delivered); and a signal already pending for the thread is
// delivered before the call, which then restarts (as if the signal had come just before
// it), where at a ptrace stop the call would run first. So handlers let the kernel run a
// call that a pending signal interrupts at once (signal_wake) rather than say NeedStop.
bool Tracer::bounce(Thread* t) {
  ++stats_.bounced;
  t->bounce = true;
  t->bounce_ip = t->regs.rip;
  syscall(SYS_tgkill, t->proc->tgid, t->tid, SIGSTOP);
  send_answer(t, -kERestartNoIntr, false);
  return true;
}

// The SIGSTOP of a bounce, reported as it is dequeued. Normally the call is undone right
// before it (rax -ERESTARTNOINTR, rip past the syscall instruction): rewind it to be issued
// again with the bypass, and drop the signal. If another signal was delivered first, its
// handler has run or is about to, and the call was restarted the usual way (it comes as a
// notification again): the signal is only dropped.
bool Tracer::on_bounce_stop(Thread* t) {
  t->bounce = false;
  Regs r;
  if (!get_regs(t->tid, &r)) {
    collect_lost(t);
    return false;
  }
  if (static_cast<long>(r.rax) == -kERestartNoIntr && r.rip == t->bounce_ip) {
    t->bypass = true;
    t->bypass_r9 = r.r9;
    r.rax = r.orig_rax;
    r.rip -= kSyscallInsnLen;
    r.r9 = kNotifyBypass;
    set_regs(t->tid, r);
  }
  if (!resume_cont(t->tid, 0)) {
    collect_lost(t);
    return false;
  }
  return true;
}

bool Tracer::on_syscall_exit(Thread* t) {
  if (!get_regs(t->tid, &t->regs)) {
    collect_lost(t);
    return false;
  }
  ExitFn fn = t->exit_fn;
  t->exit_fn = nullptr;
  SysCtx ctx{*this, *t, t->regs};
  ExitVerdict v = fn ? fn(ctx) : ExitVerdict::Done;
  if (t->bypass) {  // a bounced call: its own r9 back (the re-issue below has it too)
    t->bypass = false;
    t->regs.r9 = t->bypass_r9;
    ctx.regs_dirty = true;
  }
  if (v == ExitVerdict::Done) {
    if (ctx.regs_dirty) set_regs(t->tid, t->regs);
    sched_.progress();
  } else {
    // Re-issue the call when it runs next: the registers of its entry, rip back over
    // the syscall instruction. Its next seccomp stop parks it (would_block).
    Regs back = t->entry_regs;
    back.rax = back.orig_rax;
    back.rip -= kSyscallInsnLen;
    set_regs(t->tid, back);
    t->would_block = true;
  }
  if (!resume(t)) {
    collect_lost(t);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// The process model.

// The flags and child-tid address of the clone/clone3 call t is stopped in (at its fork,
// vfork or clone event: the call's arguments are still in its registers and memory). fork
// and vfork take none: the event says which it was.
static void clone_args_of(pid_t tid, uint64_t* flags, uint64_t* ctid) {
  *flags = *ctid = 0;
  Regs r;
  if (!get_regs(tid, &r)) return;
  if (r.orig_rax == SYS_clone) {
    *flags = r.rdi;
    *ctid = r.r10;
  } else if (r.orig_rax == SYS_clone3) {
    clone_args args{};
    uint64_t size = r.rsi < sizeof args ? r.rsi : sizeof args;
    if (read_mem(tid, r.rdi, &args, size) != static_cast<ssize_t>(size)) return;
    *flags = args.flags;
    *ctid = args.child_tid;
  }
}

void Tracer::on_new_child(Thread* t, int event) {
  unsigned long msg = 0;
  ptrace(PTRACE_GETEVENTMSG, t->tid, nullptr, &msg);
  pid_t tid = static_cast<pid_t>(msg);
  if (tid <= 0 || find(tid)) return;
  uint64_t flags, ctid;
  clone_args_of(t->tid, &flags, &ctid);
  pid_t tgid = 0;
  pid_t ns_tid = read_ns_tid(tid, &tgid);
  bool is_thread = event == PTRACE_EVENT_CLONE && (flags & CLONE_THREAD);
  if (tgid) is_thread = tgid == t->proc->tgid;
  auto th = std::make_unique<Thread>();
  th->tid = tid;
  th->ns_tid = ns_tid;
  th->seq = ++seq_;
  th->state = ThreadState::Runnable;
  th->park = early_stops_.erase(tid) ? Park::Continue : Park::AwaitStop;
  if (flags & CLONE_CHILD_CLEARTID) th->clear_child_tid = ctid;
  if (is_thread) {
    th->proc = t->proc;
  } else {
    auto p = std::make_unique<Process>();
    p->tgid = tid;
    p->ns_pid = ns_tid;
    p->parent = (flags & CLONE_PARENT) ? t->proc->parent : t->proc;
    if (p->parent) p->parent->children.push_back(p.get());
    p->pidfd = open_pidfd(tid);
    p->clock = t->proc->clock;  // the child's memory is a copy (or, with CLONE_VM, the same)
    p->clock.count_known = false;
    if (flags & CLONE_VM) p->clock.shares_vm = t->proc->clock.shares_vm = true;  // vfork, posix_spawn
    th->proc = p.get();
    all_procs_.push_back(std::move(p));
    ++stats_.processes;
  }
  ++stats_.threads;
  if (event == PTRACE_EVENT_VFORK) {
    th->vfork_parent = t;
    next_ = th.get();
  }
  th->proc->threads.push_back(th.get());
  threads_[tid] = th.get();
  sched_.add(th.get());
  log(1, "new %s %d (sandbox %d) from %d", is_thread ? "thread" : "process", tid, ns_tid, t->tid);
  all_threads_.push_back(std::move(th));
}

void Tracer::await_vfork_done(Thread* parent) {
  if (!parent || parent->state != ThreadState::InKernel) return;
  for (;;) {
    int status;
    pid_t w = waitpid(parent->tid, &status, __WALL);
    if (w != parent->tid) {
      if (errno == EINTR && !g_stop_signal) continue;
      if (errno == EINTR) return;  // the run is ending
      on_death(parent, kDeathUnknown);
      return;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      on_death(parent, status);
      return;
    }
    if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP && event_of(status) == PTRACE_EVENT_VFORK_DONE) {
      parent->state = ThreadState::Runnable;
      parent->park = Park::Continue;
      return;
    }
    handle_async(parent->tid, status);
    if (parent->state != ThreadState::InKernel) return;
  }
}

void Tracer::on_exec(Thread* t) {
  if (!t->proc->ns_pid) t->proc->ns_pid = read_ns_tid(t->tid, nullptr);
  if (!t->ns_tid) t->ns_tid = t->proc->ns_pid;
  t->proc->exec_maps_read = false;  // a new memory map
  t->proc->exec_maps.clear();
  if (t->vfork_parent) {
    Thread* parent = t->vfork_parent;
    t->vfork_parent = nullptr;
    await_vfork_done(parent);
  }
  for (ExecHook h : exec_hooks()) h(*this, *t);
  log(1, "exec in %d", t->tid);
}

bool Tracer::on_exit_event(Thread* t) {
  t->state = ThreadState::Exiting;
  resume_cont(t->tid);
  // A thread-group leader that exits while other threads live stays a zombie and reports
  // nothing until they are gone: do not wait for it.
  if (t->is_leader() && !t->proc->exiting) {
    size_t live = 0;
    for (Thread* o : t->proc->threads)
      if (o != t && o->state != ThreadState::Dead) ++live;
    if (live > 0) return false;
  }
  return true;  // its death report follows
}

bool Tracer::note_unsupported(Thread* t, const std::string& name) {
  auto& u = stats_.unsupported[name];
  if (u.count++ == 0) {
    u.pid = t->proc->ns_pid ? t->proc->ns_pid : t->proc->tgid;
    log(1, "unsupported syscall %s: failing it with ENOSYS", name.c_str());
  }
  if (!cfg_.strict) return true;
  refuse("refused: the command used syscall " + name + ", which det cannot determinize (--strict)");
  return false;
}

// The SIGSYS of the filter's foreign-ABI rule: the call (never run) is recorded as
// unsupported and fails with ENOSYS, the signal is not delivered. SECCOMP_RET_TRAP put the
// call's registers back (rax = the number), so rax is set here. False: not that SIGSYS
// (another filter's, or sent by a program), delivered as usual.
bool Tracer::refuse_foreign_abi(Thread* t) {
  constexpr int kSysSeccomp = 1;  // si_code of a seccomp SIGSYS (asm-generic/siginfo.h)
  siginfo_t si;
  if (ptrace(PTRACE_GETSIGINFO, t->tid, nullptr, &si) != 0 || si.si_code != kSysSeccomp ||
      static_cast<unsigned>(si.si_errno) != kForeignAbiData || si.si_arch == AUDIT_ARCH_X86_64)
    return false;
  tick(t);
  count("unsupported");
  std::string name = (si.si_arch == AUDIT_ARCH_I386 ? "i386:" : "abi-" + std::to_string(si.si_arch) + ":") +
                     std::to_string(si.si_syscall);
  log(2, "%d %s (foreign ABI)", t->ns_tid ? t->ns_tid : t->tid, name.c_str());
  if (!note_unsupported(t, name)) return true;
  Regs r;
  if (get_regs(t->tid, &r)) {
    r.rax = static_cast<uint64_t>(-ENOSYS);
    set_regs(t->tid, r);
  }
  return true;
}

bool Tracer::on_signal(Thread* t, int sig) {
  // A signal is being taken: a later one, even of the same set, must wake a wait again
  // (Scheduler::wakeable wakes only when the pending set differs from the one last seen).
  t->seen_pending = 0;
  // The next stop is not the re-issue of a would-block call any more: a handler runs.
  if (t->would_block) {
    t->would_block = false;
    if (t->pending_block.local_fd >= 0) close(t->pending_block.local_fd);
    t->pending_block = Block{};
  }
  if (sig == SIGSYS && refuse_foreign_abi(t)) {
    if (finished_) return false;  // refused (--strict): the run is ending
    sig = 0;
  }
  for (SignalHook h : signal_hooks())
    if (h(*this, *t, sig)) {
      sig = 0;
      break;
    }
  if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
    // A stop signal is first reported as it is dequeued (siginfo available): delivering it
    // starts a group stop, which is reported again as a stop without siginfo. Then the
    // thread stays parked, stopped, until a SIGCONT (or SIGKILL) is pending for it; the
    // kernel has told the parent (CLD_STOPPED), and the parent's waits are re-checked.
    siginfo_t si;
    if (ptrace(PTRACE_GETSIGINFO, t->tid, nullptr, &si) != 0 && errno == EINVAL) {
      t->state = ThreadState::Blocked;
      t->park = Park::Continue;
      t->inject_sig = 0;
      t->block = Block{};
      t->block.kind = BlockKind::Signal;
      t->block.sigmask = (1ULL << (SIGCONT - 1)) | (1ULL << (SIGKILL - 1));
      t->block.waited = t->block.sigmask;  // SIGCONT continues it even where it is ignored
      t->seen_pending = 0;
      t->maybe_signal = true;
      if (Process* parent = t->proc->parent) {
        ++parent->child_events;
        for (Thread* pt : parent->threads) pt->maybe_signal = true;
      }
      return false;
    }
  }
  if (sig == SIGCONT) {
    // The kernel tells the parent (CLD_CONTINUED) as the continued thread runs on.
    if (Process* parent = t->proc->parent) {
      ++parent->child_events;
      for (Thread* pt : parent->threads) pt->maybe_signal = true;
    }
  }
  if (!resume(t, sig)) {
    collect_lost(t);
    return false;
  }
  return true;
}

void Tracer::on_death(Thread* t, int status) {
  if (t->state == ThreadState::Dead) return;
  bool reported = WIFEXITED(status) || WIFSIGNALED(status);
  t->state = ThreadState::Dead;
  t->notif_id = 0;
  t->bounce = t->bypass = false;
  release_block(t);
  if (t->pending_block.local_fd >= 0) close(t->pending_block.local_fd);
  if (t->scratch.local_fd >= 0) close(t->scratch.local_fd), t->scratch.local_fd = -1;
  sched_.remove(t);
  threads_.erase(t->tid);
  Process* p = t->proc;
  auto& v = p->threads;
  v.erase(std::remove(v.begin(), v.end(), t), v.end());
  // pthread_join waits on the exited thread's clear_child_tid futex; the kernel's wake
  // reaches nobody (no tracee sleeps in the kernel), so wake the emulated waiters.
  if (t->clear_child_tid) sched_.futex_wake(static_cast<uint64_t>(p->tgid), t->clear_child_tid, 1 << 30, ~0u);
  if (t->vfork_parent) {
    Thread* parent = t->vfork_parent;
    t->vfork_parent = nullptr;
    await_vfork_done(parent);
  }
  if (reported && WIFSIGNALED(status)) p->exiting = true;
  if (p->exiting && !v.empty()) drain_process(p);
  if (p->threads.empty() && !p->gone) {
    p->gone = true;  // once, also when a drain above already saw the last thread die
    if (p->pidfd >= 0) close(p->pidfd), p->pidfd = -1;
    // The record stays (pointers to it outlive it) but not its memory map: kilobytes per
    // process, which a build of 100,000 processes would otherwise keep to its end.
    std::vector<MapLine>().swap(p->exec_maps);
    p->exec_maps_read = true;
    if (p->parent) {  // its CPU time now counts as its parent's children's
      const CpuUse& u = proc_cpu_[p];
      proc_cpu_[p->parent].children += u.self + u.children;
    }
    if (p->parent) {
      ++p->parent->child_events;
      for (Thread* pt : p->parent->threads) pt->maybe_signal = true;  // SIGCHLD
    }
    if (p->is_main && !main_done_) {
      main_done_ = true;
      main_status_ = reported ? status : (137 << 8);
      if (!reported) main_status_ = 0x9;  // killed, exact status unknown
    }
    log(1, "process %d exited (status 0x%x)", p->tgid, status);
  }
  if (reported && !finished_) {
    collect_orphans_killed(p);
    if (p->gone) adopt_orphans(p);
  }
}

// A ptrace request on t failed: t is no longer in a ptrace stop. Not a lost event but a
// SIGKILL (from a tracee's kill(), the end of the run, the OOM killer) that woke it where it
// was parked; it is on its way out and will report an exit stop, then its death. Both are
// collected now, so it is never left in its exit stop (nothing would ever resume it) and
// its death is processed at this point of the schedule, not whenever it happens to come.
void Tracer::collect_lost(Thread* t) {
  log(1, "thread %d left its stop (killed?): collecting its death", t->tid);
  t->state = ThreadState::Exiting;
  while (t->state != ThreadState::Dead) {
    int status;
    pid_t w = waitpid(-1, &status, __WALL);
    if (w < 0) {
      if (errno == EINTR && !g_stop_signal) continue;
      if (errno == EINTR) return;  // the run is ending: its drain collects t
      on_death(t, kDeathUnknown);
      return;
    }
    if (w != t->tid) {
      handle_async(w, status);
      continue;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      on_death(t, status);
    } else if (WIFSTOPPED(status)) {
      if (event_of(status) == PTRACE_EVENT_EXIT || WSTOPSIG(status) == SIGKILL) {
        resume_cont(t->tid);
        continue;
      }
      // Back in a stop that is not on the way out (the request failed for another
      // reason): it is parked there and runs when next scheduled.
      t->state = ThreadState::Runnable;
      absorb(w, status);
      return;
    }
  }
}

// A tracee's kill-family call delivered SIGKILL. Its targets were parked in ptrace stops;
// the SIGKILL woke them and they are dying now, in real time, while the sender runs on. So
// that the sender's next wait4(WNOHANG), /proc read or pipe read sees the same world in
// every run, every thread the SIGKILL reached is collected dead before the sender goes on.
void Tracer::collect_killed(Thread* sender) {
  const Process* own = sender->proc;
  collect_sigkilled([own](const Thread* o) { return o->proc != own; });
}

// The threads among `candidate` that a SIGKILL woke out of the stops det parked them in
// are collected dead now. Such a thread is no longer in its stop (the wake-up is
// synchronous with the SIGKILL), or in its exit stop, or already past it: the kernel may
// run it to its exit stop before the tracer looks, and the tracer, waiting for another
// thread, then meets that stop first and lets it go on (absorb: Exiting). A thread the
// SIGKILL did not reach is still where det parked it.
void Tracer::collect_sigkilled(const std::function<bool(const Thread*)>& candidate) {
  std::vector<Thread*> dying;
  std::vector<Thread*> exiting;
  for (auto& kv : threads_) {
    Thread* o = kv.second;
    if (o->state == ThreadState::Dead || !candidate(o)) continue;
    if (o->state == ThreadState::Exiting) {
      exiting.push_back(o);
      continue;
    }
    // Not parked where det put it: a vfork parent in the kernel, a new thread not yet seen:
    // their reports come as they come (handle_async, collect_lost).
    if (o->state == ThreadState::InKernel || o->park == Park::AwaitStop) continue;
    if (o->notif_id) {
      // Waiting in a notification, not in a ptrace stop: killed if SIGKILL is pending for
      // it (set for every thread of the group before the kill returns), or if it has left
      // the wait (which it does before it takes the SIGKILL off that set).
      uint64_t blocked = 0, pending = 0;
      interrupting_signals(o->tid, &blocked, &pending);
      if ((pending & (1ULL << (SIGKILL - 1))) || ioctl(listener_, SECCOMP_IOCTL_NOTIF_ID_VALID, &o->notif_id) != 0)
        dying.push_back(o);
      continue;
    }
    siginfo_t si;
    if (ptrace(PTRACE_GETSIGINFO, o->tid, nullptr, &si) != 0) {
      if (errno == ESRCH) dying.push_back(o);
    } else if (si.si_code == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
      dying.push_back(o);
    }
  }
  // A thread past its exit stop dies soon, whatever killed it: collected now too, unless
  // its death waits for threads that live on (death_is_near; those the SIGKILL reached die).
  for (Thread* o : exiting)
    if (death_is_near(o, dying)) dying.push_back(o);
  for (Thread* o : dying) {
    if (o->state == ThreadState::Dead) continue;  // collected with its thread group
    collect_lost(o);
  }
}

// A thread of p died. The kernel sent each child process it made its parent-death signal
// (prctl PR_SET_PDEATHSIG) as it exited; a SIGKILL among them woke the child out of its
// stop, and it dies in real time: collected now, at a point the schedule fixes. Other
// signals wait in the child until det runs it, as any signal does.
void Tracer::collect_orphans_killed(const Process* p) {
  collect_sigkilled([p](const Thread* o) { return o->proc->parent == p; });
}

// The real parent of process tgid and its state letter (/proc/<tgid>/stat, host pids);
// 0 if unknown.
static pid_t real_ppid(pid_t tgid, char* state) {
  std::string stat;
  if (!read_file("/proc/" + std::to_string(tgid) + "/stat", &stat)) return 0;
  size_t r = stat.rfind(')');  // the name may hold spaces and parentheses
  int ppid = 0;
  if (r == std::string::npos || sscanf(stat.c_str() + r + 1, " %c %d", state, &ppid) != 2) return 0;
  return ppid;
}

// p is gone. The kernel gave its children, live or zombie, to the nearest ancestor that made
// itself a subreaper (prctl PR_SET_CHILD_SUBREAPER), or else to the sandbox's init, which
// det does not trace. The new parent's waits see them from now on (a zombie among them is
// reapable at once): its wait4/waitid are woken, and the children's later deaths count as
// its children's.
void Tracer::adopt_orphans(Process* p) {
  std::vector<Process*> kids;
  kids.swap(p->children);
  for (Process* q : kids) {
    if (q->parent != p) continue;
    // A dead child p reaped is nobody's any more; its pid may even be another process's
    // now, which is then no zombie (a live child's pid is its own).
    char state = 0;
    pid_t pp = real_ppid(q->tgid, &state);
    if (q->gone && state != 'Z') pp = 0;
    Thread* nt = pp > 0 ? find(pp) : nullptr;
    Process* np = nt && nt->proc != p ? nt->proc : nullptr;
    q->parent = np;
    if (!np) continue;
    np->children.push_back(q);
    ++np->child_events;
    for (Thread* t : np->threads) t->maybe_signal = true;  // the SIGCHLD a zombie brings
  }
}

// Every thread of a process that is exiting as a whole dies before anything else runs,
// so the next thread picked sees the same world every run.
void Tracer::drain_process(Process* p) {
  // Any thread's report may come first (a leader that exited reports only after the
  // others are reaped), so collect whatever comes; others' events are handled as usual.
  while (!p->threads.empty()) {
    int status;
    pid_t w = waitpid(-1, &status, __WALL);
    if (w < 0) {
      if (errno == EINTR && !g_stop_signal) continue;
      while (!p->threads.empty()) on_death(p->threads.front(), kDeathUnknown);  // nothing left to report
      return;
    }
    Thread* o = find(w);
    if (!o || o->proc != p) {
      handle_async(w, status);
      continue;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      bool was_exiting = p->exiting;
      p->exiting = false;  // no recursion: this loop drains the rest
      on_death(o, status);
      p->exiting = was_exiting;
    } else if (WIFSTOPPED(status)) {
      resume_cont(o->tid);  // an exit stop, or a stop on the way out: it is dying
    }
  }
}

// init was reaped: its pid may be reused, so the stop-signal handler must not kill it.
void Tracer::forget_init() {
  init_pid_ = -1;
  g_init_pid = 0;
}

void Tracer::kill_everything() {
  if (init_pid_ > 0) kill(init_pid_, SIGKILL);  // pid 1 of the namespace: takes all with it
  for (auto& kv : threads_) kill(kv.first, SIGKILL);
}

void Tracer::end_run_killing_all(const char* why) {
  if (finished_) return;
  finished_ = true;
  size_t alive = 0;
  for (auto& kv : threads_)
    if (kv.second->state != ThreadState::Dead && kv.second->is_leader()) ++alive;
  stats_.killed_at_exit = alive;
  if (why) log(1, "ending the run (%s), killing %zu processes", why, alive);
  kill_everything();
  // Collect every death so nothing outlives the tracer (EXITKILL covers a tracer crash).
  for (;;) {
    int status;
    pid_t w = waitpid(-1, &status, __WALL);
    if (w < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (w == init_pid_ && (WIFEXITED(status) || WIFSIGNALED(status))) forget_init();
    Thread* t = find(w);
    if (WIFSTOPPED(status)) {
      // Every stop now is on the way out (an exit stop, a stop before the SIGKILL landed),
      // also of a thread the tracer has no record of: left stopped, it would keep pid 1 of
      // the namespace from dying and this loop from ending.
      resume_cont(w);
    } else if (t && (WIFEXITED(status) || WIFSIGNALED(status))) {
      Process* p = t->proc;
      p->exiting = false;
      on_death(t, status);
    }
  }
}

}  // namespace det
