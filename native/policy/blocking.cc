// Policy for calls that can block. No tracee ever sleeps in the kernel: each call is
// tried in a way that cannot block (readiness checked first, O_NONBLOCK, WNOHANG-style
// flags, a zero timeout), and when it would block the thread is parked with a Block the
// scheduler re-checks in its fixed order. Sleeps and timeouts use the logical clock, so
// `sleep 10` takes no wall time and every run sees the same wakeup order.
#include <cerrno>
#include <climits>
#include <vector>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/tracer.h"
#include "policy/pipe_room.h"

namespace det {
namespace {

constexpr int64_t kNsPerSec = 1000000000LL;

// ----- descriptors ----------------------------------------------------------------------

// The tracer's copy of fd if reading or writing it can block (pipes, sockets, ttys,
// eventfds...), else -1. Regular files, directories, block devices and the memory devices
// (/dev/null, zero, full, random, urandom) never block.
int blocking_fd(SysCtx& c, int fd) {
  if (c.fd_copy(fd) < 0) return -1;  // bad fd: the kernel gives the error
  const struct stat* st = c.fd_stat(fd);
  bool may_block = true;
  if (st) {
    if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode) || S_ISBLK(st->st_mode)) may_block = false;
    if (S_ISCHR(st->st_mode) && major(st->st_rdev) == 1) may_block = false;
    // det's own stdin/stdout/stderr lead outside: the call runs in the kernel and may
    // block there (see Tracer::is_external), like a slow disk would.
    if (c.tr.is_external(st->st_dev, st->st_ino)) may_block = false;
  }
  if (may_block) {
    int fl = fcntl(c.fd_copy(fd), F_GETFL);
    if (fl < 0 || (fl & O_NONBLOCK)) may_block = false;  // the program asked not to block
  }
  return may_block ? c.take_fd_copy(fd) : -1;
}

Block fd_block(BlockKind kind, int local) {
  Block b;
  b.kind = kind;
  b.local_fd = local;
  return b;
}

// Reads, receives, accepts: ready now (data, EOF, a pending connection, an error) -> the
// kernel runs it and it returns at once; otherwise park until the descriptor is readable.
Verdict on_read_like(SysCtx& c) {
  long nr = c.nr();
  if ((nr == SYS_recvfrom && (c.arg(3) & MSG_DONTWAIT)) || (nr == SYS_recvmsg && (c.arg(2) & MSG_DONTWAIT)) ||
      (nr == SYS_recvmmsg && (c.arg(3) & MSG_DONTWAIT)))
    return Verdict::Allow;
  if (nr == SYS_preadv2 && static_cast<int64_t>(c.arg(3)) != -1) return Verdict::Allow;  // positioned
  if (c.signal_wake) return Verdict::Allow;  // with a signal pending it returns at once
  int local = blocking_fd(c, static_cast<int>(c.arg(0)));
  if (local < 0) return Verdict::Allow;
  pollfd p{local, POLLIN, 0};
  if (poll(&p, 1, 0) > 0) {
    close(local);
    return Verdict::Allow;
  }
  return c.block(fd_block(BlockKind::FdRead, local));
}

// Writes: room for all of it -> the kernel runs it. Otherwise it runs with O_NONBLOCK on
// the open file (no other tracee runs meanwhile, so nobody else sees the flag) and the
// exit stop restores the flag; a part written is continued, the rest waits for room.
uint64_t write_len(SysCtx& c) {
  long nr = c.nr();
  if (nr == SYS_write || nr == SYS_sendto) return c.arg(2);
  if (nr == SYS_writev || nr == SYS_pwritev2) {
    uint64_t n = c.arg(2), total = 0;
    if (n > 1024) return UINT64_MAX;
    for (uint64_t i = 0; i < n; ++i) {
      iovec v;
      if (read_mem(c.t.tid, c.arg(1) + i * sizeof v, &v, sizeof v) != sizeof v) return UINT64_MAX;
      total += v.iov_len;
    }
    return total;
  }
  return UINT64_MAX;  // sendmsg/sendmmsg/splice...: assume it may not fit
}

// The flags argument of splice (5), tee and vmsplice (3), else -1. vmsplice ignores the
// descriptor's O_NONBLOCK (splice and tee honour it): only SPLICE_F_NONBLOCK keeps it from
// waiting for room.
int splice_flags_arg(long nr) { return nr == SYS_splice ? 5 : nr == SYS_tee || nr == SYS_vmsplice ? 3 : -1; }

ExitVerdict write_exit(SysCtx& c) {
  CallScratch& s = c.t.scratch;
  int local = s.local_fd;
  s.local_fd = -1;
  if (local >= 0 && s.saved_flags >= 0) fcntl(local, F_SETFL, s.saved_flags);
  if (s.splice_flags_arg >= 0) c.set_arg(s.splice_flags_arg, s.splice_flags);
  s.splice_flags_arg = -1;
  long res = c.result();
  bool is_write = c.nr() == SYS_write;
  if (s.pipe_ino) pipe_room::wrote(s.pipe_ino, res > 0 ? static_cast<uint64_t>(res) : 0);
  s.pipe_ino = 0;
  if (res == -EAGAIN && local >= 0) return c.would_block(fd_block(BlockKind::FdWrite, local));
  if (is_write && res > 0 && static_cast<uint64_t>(res) < c.t.entry_regs.rdx && local >= 0) {
    // Part of a blocking write went in: continue with the rest once there is room, and
    // report the whole count at the end, as the kernel does for a blocking pipe.
    if (!s.cont_active) {
      s.cont_active = true;
      s.cont_total = 0;
      s.cont_buf = c.t.entry_regs.rsi;
      s.cont_len = c.t.entry_regs.rdx;
    }
    s.cont_total += static_cast<uint64_t>(res);
    c.t.entry_regs.rsi += static_cast<uint64_t>(res);
    c.t.entry_regs.rdx -= static_cast<uint64_t>(res);
    return c.would_block(fd_block(BlockKind::FdWrite, local));
  }
  if (local >= 0) close(local);
  if (s.cont_active) {
    long total = static_cast<long>(s.cont_total);
    c.regs.rax = static_cast<unsigned long long>(res >= 0 ? total + res : (total > 0 ? total : res));
    c.regs.rsi = s.cont_buf;
    c.regs.rdx = s.cont_len;
    c.regs_dirty = true;
    s.cont_active = false;
  }
  return ExitVerdict::Done;
}

// Whether the tracee's [addr, addr + len) can be read: one byte of every page it spans
// (a write from it cannot fault part-way). Up to 256 pages; longer: false.
bool readable(pid_t tid, uint64_t addr, uint64_t len) {
  if (len == 0) return true;
  constexpr uint64_t kPage = 4096;
  uint64_t first = addr & ~(kPage - 1), last = (addr + len - 1) & ~(kPage - 1);
  if (addr + len < addr || (last - first) / kPage >= 256) return false;
  iovec remote[256];
  char sink[256];
  size_t n = 0;
  for (uint64_t p = first; p <= last; p += kPage, ++n) {
    remote[n].iov_base = reinterpret_cast<void*>(n == 0 ? addr : p);
    remote[n].iov_len = 1;
  }
  iovec local{sink, n};
  return process_vm_readv(tid, &local, 1, remote, n, 0) == static_cast<ssize_t>(n);
}

// A write(2) into a pipe, from a notification (no ptrace stop, so no exit stop to restore
// O_NONBLOCK and look at the result): the tracer writes the bytes itself, non-blocking
// through its copy of the descriptor (the same open file), and answers with the count.
// Where nothing more fits it holds the notification until there is room; a write larger
// than PIPE_BUF that went in part way goes on then, and returns the whole count at the end,
// as a blocking write does. A broken pipe: the kernel runs the call, so the tracee gets its
// EPIPE and SIGPIPE. `local` is the caller's copy; consumed.
Verdict notified_pipe_write(SysCtx& c, int local, ino_t pipe) {
  constexpr uint64_t kMax = 16u << 20;
  CallScratch& s = c.t.scratch;
  uint64_t len = c.arg(2), done = s.cont_active ? s.cont_total : 0;
  auto finish = [&](Verdict v) {
    close(local);
    s.cont_active = s.cont_notified = false;
    return v;
  };
  if (len > kMax) return finish(done ? c.emulate(static_cast<long>(done)) : Verdict::NeedStop);
  static std::vector<char> data;
  data.resize(len - done);
  if (read_mem(c.t.tid, c.arg(1) + done, data.data(), data.size()) != static_cast<ssize_t>(data.size()))
    return finish(done ? c.emulate(static_cast<long>(done)) : Verdict::NeedStop);  // a fault: the kernel's
  int fl = fcntl(local, F_GETFL);
  fcntl(local, F_SETFL, fl | O_NONBLOCK);
  ssize_t w = write(local, data.data(), data.size());
  int err = errno;
  fcntl(local, F_SETFL, fl);
  if (w > 0) {
    done += static_cast<uint64_t>(w);
    if (pipe) pipe_room::wrote(pipe, static_cast<uint64_t>(w));
  }
  if (done == len) return finish(c.emulate(static_cast<long>(len)));
  if (w < 0 && err != EAGAIN) {
    if (err == EPIPE && !done) {
      if (pipe) pipe_room::unknown(pipe);
      return finish(Verdict::Allow);
    }
    return finish(done ? c.emulate(static_cast<long>(done)) : c.emulate(-err));
  }
  s.cont_active = s.cont_notified = true;
  s.cont_total = done;
  return c.block(fd_block(BlockKind::FdWrite, local));
}

// The rest of a notified_pipe_write when there is room, or when a signal interrupts it: a
// blocking write returns what went in (or, with nothing in, is interrupted by the kernel).
Verdict continue_notified_write(SysCtx& c) {
  CallScratch& s = c.t.scratch;
  int fd = static_cast<int>(c.arg(0));
  const struct stat* st = c.fd_stat(fd);
  ino_t pipe = st && pipe_room::tracked(c.tr, *st) ? st->st_ino : 0;
  bool fifo = st && S_ISFIFO(st->st_mode);
  int local = c.signal_wake || !fifo ? -1 : blocking_fd(c, fd);
  if (local < 0) {
    uint64_t done = s.cont_total;
    s.cont_active = s.cont_notified = false;
    if (done) return c.emulate(static_cast<long>(done));
    if (pipe) pipe_room::unknown(pipe);  // the kernel may put some of it in
    return Verdict::Allow;
  }
  return notified_pipe_write(c, local, pipe);
}

Verdict on_write_like(SysCtx& c) {
  long nr = c.nr();
  CallScratch& s = c.t.scratch;
  if (!c.retry && !s.cont_active) s = CallScratch{};
  if ((nr == SYS_sendto && (c.arg(3) & MSG_DONTWAIT)) || (nr == SYS_sendmsg && (c.arg(2) & MSG_DONTWAIT)) ||
      (nr == SYS_sendmmsg && (c.arg(3) & MSG_DONTWAIT)))
    return Verdict::Allow;
  if (nr == SYS_pwritev2 && static_cast<int64_t>(c.arg(3)) != -1) return Verdict::Allow;
  // A write continued after a partial one: the tracer's own (above), or one that finishes at
  // an exit stop, from a ptrace stop.
  if (c.notified && s.cont_active) return s.cont_notified ? continue_notified_write(c) : Verdict::NeedStop;
  int fd = static_cast<int>(c.arg(0));
  int flags_arg = splice_flags_arg(nr);
  bool own_nonblock = flags_arg >= 0 && (c.arg(flags_arg) & SPLICE_F_NONBLOCK);
  if (nr == SYS_sendfile || nr == SYS_splice || nr == SYS_tee || nr == SYS_copy_file_range) {
    // Two descriptors: out is arg 0 for sendfile, arg 2 for splice/copy_file_range, 1 for tee.
    fd = static_cast<int>(nr == SYS_sendfile ? c.arg(0) : nr == SYS_tee ? c.arg(1) : c.arg(2));
    int in = static_cast<int>(nr == SYS_sendfile ? c.arg(1) : c.arg(0));
    // SPLICE_F_NONBLOCK: an empty input pipe gives EAGAIN (other inputs may still wait).
    const struct stat* ist = own_nonblock ? c.fd_stat(in) : nullptr;  // blocking_fd's, taken first
    bool nonblocking_in = ist && S_ISFIFO(ist->st_mode);
    int lin = blocking_fd(c, in);
    if (lin >= 0) {
      pollfd p{lin, POLLIN, 0};
      if (!nonblocking_in && !c.signal_wake && poll(&p, 1, 0) == 0) return c.block(fd_block(BlockKind::FdRead, lin));
      close(lin);
    }
  }
  // An anonymous pipe whose room det counts (pipe_room.h): a plain write with a buffer
  // that cannot fault is counted at once where it surely fits or where it cannot block, else
  // at its exit stop; any other call makes the pipe's room unknown.
  // `out`: the descriptor's stat, kept for the pipe case below (blocking_fd's copy is the
  // caller's once taken, and the stop's cache with it).
  ino_t pipe = 0;
  bool fits = false;
  struct stat out {};
  bool out_known = false;
  if (const struct stat* st = c.fd_stat(fd)) {
    out = *st;
    out_known = true;
  }
  if (out_known && pipe_room::tracked(c.tr, out)) {
    if (nr == SYS_write && readable(c.t.tid, c.arg(1), c.arg(2))) {
      pipe = out.st_ino;
      fits = !s.cont_active && !c.signal_wake && pipe_room::write_fits(c.fd_copy(fd), out, c.arg(2));
    } else {
      pipe_room::unknown(out.st_ino);
    }
  }
  int local = own_nonblock ? -1 : blocking_fd(c, fd);  // the caller's SPLICE_F_NONBLOCK: no wait
  if (local < 0) {
    if (pipe) pipe_room::unknown(pipe);  // a non-blocking descriptor: any part may go in
    if (s.cont_active) {  // the descriptor changed under a continued write: finish plainly
      s.saved_flags = -1;
      return c.allow_exit(write_exit);
    }
    return Verdict::Allow;
  }
  if (!s.cont_active && !c.signal_wake && out_known && S_ISFIFO(out.st_mode)) {
    // A pipe write of at most PIPE_BUF bytes needs at most one free buffer slot (it merges
    // into the last page or takes a new one whole), and POLLOUT means a slot is free: it
    // cannot block. Bytes queued alone say nothing about slots (a partly read page still
    // holds one): a larger write runs as it is only where pipe_room's count of the writes
    // behind those bytes says it fits, else it takes the O_NONBLOCK path.
    pollfd p{local, POLLOUT, 0};
    if (fits) c.tr.count("pipe-room");
    if (fits || (write_len(c) <= PIPE_BUF && poll(&p, 1, 0) == 1 && (p.revents & POLLOUT))) {
      if (pipe) pipe_room::wrote(pipe, c.arg(2));  // all of it goes in (or none: no reader)
      close(local);
      return Verdict::Allow;
    }
  }
  if (c.notified) {
    if (c.signal_wake) {
      // Run as it is: with the signal pending it returns at once (a part written, EINTR or
      // a restart), as below; a bounce would deliver the signal first.
      close(local);
      if (pipe) pipe_room::unknown(pipe);
      return Verdict::Allow;
    }
    if (nr == SYS_write && out_known && S_ISFIFO(out.st_mode)) return notified_pipe_write(c, local, pipe);
    // Other descriptors: tried non-blocking, with the result looked at at the exit stop,
    // from a ptrace stop (nothing above changed state that a second run would change again).
    close(local);
    return Verdict::NeedStop;
  }
  s.local_fd = local;
  s.pipe_ino = pipe;
  if (c.signal_wake) {
    // A signal is pending: run it blocking; it returns at once, with what was written.
    s.saved_flags = -1;
    return c.allow_exit(write_exit);
  }
  s.saved_flags = fcntl(local, F_GETFL);
  fcntl(local, F_SETFL, s.saved_flags | O_NONBLOCK);
  if (flags_arg >= 0) {
    s.splice_flags_arg = flags_arg;
    s.splice_flags = c.arg(flags_arg);
    c.set_arg(flags_arg, s.splice_flags | SPLICE_F_NONBLOCK);
  }
  return c.allow_exit(write_exit);
}

// ----- readiness waits: poll, select, epoll ---------------------------------------------

uint64_t pending_of(pid_t tid, uint64_t* blocked);

struct TimeoutArg {
  int index;
  enum { Ms, Timespec, Timeval } kind;
};

TimeoutArg timeout_arg(long nr) {
  switch (nr) {
    case SYS_poll: return {2, TimeoutArg::Ms};
    case SYS_ppoll: return {2, TimeoutArg::Timespec};
    case SYS_select: return {4, TimeoutArg::Timeval};
    case SYS_pselect6: return {4, TimeoutArg::Timespec};
    case SYS_epoll_wait:
    case SYS_epoll_pwait: return {3, TimeoutArg::Ms};
    default: return {3, TimeoutArg::Timespec};  // epoll_pwait2
  }
}

// The timeout in ns: -1 infinite, -2 unreadable.
int64_t read_timeout(SysCtx& c, TimeoutArg ta) {
  uint64_t v = c.arg(ta.index);
  if (ta.kind == TimeoutArg::Ms) {
    int ms = static_cast<int>(v);
    return ms < 0 ? -1 : static_cast<int64_t>(ms) * 1000000;
  }
  if (!v) return -1;
  int64_t pair[2];
  if (read_mem(c.t.tid, v, pair, sizeof pair) != sizeof pair) return -2;
  if (ta.kind == TimeoutArg::Timeval) return pair[0] * kNsPerSec + pair[1] * 1000;
  return pair[0] * kNsPerSec + pair[1];
}

// select and pselect6 take three fd sets that are both input and output: the kernel
// rewrites them even when nothing is ready, so they are saved before a try and put back
// when the call waits.
bool has_fd_sets(long nr) { return nr == SYS_select || nr == SYS_pselect6; }

void save_fd_sets(SysCtx& c) {
  // nfds is an int: negative fails with EINVAL in the kernel (nothing to save); the kernel
  // looks at no more bits than its fd table holds, at most fs.nr_open (2^20 by default).
  int nfds = static_cast<int>(c.arg(0));
  if (nfds < 0) nfds = 0;
  if (nfds > (1 << 20)) nfds = 1 << 20;
  uint64_t bytes = (static_cast<uint64_t>(nfds) + 63) / 64 * 8;
  std::vector<uint8_t>& v = c.t.scratch.saved;
  v.assign(3 * bytes, 0);
  for (int i = 0; i < 3; ++i)
    if (c.arg(1 + i) && bytes) read_mem(c.t.tid, c.arg(1 + i), v.data() + i * bytes, bytes);
}

void restore_fd_sets(SysCtx& c) {
  const std::vector<uint8_t>& v = c.t.scratch.saved;
  uint64_t bytes = v.size() / 3;
  for (int i = 0; i < 3; ++i)
    if (c.arg(1 + i) && bytes) write_mem(c.t.tid, c.arg(1 + i), v.data() + i * bytes, bytes);
}

ExitVerdict readiness_exit(SysCtx& c) {
  TimeoutArg ta = timeout_arg(c.nr());
  set_sys_arg(c.regs, ta.index, sys_arg(c.t.entry_regs, ta.index));
  c.regs_dirty = true;
  bool final_try = c.t.scratch.b != 0;
  if (c.result() != 0 || final_try) return ExitVerdict::Done;
  if (has_fd_sets(c.nr())) restore_fd_sets(c);
  Block b;
  b.kind = BlockKind::Retry;
  b.deadline = static_cast<int64_t>(c.t.scratch.c);
  b.has_sigmask = c.t.scratch.has_sigmask;
  b.sigmask = c.t.scratch.sigmask;
  return c.would_block(b);
}

// The signal mask a readiness call installs for its duration, if it has one.
bool call_sigmask(SysCtx& c, uint64_t* mask) {
  uint64_t addr = 0;
  switch (c.nr()) {
    case SYS_ppoll: addr = c.arg(3); break;
    case SYS_epoll_pwait:
    case SYS_epoll_pwait2: addr = c.arg(4); break;
    case SYS_pselect6: {
      uint64_t pair[2];  // {const sigset_t *ss, size_t ss_len}
      if (!c.arg(5) || read_mem(c.t.tid, c.arg(5), pair, sizeof pair) != sizeof pair) return false;
      addr = pair[0];
      break;
    }
    default: return false;
  }
  return addr && read_mem(c.t.tid, addr, mask, sizeof *mask) == sizeof *mask;
}

Verdict on_readiness(SysCtx& c) {
  TimeoutArg ta = timeout_arg(c.nr());
  CallScratch& s = c.t.scratch;
  // A signal deliverable under the call's mask: the real call returns at once with EINTR
  // (a zero-timeout try would not say so for epoll).
  if (c.signal_wake) return Verdict::Allow;
  if (!c.retry) {
    int64_t tmo = read_timeout(c, ta);
    if (tmo == 0 || tmo == -2) return Verdict::Allow;  // no wait, or the kernel's EFAULT
    s = CallScratch{};
    s.c = static_cast<uint64_t>(tmo < 0 ? -1 : c.tr.sched().now() + tmo);
    uint64_t mask;
    if (call_sigmask(c, &mask)) {
      s.has_sigmask = true;
      s.sigmask = ~mask;
      uint64_t blocked;
      if (pending_of(c.t.tid, &blocked) & s.sigmask) return Verdict::Allow;
    }
  }
  // Timed out: one last zero-timeout try whose answer stands (it fills the sets right).
  s.b = c.timed_out ? 1 : 0;
  if (has_fd_sets(c.nr()) && !c.timed_out) save_fd_sets(c);
  if (ta.kind == TimeoutArg::Ms) {
    c.set_arg(ta.index, 0);
  } else {
    static const int64_t zero[2] = {0, 0};
    uint64_t at = tracee_scratch(c.regs, sizeof zero);
    if (write_mem(c.t.tid, at, zero, sizeof zero) != sizeof zero) return Verdict::Allow;
    c.set_arg(ta.index, at);
  }
  return c.allow_exit(readiness_exit);
}

// ----- sleeps ---------------------------------------------------------------------------

bool read_timespec(SysCtx& c, uint64_t addr, int64_t* ns, long* err) {
  int64_t ts[2];
  if (read_mem(c.t.tid, addr, ts, sizeof ts) != sizeof ts) {
    *err = -EFAULT;
    return false;
  }
  if (ts[0] < 0 || ts[1] < 0 || ts[1] >= kNsPerSec) {
    *err = -EINVAL;
    return false;
  }
  *ns = ts[0] * kNsPerSec + ts[1];
  return true;
}

Verdict sleep_until(SysCtx& c, int64_t deadline) {
  c.t.scratch = CallScratch{};
  c.t.scratch.c = static_cast<uint64_t>(deadline);
  if (deadline <= c.tr.sched().now()) return c.emulate(0);
  Block b;
  b.kind = BlockKind::Sleep;
  b.deadline = deadline;
  return c.block(b);
}

// Woken early by a signal: EINTR with the time left, as the kernel reports it.
Verdict sleep_interrupted(SysCtx& c, uint64_t rem_addr) {
  int64_t left = static_cast<int64_t>(c.t.scratch.c) - c.tr.sched().now();
  if (left < 0) left = 0;
  if (rem_addr) {
    int64_t ts[2] = {left / kNsPerSec, left % kNsPerSec};
    write_mem(c.t.tid, rem_addr, ts, sizeof ts);
  }
  return c.emulate(-EINTR);
}

Verdict on_nanosleep(SysCtx& c) {
  if (c.retry) return c.timed_out || !c.signal_wake ? c.emulate(0) : sleep_interrupted(c, c.arg(1));
  int64_t ns;
  long err;
  if (!read_timespec(c, c.arg(0), &ns, &err)) return c.emulate(err);
  return sleep_until(c, c.tr.sched().now() + ns);
}

Verdict on_clock_nanosleep(SysCtx& c) {
  bool abs = c.arg(1) & TIMER_ABSTIME;
  if (c.retry)
    return c.timed_out || !c.signal_wake ? c.emulate(0) : sleep_interrupted(c, abs ? 0 : c.arg(3));
  clockid_t clk = static_cast<clockid_t>(c.arg(0));
  if (clk == CLOCK_THREAD_CPUTIME_ID) return c.emulate(-EINVAL);
  if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME && clk != CLOCK_TAI &&
      clk != CLOCK_PROCESS_CPUTIME_ID)
    return c.emulate(-EINVAL);
  int64_t ns;
  long err;
  if (!read_timespec(c, c.arg(2), &ns, &err)) return c.emulate(err);
  int64_t now = c.tr.sched().now();
  int64_t deadline = now + ns;
  if (abs) {
    int64_t clock_now = (clk == CLOCK_REALTIME || clk == CLOCK_TAI) ? c.tr.realtime_ns() : c.tr.monotonic_ns();
    deadline = now + (ns - clock_now);
  }
  return sleep_until(c, deadline);
}

// ----- waits for signals ------------------------------------------------------------------

uint64_t pending_of(pid_t tid, uint64_t* blocked) { return interrupting_signals(tid, blocked); }

Verdict block_for_signal(SysCtx& c, uint64_t mask, int64_t deadline) {
  uint64_t blocked;
  uint64_t pending = pending_of(c.t.tid, &blocked);
  if (pending & mask) return Verdict::Allow;  // the kernel returns at once
  Block b;
  b.kind = BlockKind::Signal;
  b.sigmask = mask;
  b.deadline = deadline;
  c.t.maybe_signal = false;
  c.t.seen_pending = pending;
  return c.block(b);
}

Verdict on_pause(SysCtx& c) {
  if (c.signal_wake) return Verdict::Allow;
  uint64_t blocked;
  pending_of(c.t.tid, &blocked);
  return block_for_signal(c, ~blocked, -1);
}

Verdict on_sigsuspend(SysCtx& c) {
  if (c.signal_wake) return Verdict::Allow;
  uint64_t mask = 0;
  if (read_mem(c.t.tid, c.arg(0), &mask, sizeof mask) != sizeof mask) return Verdict::Allow;
  return block_for_signal(c, ~mask, -1);
}

Verdict on_sigtimedwait(SysCtx& c) {
  if (c.retry) return c.timed_out && !c.signal_wake ? c.emulate(-EAGAIN) : Verdict::Allow;
  uint64_t set = 0;
  if (read_mem(c.t.tid, c.arg(0), &set, sizeof set) != sizeof set) return Verdict::Allow;
  int64_t deadline = -1;
  if (c.arg(2)) {
    int64_t ns;
    long err;
    if (!read_timespec(c, c.arg(2), &ns, &err)) return Verdict::Allow;
    if (ns == 0) return Verdict::Allow;
    deadline = c.tr.sched().now() + ns;
  }
  uint64_t blocked, all = 0;
  uint64_t pending = interrupting_signals(c.t.tid, &blocked, &all);
  if ((pending & ~blocked) || (all & set)) return Verdict::Allow;  // the kernel returns at once
  Block b;
  b.kind = BlockKind::Signal;
  b.sigmask = set | ~blocked;
  b.waited = set;
  b.deadline = deadline;
  c.t.maybe_signal = false;
  c.t.seen_pending = pending;
  return c.block(b);
}

// ----- locks and IPC: tried non-blocking, retried after others made progress ---------------

struct FlagPatch {
  int arg;
  uint64_t set, clear;
};

ExitVerdict retry_exit(SysCtx& c) {
  int i = static_cast<int>(c.t.scratch.a);
  set_sys_arg(c.regs, i, sys_arg(c.t.entry_regs, i));
  c.regs_dirty = true;
  long res = c.result();
  long busy1 = static_cast<long>(c.t.scratch.b), busy2 = static_cast<long>(c.t.scratch.c);
  if (res == busy1 || res == busy2) {
    Block b;
    b.kind = BlockKind::Retry;
    return c.would_block(b);
  }
  return ExitVerdict::Done;
}

Verdict try_nonblocking(SysCtx& c, int arg, uint64_t value, long busy1, long busy2) {
  if (c.signal_wake) return Verdict::Allow;  // returns at once: EINTR or success
  c.t.scratch = CallScratch{};
  c.t.scratch.a = static_cast<uint64_t>(arg);
  c.t.scratch.b = static_cast<uint64_t>(busy1);
  c.t.scratch.c = static_cast<uint64_t>(busy2);
  c.set_arg(arg, value);
  return c.allow_exit(retry_exit);
}

Verdict on_flock(SysCtx& c) {
  uint64_t op = c.arg(1);
  if (op & LOCK_NB) return Verdict::Allow;
  return try_nonblocking(c, 1, op | LOCK_NB, -EWOULDBLOCK, -EWOULDBLOCK);
}

Verdict on_fcntl(SysCtx& c) {
  uint64_t cmd = c.arg(1);
  if (cmd == F_SETLKW) return try_nonblocking(c, 1, F_SETLK, -EAGAIN, -EACCES);
  if (cmd == F_OFD_SETLKW) return try_nonblocking(c, 1, F_OFD_SETLK, -EAGAIN, -EACCES);
  return Verdict::Allow;
}

Verdict on_msgrcv(SysCtx& c) {
  if (c.arg(4) & IPC_NOWAIT) return Verdict::Allow;
  return try_nonblocking(c, 4, c.arg(4) | IPC_NOWAIT, -ENOMSG, -ENOMSG);
}

Verdict on_msgsnd(SysCtx& c) {
  if (c.arg(3) & IPC_NOWAIT) return Verdict::Allow;
  return try_nonblocking(c, 3, c.arg(3) | IPC_NOWAIT, -EAGAIN, -EAGAIN);
}

Verdict on_semop(SysCtx& c) {
  uint64_t n = c.arg(2);
  if (n == 0 || n > 512) return Verdict::Allow;  // the kernel's EINVAL/E2BIG
  std::vector<sembuf> ops(n);
  size_t bytes = n * sizeof(sembuf);
  if (read_mem(c.t.tid, c.arg(1), ops.data(), bytes) != static_cast<ssize_t>(bytes)) return Verdict::Allow;
  bool all_nowait = true;
  for (sembuf& op : ops) {
    if (!(op.sem_flg & IPC_NOWAIT)) all_nowait = false;
    op.sem_flg |= IPC_NOWAIT;
  }
  if (all_nowait || c.signal_wake) return Verdict::Allow;
  if (c.retry && c.timed_out) return c.emulate(-EAGAIN);
  uint64_t at = tracee_scratch(c.regs, bytes);
  if (write_mem(c.t.tid, at, ops.data(), bytes) != static_cast<ssize_t>(bytes)) return Verdict::Allow;
  return try_nonblocking(c, 1, at, -EAGAIN, -EAGAIN);
}

Verdict on_mq_timed(SysCtx& c) {
  if (c.retry && c.timed_out) return c.emulate(-ETIMEDOUT);
  int local = blocking_fd(c, static_cast<int>(c.arg(0)));
  if (local < 0) return Verdict::Allow;
  pollfd p{local, static_cast<short>(c.nr() == SYS_mq_timedsend ? POLLOUT : POLLIN), 0};
  if (c.signal_wake || poll(&p, 1, 0) > 0) {
    close(local);
    return Verdict::Allow;
  }
  Block b = fd_block(c.nr() == SYS_mq_timedsend ? BlockKind::FdWrite : BlockKind::FdRead, local);
  if (c.arg(4)) {
    int64_t ns;
    long err;
    if (read_timespec(c, c.arg(4), &ns, &err)) b.deadline = c.tr.sched().now() + (ns - c.tr.realtime_ns());
  }
  return c.block(b);
}

Verdict on_sched_yield(SysCtx& c) {
  c.ret = 0;
  return Verdict::Yield;
}

const bool registered = [] {
  for (const char* n : {"read", "readv", "recvfrom", "recvmsg", "recvmmsg", "accept", "accept4", "preadv2"})
    register_handler(n, on_read_like);
  for (const char* n : {"write", "writev", "sendto", "sendmsg", "sendmmsg", "pwritev2", "sendfile", "splice", "tee",
                        "copy_file_range", "vmsplice"})
    register_handler(n, on_write_like);
  for (const char* n : {"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2"})
    register_handler(n, on_readiness);
  register_handler("nanosleep", on_nanosleep);
  register_handler("clock_nanosleep", on_clock_nanosleep);
  register_handler("pause", on_pause);
  register_handler("rt_sigsuspend", on_sigsuspend);
  register_handler("rt_sigtimedwait", on_sigtimedwait);
  register_handler("flock", on_flock);
  register_handler("fcntl", on_fcntl);
  register_handler("msgrcv", on_msgrcv);
  register_handler("msgsnd", on_msgsnd);
  register_handler("semop", on_semop);
  register_handler("semtimedop", on_semop);
  register_handler("mq_timedsend", on_mq_timed);
  register_handler("mq_timedreceive", on_mq_timed);
  register_handler("sched_yield", on_sched_yield);
  return true;
}();

}  // namespace
}  // namespace det
