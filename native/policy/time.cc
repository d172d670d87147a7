// Policy for time. Every clock a program can read answers from the logical clock
// (scheduler.h): wall clocks start at --epoch, monotonic clocks at 1000 s of "uptime", both
// advance 1 us per traced stop and jump over sleeps, so they never go backwards and always
// move. CPU-time clocks count the logical time charged to a thread or process (its own
// traced stops, Tracer::tick). The vDSO, which answers clock_gettime, gettimeofday, time,
// clock_getres and getcpu without entering the kernel, is patched at every exec so those
// calls become real syscalls that reach the handlers below; a process that reads the common
// clocks through it then gets them answered in its own memory, without a stop (vclock.cc).
//
// Timers (alarm, setitimer, timer_create, timerfd) are emulated entirely here: no kernel
// timer is ever armed for the tracee (it would fire at a wall-clock time). The tracer keeps
// them, the scheduler runs the timer hook when the logical clock reaches the next expiry,
// and the hook sends the signal from the tracer (kill / rt_[tg]sigqueueinfo with SI_TIMER)
// while every tracee is stopped: the same expiry, the same point of the program, every run.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <memory>
#include <poll.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include <vector>

#include "core/tracer.h"
#include "policy/clock.h"

namespace det {
namespace {

constexpr int64_t kNsPerSec = 1000000000LL;
constexpr int64_t kCoarseNs = 4000000;  // resolution of the *_COARSE clocks (a 250 Hz tick)
constexpr int64_t kClockTickNs = 10000000;  // USER_HZ = 100: clock_t of times()

#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

struct KTimespec {
  int64_t sec, nsec;
};
struct KItimerspec {
  KTimespec interval, value;
};
struct KTimeval {
  int64_t sec, usec;
};
struct KItimerval {
  KTimeval interval, value;
};

KTimespec to_ts(int64_t ns) { return {ns / kNsPerSec, ns % kNsPerSec}; }
KTimeval to_tv(int64_t ns) { return {ns / kNsPerSec, (ns % kNsPerSec) / 1000}; }
bool ts_valid(const KTimespec& t) { return t.sec >= 0 && t.nsec >= 0 && t.nsec < kNsPerSec; }
bool tv_valid(const KTimeval& t) { return t.sec >= 0 && t.usec >= 0 && t.usec < 1000000; }
int64_t ts_ns(const KTimespec& t) {
  return t.sec > INT64_MAX / kNsPerSec - 1 ? INT64_MAX / 2 : t.sec * kNsPerSec + t.nsec;
}
int64_t tv_ns(const KTimeval& t) {
  return t.sec > INT64_MAX / kNsPerSec - 1 ? INT64_MAX / 2 : t.sec * kNsPerSec + t.usec * 1000;
}

// ----- clocks ------------------------------------------------------------------------------

enum class Base : uint8_t { Real, Mono, ThreadCpu, ProcCpu };

struct Clock {
  Base base = Base::Mono;
  bool coarse = false;
  const Thread* thread = nullptr;  // ThreadCpu
  const Process* proc = nullptr;   // ProcCpu
};

const Thread* thread_by_ns_tid(const Process* p, pid_t tid) {
  for (const Thread* t : p->threads)
    if (t->ns_tid == tid && t->state != ThreadState::Dead) return t;
  return nullptr;
}

const Process* process_by_ns_pid(Tracer& tr, pid_t pid) {
  for (const Thread* t : tr.sched().threads())
    if (t->proc && t->proc->ns_pid == pid && t->state != ThreadState::Dead) return t->proc;
  return nullptr;
}

// The clock a clockid names for the calling thread; -errno when it names none.
// for_timer: timer_create's rules (no timers on MONOTONIC_RAW or the coarse clocks, alarm
// clocks need CAP_WAKE_ALARM, which a user namespace does not give).
long resolve_clock(SysCtx& c, int clk, Clock* out, bool for_timer = false) {
  *out = Clock{};
  if (clk < 0) {
    // Dynamic CPU clocks: ((~pid) << 3) | perthread << 2 | type; type 3 is a clock fd.
    int type = clk & 3;
    bool perthread = clk & 4;
    pid_t pid = static_cast<pid_t>(~(clk >> 3));
    if (type == 3) return -EINVAL;  // posix clock devices (PTP): none in the sandbox
    if (perthread) {
      const Thread* t = pid == 0 ? &c.t : thread_by_ns_tid(c.t.proc, pid);
      if (!t) return -EINVAL;
      out->base = Base::ThreadCpu;
      out->thread = t;
    } else {
      const Process* p = pid == 0 || pid == c.t.proc->ns_pid ? c.t.proc : process_by_ns_pid(c.tr, pid);
      if (!p) return -EINVAL;
      out->base = Base::ProcCpu;
      out->proc = p;
    }
    return 0;
  }
  switch (clk) {
    case CLOCK_REALTIME: out->base = Base::Real; return 0;
    case CLOCK_MONOTONIC: out->base = Base::Mono; return 0;
    case CLOCK_PROCESS_CPUTIME_ID:
      out->base = Base::ProcCpu;
      out->proc = c.t.proc;
      return 0;
    case CLOCK_THREAD_CPUTIME_ID:
      out->base = Base::ThreadCpu;
      out->thread = &c.t;
      return 0;
    case CLOCK_MONOTONIC_RAW: out->base = Base::Mono; return for_timer ? -EOPNOTSUPP : 0;
    case CLOCK_REALTIME_COARSE:
      out->base = Base::Real;
      out->coarse = true;
      return for_timer ? -EOPNOTSUPP : 0;
    case CLOCK_MONOTONIC_COARSE:
      out->base = Base::Mono;
      out->coarse = true;
      return for_timer ? -EOPNOTSUPP : 0;
    case CLOCK_BOOTTIME: out->base = Base::Mono; return 0;  // never suspended
    case CLOCK_REALTIME_ALARM: out->base = Base::Real; return for_timer ? -EPERM : 0;
    case CLOCK_BOOTTIME_ALARM: out->base = Base::Mono; return for_timer ? -EPERM : 0;
    case CLOCK_TAI: out->base = Base::Real; return 0;  // TAI offset 0, as the kernel's default
    default: return -EINVAL;
  }
}

int64_t clock_ns(Tracer& tr, const Clock& k) {
  int64_t v = 0;
  switch (k.base) {
    case Base::Real: v = tr.realtime_ns(); break;
    case Base::Mono: v = tr.monotonic_ns(); break;
    case Base::ThreadCpu: v = tr.thread_cpu_ns(k.thread); break;
    case Base::ProcCpu: v = tr.process_cpu_ns(k.proc); break;
  }
  return k.coarse ? v - v % kCoarseNs : v;
}

}  // namespace

void fire_due_timers(Tracer& tr);

// Busy-waits on the clock. Each traced stop advances the clock 1 us, so a loop waiting for
// time() to change would take a million stops. When a thread reads a clock again with no
// other traced stop in between (nothing else happened that the tracer can see), the clock
// additionally jumps ahead, 1 us more for each read beyond kSpinFree, up to 1 ms per read:
// `while (time() == t0);` ends after ~1500 reads. A function of the stop sequence only,
// so deterministic; reads far apart are unaffected.
namespace {
int64_t g_folded_ns = 0;  // in-process clock reads folded in at the current stop (vclock.cc)
}  // namespace

void note_clock_fold(int64_t ns) { g_folded_ns = ns; }

void note_clock_read(Tracer& tr, Thread& t) {
  constexpr int64_t kSpinFree = 100, kStepNs = 1000, kMaxJumpNs = 1000000;
  static const Thread* last_thread = nullptr;
  static int64_t last_now = -1, streak = 0;
  Scheduler& s = tr.sched();
  // Consecutive: nothing but this stop (and the thread's own in-process clock reads, which
  // vclock.cc folds in at the stop) since the last read.
  bool consecutive = last_thread == &t && s.now() - last_now == Scheduler::kNsPerStop + g_folded_ns;
  streak = consecutive ? streak + 1 : 0;
  if (streak > kSpinFree) {
    int64_t jump = (streak - kSpinFree) * kStepNs;
    if (jump > kMaxJumpNs) jump = kMaxJumpNs;
    for (int64_t i = 0; i < jump; i += Scheduler::kNsPerStop) s.tick();
    if (s.timer_due()) fire_due_timers(tr);
  }
  last_thread = &t;
  last_now = s.now();
}

long clock_gettime_result(SysCtx& c, int clk, uint64_t addr) {
  Clock k;
  long err = resolve_clock(c, clk, &k);
  if (err) return err;
  if (k.base == Base::Real || k.base == Base::Mono) note_clock_read(c.tr, c.t);
  KTimespec ts = to_ts(clock_ns(c.tr, k));
  return put_user(c.t.tid, addr, &ts, sizeof ts) ? 0 : -EFAULT;
}

namespace {

Verdict on_clock_gettime(SysCtx& c) { return c.emulate(clock_gettime_result(c, static_cast<int>(c.arg(0)), c.arg(1))); }

Verdict on_clock_getres(SysCtx& c) {
  Clock k;
  long err = resolve_clock(c, static_cast<int>(c.arg(0)), &k);
  if (err) return c.emulate(err);
  if (!c.arg(1)) return c.emulate(0);
  KTimespec ts{0, k.coarse ? kCoarseNs : 1};
  return c.emulate(put_user(c.t.tid, c.arg(1), &ts, sizeof ts) ? 0 : -EFAULT);
}

Verdict on_gettimeofday(SysCtx& c) {
  note_clock_read(c.tr, c.t);
  if (c.arg(0)) {
    KTimeval tv = to_tv(c.tr.realtime_ns());
    if (!put_user(c.t.tid, c.arg(0), &tv, sizeof tv)) return c.emulate(-EFAULT);
  }
  if (c.arg(1)) {
    int32_t tz[2] = {0, 0};  // UTC, no DST
    if (!put_user(c.t.tid, c.arg(1), tz, sizeof tz)) return c.emulate(-EFAULT);
  }
  return c.emulate(0);
}

Verdict on_time(SysCtx& c) {
  note_clock_read(c.tr, c.t);
  int64_t secs = c.tr.realtime_ns() / kNsPerSec;
  if (c.arg(0) && !put_user(c.t.tid, c.arg(0), &secs, sizeof secs)) return c.emulate(-EFAULT);
  return c.emulate(secs);
}

Verdict on_times(SysCtx& c) {
  if (c.arg(0)) {
    int64_t tms[4] = {c.tr.process_cpu_ns(c.t.proc) / kClockTickNs, 0, c.tr.children_cpu_ns(c.t.proc) / kClockTickNs, 0};
    if (!put_user(c.t.tid, c.arg(0), tms, sizeof tms)) return c.emulate(-EFAULT);
  }
  return c.emulate(c.tr.monotonic_ns() / kClockTickNs);
}

Verdict on_getrusage(SysCtx& c) {
  int who = static_cast<int>(c.arg(0));
  int64_t cpu;
  if (who == RUSAGE_SELF) cpu = c.tr.process_cpu_ns(c.t.proc);
  else if (who == RUSAGE_CHILDREN) cpu = c.tr.children_cpu_ns(c.t.proc);
  else if (who == RUSAGE_THREAD) cpu = c.tr.thread_cpu_ns(&c.t);
  else return c.emulate(-EINVAL);
  // Everything but the (logical) user time is fixed: system time 0, a nominal 4 MiB peak
  // RSS once anything ran, no faults, I/O or context switches.
  int64_t ru[18] = {};
  KTimeval ut = to_tv(cpu);
  ru[0] = ut.sec;
  ru[1] = ut.usec;
  ru[4] = cpu > 0 ? 4096 : 0;  // ru_maxrss (KiB)
  return c.emulate(put_user(c.t.tid, c.arg(1), ru, sizeof ru) ? 0 : -EFAULT);
}

// ----- the vDSO --------------------------------------------------------------------------

struct VdsoEntry {
  const char* name;
  long nr;  // >= 0: becomes `mov eax, nr; syscall; ret`; < 0: `mov eax, nr; ret` (an error)
};

// Versioned (LINUX_2.6) and unversioned aliases share an address: both names are listed
// so whichever a program resolves is covered.
const VdsoEntry kVdsoEntries[] = {
    {"__vdso_clock_gettime", SYS_clock_gettime}, {"clock_gettime", SYS_clock_gettime},
    {"__vdso_gettimeofday", SYS_gettimeofday},   {"gettimeofday", SYS_gettimeofday},
    {"__vdso_time", SYS_time},                   {"time", SYS_time},
    {"__vdso_clock_getres", SYS_clock_getres},   {"clock_getres", SYS_clock_getres},
    {"__vdso_getcpu", SYS_getcpu},               {"getcpu", SYS_getcpu},
    // vgetrandom (kernel 6.11+, glibc 2.41+, Go 1.24+) expands a kernel-seeded key in user
    // space and re-keys when the vvar page says so: made to fail, so callers fall back to
    // the getrandom syscall (whose handler seeds from --seed).
    {"__vdso_getrandom", -ENOSYS},               {"getrandom", -ENOSYS},
};

// Symbol name -> address in the tracee, for the functions the vDSO exports.
struct VdsoSym {
  std::string name;
  uint64_t addr, size;
};

bool vdso_symbols(const std::vector<uint8_t>& img, uint64_t base, std::vector<VdsoSym>* out) {
  auto in = [&](uint64_t off, uint64_t len) { return off <= img.size() && len <= img.size() - off; };
  if (!in(0, sizeof(Elf64_Ehdr))) return false;
  Elf64_Ehdr eh;
  memcpy(&eh, img.data(), sizeof eh);
  if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64) return false;
  // File offset of a link-time address: the first PT_LOAD maps the image.
  int64_t vaddr_to_off = 0;
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    uint64_t at = eh.e_phoff + static_cast<uint64_t>(i) * eh.e_phentsize;
    if (!in(at, sizeof ph)) return false;
    memcpy(&ph, img.data() + at, sizeof ph);
    if (ph.p_type == PT_LOAD) {
      vaddr_to_off = static_cast<int64_t>(ph.p_offset) - static_cast<int64_t>(ph.p_vaddr);
      break;
    }
  }
  // The dynamic symbol table, from the section headers (the vDSO image keeps them).
  uint64_t symoff = 0, symsize = 0, stroff = 0, strsize = 0;
  for (int i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh;
    uint64_t at = eh.e_shoff + static_cast<uint64_t>(i) * eh.e_shentsize;
    if (!in(at, sizeof sh)) return false;
    memcpy(&sh, img.data() + at, sizeof sh);
    if (sh.sh_type != SHT_DYNSYM) continue;
    symoff = sh.sh_offset;
    symsize = sh.sh_size;
    Elf64_Shdr str;
    uint64_t sat = eh.e_shoff + static_cast<uint64_t>(sh.sh_link) * eh.e_shentsize;
    if (!in(sat, sizeof str)) return false;
    memcpy(&str, img.data() + sat, sizeof str);
    stroff = str.sh_offset;
    strsize = str.sh_size;
    break;
  }
  if (!symsize || !in(symoff, symsize) || !in(stroff, strsize)) return false;
  for (uint64_t at = symoff; at + sizeof(Elf64_Sym) <= symoff + symsize; at += sizeof(Elf64_Sym)) {
    Elf64_Sym s;
    memcpy(&s, img.data() + at, sizeof s);
    if (ELF64_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx == SHN_UNDEF || s.st_name >= strsize) continue;
    const char* nm = reinterpret_cast<const char*>(img.data() + stroff + s.st_name);
    size_t maxlen = strsize - s.st_name;
    std::string name(nm, strnlen(nm, maxlen));
    int64_t off = static_cast<int64_t>(s.st_value) + vaddr_to_off;
    if (off < 0 || !in(static_cast<uint64_t>(off), 8)) continue;
    out->push_back({name, base + static_cast<uint64_t>(off), s.st_size});
  }
  return true;
}

void patch_vdso(Tracer& tr, Thread& t) {
  t.proc->clock = {};  // a new program in new memory: no vDSO entry, no clock page yet
  uint64_t start = 0, end = 0;
  for (const MapLine& m : maps_since_exec(*t.proc))
    if (m.path == "[vdso]") start = m.start, end = m.end;
  if (!start) return;  // no vDSO: every call is a syscall
  if (end <= start || end - start > (1 << 20)) return;
  std::vector<uint8_t> img(end - start);
  if (read_mem(t.tid, start, img.data(), img.size()) != static_cast<ssize_t>(img.size())) {
    tr.log(1, "vdso of %d unreadable: its time calls are not determinized", t.tid);
    return;
  }
  std::vector<VdsoSym> syms;
  if (!vdso_symbols(img, start, &syms)) {
    tr.log(1, "vdso of %d: no symbol table: its time calls are not determinized", t.tid);
    return;
  }
  std::vector<uint64_t> done;
  int patched = 0;
  // The vDSO is mapped read-only: written through /proc/<pid>/mem (the kernel copies the
  // page on write, as for a debugger's breakpoint), one open for all entries.
  CodeMem code(t.tid);
  for (const VdsoSym& s : syms) {
    const VdsoEntry* e = nullptr;
    for (const VdsoEntry& v : kVdsoEntries)
      if (s.name == v.name) e = &v;
    if (!e || std::find(done.begin(), done.end(), s.addr) != done.end()) continue;
    uint8_t stub[8];
    size_t n = 0;
    uint32_t imm = static_cast<uint32_t>(static_cast<int32_t>(e->nr));
    stub[n++] = 0xb8;  // mov eax, imm32 (zero-extends into rax)
    memcpy(stub + n, &imm, 4);
    n += 4;
    if (e->nr >= 0) {
      stub[n++] = 0x0f;  // syscall
      stub[n++] = 0x05;
    }
    stub[n++] = 0xc3;  // ret
    if (s.size && s.size < n) {
      tr.log(1, "vdso %s too small to patch (%llu bytes)", s.name.c_str(), static_cast<unsigned long long>(s.size));
      continue;
    }
    if (!code.write(s.addr, stub, n)) {
      tr.log(1, "vdso %s of %d could not be patched", s.name.c_str(), t.tid);
      continue;
    }
    done.push_back(s.addr);
    ++patched;
    if (e->nr == SYS_clock_gettime && s.size >= 16) t.proc->clock.vdso_entry = s.addr;  // vclock.cc may redirect it
  }
  tr.log(2, "vdso of %d at %llx: %d entries now make syscalls", t.tid, static_cast<unsigned long long>(start), patched);
}

// ----- timers -------------------------------------------------------------------------------

enum class Kind : uint8_t { Posix, ITimer, TimerFd };

struct Timer {
  Kind kind = Kind::Posix;
  Process* owner = nullptr;  // Posix, ITimer: the process whose timer it is
  int id = 0;                // Posix: the timer id; ITimer: ITIMER_*
  Clock clock;               // what it counts: logical (Real/Mono) or a CPU clock
  int64_t expiry = -1;       // Real/Mono: logical ns (Scheduler::now); CPU: that clock's ns
  int64_t interval = 0;
  // Signal notification.
  int notify = SIGEV_SIGNAL;
  int signo = SIGALRM;
  uint64_t value = 0;
  pid_t target_ns_tid = 0;  // SIGEV_THREAD_ID
  int64_t overrun = 0;      // expirations whose signal could not be queued (still pending)
  int last_overrun = 0;     // timer_getoverrun: the overrun of the last signal sent
  bool stalled = false;     // its signal is ignored or still pending: expiries wake nobody
  // timerfd: the tracer's copy of the descriptor (a real, never-really-armed timerfd whose
  // readiness mirrors ticks > 0, so poll/epoll/select on it work unchanged).
  int fd = -1;
  pid_t creator = 0;
  int creator_fd = -1;
  uint64_t ticks = 0;
  bool ready = false;
  bool dead = false;
};

std::vector<std::unique_ptr<Timer>> g_timers;
bool g_have_timerfds = false;

bool is_cpu(const Clock& k) { return k.base == Base::ThreadCpu || k.base == Base::ProcCpu; }

// The timer's own time axis: the logical clock for wall/monotonic timers, else its CPU clock.
int64_t axis_now(Tracer& tr, const Timer& k) {
  if (!is_cpu(k.clock)) return tr.sched().now();
  return clock_ns(tr, k.clock);
}

// The clock's reading that corresponds to axis time `at` (for absolute settings and reports).
int64_t clock_minus_axis(Tracer& tr, const Clock& k) {
  if (is_cpu(k)) return 0;
  Clock fine = k;
  fine.coarse = false;
  return clock_ns(tr, fine) - tr.sched().now();
}

bool owner_gone(const Timer& k) { return k.owner && k.owner->threads.empty(); }

Thread* live_thread(Process* p, pid_t ns_tid) {
  for (Thread* t : p->threads)
    if (t->ns_tid == ns_tid && t->state != ThreadState::Dead) return t;
  return nullptr;
}

void timerfd_set_ready(Timer& k, bool ready) {
  if (k.ready == ready || k.fd < 0) return;
  itimerspec its{};
  if (ready) its.it_value.tv_nsec = 1;  // expires at once: the descriptor becomes readable
  timerfd_settime(k.fd, 0, &its, nullptr);
  if (ready) {
    // Wait until it is: nothing may see it unready after this point.
    pollfd p{k.fd, POLLIN, 0};
    poll(&p, 1, 1000);
  }
  k.ready = ready;
}

// The process ignores sig (SigIgn of /proc/<tgid>/status): the kernel would drop it.
bool signal_ignored(pid_t tgid, int sig) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", tgid);
  FILE* f = fopen(path, "re");
  if (!f) return false;
  char line[256];
  uint64_t ign = 0;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "SigIgn:", 7)) {
      ign = strtoull(line + 7, nullptr, 16);
      break;
    }
  fclose(f);
  return ign & (1ULL << (sig - 1));
}

// Whether k's signal can reach anyone now: not when the process ignores it, and not while
// the last one is still pending (nobody could take it: a thread that could was woken).
enum class SigState : uint8_t { Sendable, Pending, Ignored, NoTarget };

SigState sig_state(const Timer& k, Thread** target) {
  Process* p = k.owner;
  *target = nullptr;
  if (k.kind == Kind::Posix && (k.notify & SIGEV_THREAD_ID)) {
    *target = live_thread(p, k.target_ns_tid);
    if (!*target) return SigState::NoTarget;  // the thread is gone: the signal goes nowhere
  }
  if (signal_ignored(p->tgid, k.signo)) return SigState::Ignored;
  uint64_t pending = 0, blocked = 0;
  read_signal_state(*target ? (*target)->tid : p->tgid, &pending, &blocked);
  return pending & (1ULL << (k.signo - 1)) ? SigState::Pending : SigState::Sendable;
}

void recompute_deadlines(Tracer& tr) {
  int64_t now = tr.sched().now();
  int64_t check = -1, wake = -1;
  auto mn = [](int64_t a, int64_t b) { return a < 0 ? b : (b < a ? b : a); };
  for (auto& kp : g_timers) {
    Timer& k = *kp;
    if (k.dead || k.expiry < 0) continue;
    if (k.kind == Kind::TimerFd && k.ticks > 0) continue;  // already readable: counted lazily
    if (is_cpu(k.clock)) {
      // A CPU clock advances at most as fast as the logical clock: look again then.
      int64_t left = k.expiry - axis_now(tr, k);
      check = mn(check, now + (left > 0 ? left : 0));
    } else {
      check = mn(check, k.expiry);
      if (k.stalled && !owner_gone(k)) {
        Thread* target;
        k.stalled = sig_state(k, &target) != SigState::Sendable;
      }
      if (!k.stalled && k.notify != SIGEV_NONE) wake = mn(wake, k.expiry);
    }
  }
  tr.sched().set_timer_deadlines(check, wake);
}

// How many expiries have passed at axis time `cur`; re-arms a periodic timer past `cur`.
int64_t expire(Timer& k, int64_t cur) {
  if (k.expiry < 0 || cur < k.expiry) return 0;
  int64_t n = 1;
  if (k.interval > 0) {
    n += (cur - k.expiry) / k.interval;
    k.expiry += n * k.interval;
  } else {
    k.expiry = -1;
  }
  return n;
}

void signal_sent(Tracer& tr, Process* p) {
  // Threads about to park (the one running now included) must look at their pending set.
  for (Thread* t : p->threads) t->maybe_signal = true;
  tr.note_signal_sent();
  tr.sched().progress();
}

void deliver(Tracer& tr, Timer& k, int64_t n) {
  if (k.kind == Kind::TimerFd) {
    k.ticks += static_cast<uint64_t>(n);
    timerfd_set_ready(k, true);
    tr.sched().progress();  // readiness waits (poll, epoll, select) try again
    return;
  }
  if (k.notify == SIGEV_NONE) return;
  Process* p = k.owner;
  Thread* target = nullptr;
  SigState st = sig_state(k, &target);
  // A stalled timer keeps counting but the clock does not jump to its expiries: they
  // could wake nobody (re-checked whenever every tracee waits, see recompute_deadlines).
  k.stalled = st != SigState::Sendable;
  if (st == SigState::Pending && k.kind == Kind::Posix) k.overrun += n;  // as the kernel counts
  if (k.stalled) return;
  if (k.kind == Kind::ITimer) {
    kill(p->tgid, k.signo);
    tr.log(2, "itimer %d of %d fired (x%lld)", k.id, p->tgid, static_cast<long long>(n));
    signal_sent(tr, p);
    return;
  }
  int64_t ov = k.overrun + n - 1;
  k.last_overrun = ov > INT_MAX ? INT_MAX : static_cast<int>(ov);
  k.overrun = 0;
  siginfo_t si;
  memset(&si, 0, sizeof si);
  si.si_signo = k.signo;
  si.si_code = SI_TIMER;
  si.si_timerid = k.id;
  si.si_overrun = k.last_overrun;
  si.si_value.sival_ptr = reinterpret_cast<void*>(k.value);
  long r = target ? syscall(SYS_rt_tgsigqueueinfo, p->tgid, target->tid, k.signo, &si)
                  : syscall(SYS_rt_sigqueueinfo, p->tgid, k.signo, &si);
  if (r != 0) tr.log(1, "timer %d of %d: sigqueueinfo: %s", k.id, p->tgid, strerror(errno));
  tr.log(2, "timer %d of %d fired: signal %d (overrun %d)", k.id, p->tgid, k.signo, k.last_overrun);
  signal_sent(tr, p);
}

// The timer hook: every tracee is stopped; fire what is due, in creation order.
void fire_due(Tracer& tr) {
  for (auto& kp : g_timers) {
    Timer& k = *kp;
    if (k.dead) continue;
    if (owner_gone(k)) {
      k.dead = true;
      continue;
    }
    if (k.kind == Kind::TimerFd && k.ticks > 0) continue;
    int64_t n = expire(k, axis_now(tr, k));
    if (n > 0) deliver(tr, k, n);
  }
  g_timers.erase(std::remove_if(g_timers.begin(), g_timers.end(), [](const std::unique_ptr<Timer>& k) { return k->dead; }),
                 g_timers.end());
  recompute_deadlines(tr);
}

}  // namespace

void fire_due_timers(Tracer& tr) { fire_due(tr); }

namespace {

// Arms k from a setting read from the tracee (ns on k's clock; absolute or relative).
void arm(Tracer& tr, Timer& k, int64_t value, int64_t interval, bool absolute) {
  k.interval = interval;
  k.overrun = 0;
  k.last_overrun = 0;
  k.stalled = false;
  if (value == 0) {
    k.expiry = -1;
    return;
  }
  if (is_cpu(k.clock)) {
    int64_t cur = clock_ns(tr, k.clock);
    k.expiry = absolute ? value : cur + value;
  } else {
    int64_t now = tr.sched().now();
    k.expiry = absolute ? value - clock_minus_axis(tr, k.clock) : now + value;
    if (k.expiry < now) k.expiry = now;
  }
}

// Remaining time and interval, as timer_gettime/getitimer report them.
void remaining(Tracer& tr, const Timer& k, int64_t* value, int64_t* interval) {
  *interval = k.interval;
  *value = 0;
  if (k.expiry < 0) return;
  int64_t left = k.expiry - axis_now(tr, k);
  *value = left > 0 ? left : 1;  // armed: never reported as 0 (that means disarmed)
}

Timer* find_timer(Process* p, Kind kind, int id) {
  for (auto& k : g_timers)
    if (!k->dead && k->kind == kind && k->owner == p && k->id == id) return k.get();
  return nullptr;
}

// ----- alarm, setitimer, getitimer --------------------------------------------------------

Timer* itimer(SysCtx& c, int which, bool create) {
  Timer* k = find_timer(c.t.proc, Kind::ITimer, which);
  if (k || !create) return k;
  auto nk = std::make_unique<Timer>();
  nk->kind = Kind::ITimer;
  nk->owner = c.t.proc;
  nk->id = which;
  if (which == ITIMER_REAL) {
    nk->clock.base = Base::Mono;
    nk->signo = SIGALRM;
  } else {
    nk->clock.base = Base::ProcCpu;  // user and user+system time are the same here
    nk->clock.proc = c.t.proc;
    nk->signo = which == ITIMER_VIRTUAL ? SIGVTALRM : SIGPROF;
  }
  k = nk.get();
  g_timers.push_back(std::move(nk));
  return k;
}

KItimerval itimer_value(SysCtx& c, int which) {
  KItimerval v{};
  Timer* k = itimer(c, which, false);
  if (!k) return v;
  int64_t val, iv;
  remaining(c.tr, *k, &val, &iv);
  if (val > 0 && val < 1000) val = 1000;  // at least 1 us while armed
  v.value = to_tv(val);
  v.interval = to_tv(iv);
  return v;
}

Verdict on_alarm(SysCtx& c) {
  unsigned secs = static_cast<unsigned>(c.arg(0));
  KItimerval old = itimer_value(c, ITIMER_REAL);
  Timer* k = itimer(c, ITIMER_REAL, true);
  arm(c.tr, *k, static_cast<int64_t>(secs) * kNsPerSec, 0, false);
  fire_due(c.tr);
  // As the kernel rounds: to the nearest second, and never 0 while one was pending.
  int64_t r = old.value.sec;
  if ((!old.value.sec && old.value.usec) || old.value.usec >= 500000) ++r;
  return c.emulate(r);
}

Verdict on_getitimer(SysCtx& c) {
  int which = static_cast<int>(c.arg(0));
  if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF) return c.emulate(-EINVAL);
  KItimerval v = itimer_value(c, which);
  return c.emulate(put_user(c.t.tid, c.arg(1), &v, sizeof v) ? 0 : -EFAULT);
}

Verdict on_setitimer(SysCtx& c) {
  int which = static_cast<int>(c.arg(0));
  if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF) return c.emulate(-EINVAL);
  KItimerval nv{};
  if (c.arg(1) && !get_user(c.t.tid, c.arg(1), &nv, sizeof nv)) return c.emulate(-EFAULT);
  if (!tv_valid(nv.value) || !tv_valid(nv.interval)) return c.emulate(-EINVAL);
  KItimerval old = itimer_value(c, which);
  Timer* k = itimer(c, which, true);
  arm(c.tr, *k, tv_ns(nv.value), tv_ns(nv.interval), false);
  fire_due(c.tr);
  if (c.arg(2) && !put_user(c.t.tid, c.arg(2), &old, sizeof old)) return c.emulate(-EFAULT);
  return c.emulate(0);
}

// ----- POSIX timers ----------------------------------------------------------------------

int next_timer_id(Process* p) {
  // Ids are per process, from 0, as the kernel hands them out; never reused while alive.
  int id = 0;
  for (auto& k : g_timers)
    if (!k->dead && k->kind == Kind::Posix && k->owner == p && k->id >= id) id = k->id + 1;
  return id;
}

Verdict on_timer_create(SysCtx& c) {
  Clock clk;
  long err = resolve_clock(c, static_cast<int>(c.arg(0)), &clk, true);
  if (err) return c.emulate(err);
  auto k = std::make_unique<Timer>();
  k->kind = Kind::Posix;
  k->owner = c.t.proc;
  k->clock = clk;
  k->id = next_timer_id(c.t.proc);
  if (c.arg(1)) {
    struct {
      uint64_t value;
      int32_t signo, notify;
      int32_t tid;
      int32_t pad[11];
    } ev;
    static_assert(sizeof ev == 64, "struct sigevent");
    if (!get_user(c.t.tid, c.arg(1), &ev, sizeof ev)) return c.emulate(-EFAULT);
    k->value = ev.value;
    k->signo = ev.signo;
    k->notify = ev.notify;
    switch (ev.notify) {
      case SIGEV_SIGNAL | SIGEV_THREAD_ID:
        if (!live_thread(c.t.proc, ev.tid)) return c.emulate(-EINVAL);
        k->target_ns_tid = ev.tid;
        [[fallthrough]];
      case SIGEV_SIGNAL:
      case SIGEV_THREAD:
        if (ev.signo <= 0 || ev.signo > SIGRTMAX) return c.emulate(-EINVAL);
        break;
      case SIGEV_NONE: break;
      default: return c.emulate(-EINVAL);
    }
  } else {
    k->notify = SIGEV_SIGNAL;
    k->signo = SIGALRM;
    k->value = static_cast<uint64_t>(k->id);
  }
  int32_t id = k->id;
  if (!put_user(c.t.tid, c.arg(2), &id, sizeof id)) return c.emulate(-EFAULT);
  c.tr.log(2, "timer_create: %d id %d clock %d notify %d signal %d", c.t.proc->tgid, id, static_cast<int>(c.arg(0)),
           k->notify, k->signo);
  g_timers.push_back(std::move(k));
  return c.emulate(0);
}

Timer* posix_timer(SysCtx& c) {
  int64_t id = static_cast<int32_t>(c.arg(0));
  return find_timer(c.t.proc, Kind::Posix, static_cast<int>(id));
}

Verdict on_timer_settime(SysCtx& c) {
  Timer* k = posix_timer(c);
  if (!k) return c.emulate(-EINVAL);
  if (!c.arg(2)) return c.emulate(-EINVAL);
  KItimerspec nv;
  if (!get_user(c.t.tid, c.arg(2), &nv, sizeof nv)) return c.emulate(-EFAULT);
  if (!ts_valid(nv.value) || !ts_valid(nv.interval)) return c.emulate(-EINVAL);
  KItimerspec old{};
  int64_t val, iv;
  remaining(c.tr, *k, &val, &iv);
  old.value = to_ts(val);
  old.interval = to_ts(iv);
  arm(c.tr, *k, ts_ns(nv.value), ts_ns(nv.interval), c.arg(1) & TIMER_ABSTIME);
  fire_due(c.tr);
  if (c.arg(3) && !put_user(c.t.tid, c.arg(3), &old, sizeof old)) return c.emulate(-EFAULT);
  return c.emulate(0);
}

Verdict on_timer_gettime(SysCtx& c) {
  Timer* k = posix_timer(c);
  if (!k) return c.emulate(-EINVAL);
  int64_t val, iv;
  remaining(c.tr, *k, &val, &iv);
  KItimerspec cur{to_ts(iv), to_ts(val)};
  return c.emulate(put_user(c.t.tid, c.arg(1), &cur, sizeof cur) ? 0 : -EFAULT);
}

Verdict on_timer_getoverrun(SysCtx& c) {
  Timer* k = posix_timer(c);
  if (!k) return c.emulate(-EINVAL);
  return c.emulate(k->last_overrun);
}

Verdict on_timer_delete(SysCtx& c) {
  Timer* k = posix_timer(c);
  if (!k) return c.emulate(-EINVAL);
  k->dead = true;
  fire_due(c.tr);  // drops it and recomputes the deadlines
  return c.emulate(0);
}

// ----- timerfd -------------------------------------------------------------------------------

ExitVerdict timerfd_create_exit(SysCtx& c) {
  long fd = c.result();
  if (fd < 0) return ExitVerdict::Done;
  int local = grab_fd(c.t.proc->pidfd, c.t.tid, static_cast<int>(fd));
  if (local < 0) return ExitVerdict::Done;
  auto k = std::make_unique<Timer>();
  k->kind = Kind::TimerFd;
  int clk = static_cast<int>(c.t.entry_regs.rdi);
  k->clock.base = clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_ALARM ? Base::Real : Base::Mono;
  k->fd = local;
  k->creator = c.t.proc->tgid;
  k->creator_fd = static_cast<int>(fd);
  g_timers.push_back(std::move(k));
  g_have_timerfds = true;
  return ExitVerdict::Done;
}

Verdict on_timerfd_create(SysCtx& c) { return c.allow_exit(timerfd_create_exit); }

// The emulated timerfd the tracee's descriptor refers to (dup'ed or inherited copies
// included: the open file is compared), or nullptr.
Timer* timerfd_of(SysCtx& c, int fd) {
  if (!g_have_timerfds || fd < 0) return nullptr;
  int local = c.fd_copy(fd);
  if (local < 0) return nullptr;
  Timer* found = nullptr;
  pid_t self = getpid();
  for (auto& k : g_timers) {
    if (k->dead || k->kind != Kind::TimerFd) continue;
    long r = syscall(SYS_kcmp, self, self, KCMP_FILE, local, k->fd);
    if (r == 0 || (r < 0 && k->creator == c.t.proc->tgid && k->creator_fd == fd)) {
      found = k.get();
      break;
    }
  }
  return found;
}

// Expirations up to now, for a timerfd already readable (whose later ones are not checked).
void catch_up(Tracer& tr, Timer& k) {
  int64_t n = expire(k, axis_now(tr, k));
  if (n > 0) {
    k.ticks += static_cast<uint64_t>(n);
    timerfd_set_ready(k, true);
  }
}

Verdict on_timerfd_settime(SysCtx& c) {
  Timer* k = timerfd_of(c, static_cast<int>(c.arg(0)));
  if (!k) return Verdict::Pass;
  uint64_t flags = c.arg(1);
  if (flags & ~static_cast<uint64_t>(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) return c.emulate(-EINVAL);
  KItimerspec nv;
  if (!get_user(c.t.tid, c.arg(2), &nv, sizeof nv)) return c.emulate(-EFAULT);
  if (!ts_valid(nv.value) || !ts_valid(nv.interval)) return c.emulate(-EINVAL);
  catch_up(c.tr, *k);
  int64_t val, iv;
  remaining(c.tr, *k, &val, &iv);
  KItimerspec old{to_ts(iv), to_ts(val)};
  k->ticks = 0;
  timerfd_set_ready(*k, false);
  arm(c.tr, *k, ts_ns(nv.value), ts_ns(nv.interval), flags & TFD_TIMER_ABSTIME);
  fire_due(c.tr);
  if (c.arg(3) && !put_user(c.t.tid, c.arg(3), &old, sizeof old)) return c.emulate(-EFAULT);
  return c.emulate(0);
}

Verdict on_timerfd_gettime(SysCtx& c) {
  Timer* k = timerfd_of(c, static_cast<int>(c.arg(0)));
  if (!k) return Verdict::Pass;
  catch_up(c.tr, *k);
  int64_t val, iv;
  remaining(c.tr, *k, &val, &iv);
  KItimerspec cur{to_ts(iv), to_ts(val)};
  return c.emulate(put_user(c.t.tid, c.arg(1), &cur, sizeof cur) ? 0 : -EFAULT);
}

// read() of a timerfd: the expirations counted in logical time; blocks (in the scheduler)
// until the next one. Everything else passes on to the other read handlers.
Verdict on_timerfd_read(SysCtx& c) {
  Timer* k = timerfd_of(c, static_cast<int>(c.arg(0)));
  if (!k) return Verdict::Pass;
  if (c.arg(2) < sizeof(uint64_t)) return c.emulate(-EINVAL);
  catch_up(c.tr, *k);
  if (k->ticks > 0) {
    uint64_t n = k->ticks;
    if (!put_user(c.t.tid, c.arg(1), &n, sizeof n)) return c.emulate(-EFAULT);
    k->ticks = 0;
    timerfd_set_ready(*k, false);
    recompute_deadlines(c.tr);
    return c.emulate(sizeof n);
  }
  int fl = fcntl(k->fd, F_GETFL);
  if (fl >= 0 && (fl & O_NONBLOCK)) return c.emulate(-EAGAIN);
  // A signal is pending: the kernel's read of the (unready) descriptor returns at once with
  // the right restart semantics.
  if (c.signal_wake) return Verdict::Allow;
  Block b;
  b.kind = BlockKind::FdRead;  // readable when the hook counts an expiry
  b.local_fd = fcntl(k->fd, F_DUPFD_CLOEXEC, 0);
  if (b.local_fd < 0) return Verdict::Allow;
  return c.block(b);
}

// A timer's signal is being delivered: its overrun count is the one at delivery, as the
// kernel computes it when the signal is dequeued (expiries while it stayed pending).
bool on_signal(Tracer& tr, Thread& t, int sig) {
  siginfo_t si;
  if (ptrace(PTRACE_GETSIGINFO, t.tid, nullptr, &si) != 0 || si.si_code != SI_TIMER) return false;
  Timer* k = find_timer(t.proc, Kind::Posix, si.si_timerid);
  if (!k || k->signo != sig) return false;
  int64_t ov = static_cast<int64_t>(si.si_overrun) + k->overrun;
  si.si_overrun = ov > INT_MAX ? INT_MAX : static_cast<int>(ov);
  ptrace(PTRACE_SETSIGINFO, t.tid, nullptr, &si);
  k->last_overrun = si.si_overrun;
  k->overrun = 0;
  if (k->stalled) {
    k->stalled = false;  // its next expiry can signal again
    recompute_deadlines(tr);
  }
  return false;  // delivered as usual
}

// ----- exec -----------------------------------------------------------------------------------

void on_exec(Tracer& tr, Thread& t) {
  patch_vdso(tr, t);
  // POSIX timers do not survive exec; interval timers (alarm, setitimer) do.
  bool any = false;
  for (auto& k : g_timers)
    if (k->kind == Kind::Posix && k->owner == t.proc) k->dead = any = true;
  if (any) fire_due(tr);
}

const bool registered = [] {
  register_handler("clock_gettime", on_clock_gettime);
  register_handler("clock_getres", on_clock_getres);
  register_handler("gettimeofday", on_gettimeofday);
  register_handler("time", on_time);
  register_handler("times", on_times);
  register_handler("getrusage", on_getrusage);
  register_handler("alarm", on_alarm);
  register_handler("getitimer", on_getitimer);
  register_handler("setitimer", on_setitimer);
  register_handler("timer_create", on_timer_create);
  register_handler("timer_settime", on_timer_settime);
  register_handler("timer_gettime", on_timer_gettime);
  register_handler("timer_getoverrun", on_timer_getoverrun);
  register_handler("timer_delete", on_timer_delete);
  register_handler("timerfd_create", on_timerfd_create);
  register_handler("timerfd_settime", on_timerfd_settime);
  register_handler("timerfd_gettime", on_timerfd_gettime);
  register_handler("read", on_timerfd_read, 50);
  register_exec_hook(on_exec);
  register_signal_hook(on_signal);
  register_timer_hook(fire_due);
  return true;
}();

}  // namespace
}  // namespace det
