// Host probe: see probe.h. Each mechanism is tried for real in a forked child; the child
// reports which step failed (and errno) through a pipe and is always killed and reaped.
// Children only make async-signal-safe calls (no allocation): the caller may be
// multi-threaded (node).
#include "core/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <linux/audit.h>

#include <cstdint>
#include <string>

#include "core/json.h"

namespace det {

namespace {

constexpr int kDeadlineMs = 250;  // per child; a working child answers in well under 1 ms

#ifndef ARCH_GET_CPUID
#define ARCH_GET_CPUID 0x1011
#endif
#ifndef ARCH_SET_CPUID
#define ARCH_SET_CPUID 0x1012
#endif
#ifndef PTRACE_EVENT_SECCOMP
#define PTRACE_EVENT_SECCOMP 7
#endif
#ifndef PTRACE_O_EXITKILL
#define PTRACE_O_EXITKILL (1 << 20)
#endif

#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#elif defined(__i386__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_I386;
#else
constexpr uint32_t kAuditArch = 0;
#endif

double now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

std::string read_small_file(const char* path) {
  std::string out;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[128];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, (size_t)n);
  close(fd);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string errtext(int e) { return strerror(e); }

// ---- child side (async-signal-safe only) ----

struct Note {
  int step;  // which step failed (0: none reported)
  int err;   // its errno
};

void note(int fd, int step, int err) {
  Note n{step, err};
  ssize_t r = write(fd, &n, sizeof n);
  (void)r;
}

// Exit status of a trap-probe child whose instruction raised SIGSEGV (caught by a handler,
// so the kernel does not log an "unhandled" general protection fault for every probe).
constexpr int kTrapped = 77;

void on_trap(int) { _exit(kTrapped); }

// Common child setup: die with the parent, default fault signals, nothing blocked.
void child_prep(bool trap_probe) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  for (int s : {SIGSEGV, SIGILL, SIGBUS, SIGTRAP, SIGSYS}) sigaction(s, &sa, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (trap_probe) {
    // The trap probes fault on purpose: catch SIGSEGV; should it still kill the child,
    // no core file and no core_pattern helper.
    sa.sa_handler = on_trap;
    sigaction(SIGSEGV, &sa, nullptr);
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0);
  }
}

// Write a whole small string to a /proc file; 0 or errno.
int write_proc(const char* path, const char* data, size_t len) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t n = write(fd, data, len);
  int e = n == (ssize_t)len ? 0 : (n < 0 ? errno : EIO);
  close(fd);
  return e;
}

// Maps prepared by the parent (formatting would allocate in the child).
struct Maps {
  char uid_map[64];
  char gid_map[64];
  size_t uid_len, gid_len;
};

// unshare a user namespace mapping us to 0; steps 1..4. 0 on success, else the failed step.
int child_enter_userns(const Maps& m, int* err) {
  if (unshare(CLONE_NEWUSER) != 0) return *err = errno, 1;
  int e = write_proc("/proc/self/setgroups", "deny", 4);
  if (e && e != ENOENT) return *err = e, 2;
  if ((e = write_proc("/proc/self/uid_map", m.uid_map, m.uid_len))) return *err = e, 3;
  if ((e = write_proc("/proc/self/gid_map", m.gid_map, m.gid_len))) return *err = e, 4;
  return 0;
}

// ---- parent side ----

struct Child {
  pid_t pid = -1;
  int rfd = -1;  // read end of the note pipe
};

// Fork a child running body(write_fd) -> exit code. Returns pid -1 on fork/pipe failure.
template <class F>
Child spawn(F body, bool trap_probe) {
  Child c;
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return c;
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return c;
  }
  if (pid == 0) {
    close(p[0]);
    child_prep(trap_probe);
    _exit(body(p[1]));
  }
  close(p[1]);
  fcntl(p[0], F_SETFL, O_NONBLOCK);  // a grandchild could hold the write end
  c.pid = pid;
  c.rfd = p[0];
  return c;
}

// Wait for the next state change of pid (stops included) until the deadline.
bool wait_until(pid_t pid, int* status, double deadline) {
  for (;;) {
    pid_t r = waitpid(pid, status, WNOHANG | __WALL);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return false;
    if (now_ms() > deadline) return false;
    struct timespec ts = {0, 100 * 1000};  // 0.1 ms
    nanosleep(&ts, nullptr);
  }
}

// Kill and reap the child (whatever state it is in), close the pipe, return its note.
Note finish(Child& c) {
  Note n{0, 0};
  if (c.pid > 0) {
    kill(c.pid, SIGKILL);
    int st;
    for (;;) {
      pid_t r = waitpid(c.pid, &st, __WALL);
      if (r == c.pid && (WIFEXITED(st) || WIFSIGNALED(st))) break;
      if (r < 0 && errno != EINTR) break;
    }
    c.pid = -1;
  }
  if (c.rfd >= 0) {
    if (read(c.rfd, &n, sizeof n) != (ssize_t)sizeof n) n = Note{0, 0};
    close(c.rfd);
    c.rfd = -1;
  }
  return n;
}

std::string describe_status(int st) {
  if (WIFEXITED(st)) return "exited with status " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return std::string("was killed by ") + strsignal(WTERMSIG(st));
  if (WIFSTOPPED(st)) return std::string("stopped by ") + strsignal(WSTOPSIG(st));
  return "changed state " + std::to_string(st);
}

// Wait for the child to end or stop; on timeout or error, item->detail explains.
bool trapped(int st) {
  return (WIFEXITED(st) && WEXITSTATUS(st) == kTrapped) || (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

bool wait_child(Child& c, int* st, double deadline, ProbeItem* item, const char* what) {
  if (wait_until(c.pid, st, deadline)) return true;
  item->available = false;
  item->detail = std::string(what) + ": the probe child did not answer within " +
                 std::to_string(kDeadlineMs) + " ms";
  return false;
}

// Runs body(write_fd) in a probe child to its end: its status and note. False, with
// item->detail saying why, when it could not start or did not end in time.
template <class F>
bool run_child(F body, bool trap_probe, ProbeItem* item, const char* what, int* st, Note* n) {
  Child c = spawn(body, trap_probe);
  if (c.pid < 0) {
    item->detail = "fork: " + errtext(errno);
    return false;
  }
  if (!wait_child(c, st, now_ms() + kDeadlineMs, item, what)) {
    finish(c);
    return false;
  }
  c.pid = -1;
  *n = finish(c);
  return true;
}

Maps make_maps() {
  Maps m{};
  std::string u = "0 " + std::to_string(geteuid()) + " 1\n";
  std::string g = "0 " + std::to_string(getegid()) + " 1\n";
  memcpy(m.uid_map, u.data(), u.size());
  memcpy(m.gid_map, g.data(), g.size());
  m.uid_len = u.size();
  m.gid_len = g.size();
  return m;
}

std::string yama_hint() {
  std::string y = read_small_file("/proc/sys/kernel/yama/ptrace_scope");
  return y.empty() ? "" : " (kernel.yama.ptrace_scope=" + y + ")";
}

// ---- the probes ----

void probe_ptrace(ProbeItem* item) {
  Child c = spawn(
      [](int fd) {
        if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) {
          note(fd, 1, errno);
          return 1;
        }
        raise(SIGSTOP);
        return 0;
      },
      false);
  if (c.pid < 0) {
    item->detail = "fork: " + errtext(errno);
    return;
  }
  double deadline = now_ms() + kDeadlineMs;
  int st = 0;
  if (!wait_child(c, &st, deadline, item, "ptrace")) return (void)finish(c);
  if (!(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP)) {
    Note n = finish(c);
    item->detail = n.step == 1 ? "PTRACE_TRACEME: " + errtext(n.err) + yama_hint()
                               : "the traced child " + describe_status(st) + " instead of stopping";
    return;
  }
  if (ptrace(PTRACE_SETOPTIONS, c.pid, nullptr, (void*)(long)(PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD)) != 0) {
    item->detail = "PTRACE_SETOPTIONS: " + errtext(errno);
    finish(c);
    return;
  }
  if (ptrace(PTRACE_CONT, c.pid, nullptr, nullptr) != 0) {
    item->detail = "PTRACE_CONT: " + errtext(errno);
    finish(c);
    return;
  }
  if (!wait_child(c, &st, deadline, item, "ptrace")) return (void)finish(c);
  finish(c);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
    item->available = true;
    item->detail = "PTRACE_TRACEME, signal-delivery stop, PTRACE_SETOPTIONS and PTRACE_CONT work";
  } else {
    item->detail = "the traced child " + describe_status(st) + " after PTRACE_CONT";
  }
}

void probe_seccomp(ProbeItem* item) {
  if (kAuditArch == 0) {
    item->detail = "no seccomp audit architecture known for this build";
    return;
  }
  constexpr uint32_t kData = 0x2a;
  Child c = spawn(
      [](int fd) {
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | kData),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {(unsigned short)(sizeof f / sizeof f[0]), f};
        if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) {
          note(fd, 1, errno);
          return 1;
        }
        raise(SIGSTOP);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
          note(fd, 2, errno);
          return 2;
        }
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
          note(fd, 3, errno);
          return 3;
        }
        syscall(SYS_getppid);
        return 0;
      },
      false);
  if (c.pid < 0) {
    item->detail = "fork: " + errtext(errno);
    return;
  }
  double deadline = now_ms() + kDeadlineMs;
  int st = 0;
  if (!wait_child(c, &st, deadline, item, "seccomp")) return (void)finish(c);
  if (!(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP)) {
    Note n = finish(c);
    item->detail = n.step == 1 ? "PTRACE_TRACEME: " + errtext(n.err) + yama_hint()
                               : "the traced child " + describe_status(st) + " instead of stopping";
    return;
  }
  if (ptrace(PTRACE_SETOPTIONS, c.pid, nullptr, (void*)(long)(PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP)) != 0) {
    item->detail = "PTRACE_SETOPTIONS(PTRACE_O_TRACESECCOMP): " + errtext(errno);
    finish(c);
    return;
  }
  if (ptrace(PTRACE_CONT, c.pid, nullptr, nullptr) != 0) {
    item->detail = "PTRACE_CONT: " + errtext(errno);
    finish(c);
    return;
  }
  if (!wait_child(c, &st, deadline, item, "seccomp")) return (void)finish(c);
  if (WIFSTOPPED(st) && (st >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
    unsigned long msg = 0;
    long r = ptrace(PTRACE_GETEVENTMSG, c.pid, nullptr, &msg);
    int e = errno;
    finish(c);
    if (r != 0) {
      item->detail = "PTRACE_GETEVENTMSG: " + errtext(e);
    } else if (msg != kData) {
      item->detail = "PTRACE_EVENT_SECCOMP stop carried data " + std::to_string(msg) + ", not " +
                     std::to_string(kData);
    } else {
      item->available = true;
      item->detail = "a filter returning SECCOMP_RET_TRACE stopped the tracee with PTRACE_EVENT_SECCOMP";
    }
    return;
  }
  Note n = finish(c);
  if (n.step == 2) item->detail = "PR_SET_NO_NEW_PRIVS: " + errtext(n.err);
  else if (n.step == 3) item->detail = "seccomp(SECCOMP_SET_MODE_FILTER): " + errtext(n.err);
  else item->detail = "no PTRACE_EVENT_SECCOMP stop: the tracee " + describe_status(st);
}

const char* userns_step(int step) {
  switch (step) {
    case 1: return "unshare(CLONE_NEWUSER)";
    case 2: return "write /proc/self/setgroups";
    case 3: return "write /proc/self/uid_map";
    case 4: return "write /proc/self/gid_map";
    case 5: return "unshare(CLONE_NEWNS) inside the user namespace";
    case 6: return "make / private inside the user namespace";
    case 7: return "mount a tmpfs inside the user namespace";
    case 8: return "unshare(CLONE_NEWPID)";
    case 9: return "fork into the pid namespace";
    default: return "?";
  }
}

// Why creating or using a user namespace failed, as a parenthesis ("" if nothing to add).
std::string userns_hint(int step, int err) {
  if (step == 1 && (err == ENOSPC || err == EUSERS))
    return " (user.max_user_namespaces=" + read_small_file("/proc/sys/user/max_user_namespaces") +
           " or its limit is reached)";
  if (step == 1 && read_small_file("/proc/sys/kernel/unprivileged_userns_clone") == "0")
    return " (kernel.unprivileged_userns_clone=0)";
  if (err == EPERM && read_small_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1")
    return " (restricted by AppArmor: kernel.apparmor_restrict_unprivileged_userns=1)";
  return "";
}

void probe_userns(const Maps& maps, ProbeItem* item) {
  Child c = spawn(
      [&maps](int fd) {
        int e = 0;
        int step = child_enter_userns(maps, &e);
        if (step) return note(fd, step, e), step;
        if (unshare(CLONE_NEWNS) != 0) return note(fd, 5, errno), 5;
        if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return note(fd, 6, errno), 6;
        // The mount namespace is private to this child and dies with it.
        if (mount("det-probe", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, nullptr) != 0 && errno != ENOENT)
          return note(fd, 7, errno), 7;
        return 0;
      },
      false);
  if (c.pid < 0) {
    item->detail = "fork: " + errtext(errno);
    return;
  }
  int st = 0;
  if (!wait_child(c, &st, now_ms() + kDeadlineMs, item, "user namespaces")) return (void)finish(c);
  c.pid = -1;  // reaped
  Note n = finish(c);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
    item->available = true;
    item->detail = "unshare(CLONE_NEWUSER), uid/gid maps to 0, and a mount namespace with a tmpfs inside it work";
  } else if (n.step) {
    item->detail = std::string(userns_step(n.step)) + ": " + errtext(n.err) + userns_hint(n.step, n.err);
  } else {
    item->detail = "the probe child " + describe_status(st);
  }
}

constexpr int kUsedUserns = 100;  // pid-ns probe note: root needed the user-ns fallback

void probe_pidns(const Maps& maps, ProbeItem* item) {
  bool root = geteuid() == 0;
  Child c = spawn(
      [&maps, root](int fd) {
        int e = 0;
        if (!root) {
          int step = child_enter_userns(maps, &e);
          if (step) return note(fd, step, e), step;
        }
        if (unshare(CLONE_NEWPID) != 0) {
          // root without CAP_SYS_ADMIN: as sandbox_unshare(), retry inside a user namespace
          if (!(root && errno == EPERM)) return note(fd, 8, errno), 8;
          int step = child_enter_userns(maps, &e);
          if (step) return note(fd, step, e), step;
          if (unshare(CLONE_NEWPID) != 0) return note(fd, 8, errno), 8;
          note(fd, kUsedUserns, 0);
        }
        pid_t g = fork();
        if (g < 0) return note(fd, 9, errno), 9;
        if (g == 0) _exit(syscall(SYS_getpid) == 1 ? 0 : 10);
        int st = 0;
        while (waitpid(g, &st, 0) < 0 && errno == EINTR) {
        }
        return WIFEXITED(st) ? WEXITSTATUS(st) : 11;
      },
      false);
  if (c.pid < 0) {
    item->detail = "fork: " + errtext(errno);
    return;
  }
  int st = 0;
  if (!wait_child(c, &st, now_ms() + kDeadlineMs, item, "pid namespaces")) return (void)finish(c);
  c.pid = -1;
  Note n = finish(c);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
    item->available = true;
    item->detail = std::string("unshare(CLONE_NEWPID)") +
                   (!root ? " in a user namespace"
                          : n.step == kUsedUserns ? " in a user namespace (root without CAP_SYS_ADMIN)" : "") +
                   ": the next child is pid 1";
  } else if (n.step && n.step != kUsedUserns) {
    item->detail = std::string(userns_step(n.step)) + ": " + errtext(n.err) + userns_hint(n.step, n.err);
  } else if (WIFEXITED(st) && WEXITSTATUS(st) == 10) {
    item->detail = "the first child of the new pid namespace is not pid 1";
  } else {
    item->detail = "the probe child " + describe_status(st);
  }
}

void probe_tsc(ProbeItem* item) {
#if defined(__x86_64__) || defined(__i386__)
  int st = 0;
  Note n{0, 0};
  if (!run_child(
          [](int fd) {
            if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) != 0) return note(fd, 1, errno), 1;
            uint32_t lo, hi;
            __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
            (void)lo;
            (void)hi;
            return 0;
          },
          true, item, "PR_SET_TSC", &st, &n))
    return;
  if (trapped(st)) {
    item->available = true;
    item->detail = "after prctl(PR_SET_TSC, PR_TSC_SIGSEGV) rdtsc raises SIGSEGV (trappable by the tracer)";
  } else if (n.step == 1) {
    item->detail = "prctl(PR_SET_TSC, PR_TSC_SIGSEGV): " + errtext(n.err);
  } else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
    item->detail = "prctl(PR_SET_TSC) succeeded but rdtsc still executed";
  } else {
    item->detail = "the probe child " + describe_status(st);
  }
#else
  item->detail = "no time stamp counter instruction on this architecture";
#endif
}

// What the command's filter asks for (sandbox_init.cc): a notification descriptor, with
// waits that only a fatal signal ends once the notification is received.
void probe_seccomp_notify(ProbeItem* item) {
  int st = 0;
  Note n{0, 0};
  if (!run_child(
          [](int fd) {
            struct sock_filter f[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
            struct sock_fprog prog = {1, f};
            if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return note(fd, 1, errno), 1;
            unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
            if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0) return note(fd, 2, errno), 2;
            return 0;
          },
          false, item, "seccomp user notification", &st, &n))
    return;
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
    item->available = true;
    item->detail = "SECCOMP_FILTER_FLAG_NEW_LISTENER with WAIT_KILLABLE_RECV: the table's Notify calls (file "
                   "metadata, open, read, write, identity, randomness) are answered without a ptrace stop";
  } else if (n.step == 2) {
    item->detail = "seccomp(NEW_LISTENER | WAIT_KILLABLE_RECV): " + errtext(n.err) +
                   " (Linux 5.19 or later): every traced call takes a ptrace stop";
  } else {
    item->detail = n.step == 1 ? "PR_SET_NO_NEW_PRIVS: " + errtext(n.err) : "the probe child " + describe_status(st);
  }
}

void probe_cpuid_faulting(ProbeItem* item) {
#if defined(__x86_64__)
  int st = 0;
  Note n{0, 0};
  if (!run_child(
          [](int fd) {
            if (syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) != 0) return note(fd, 1, errno), 1;
            uint32_t a = 0, b, cc = 0, d;
            __asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(cc), "=d"(d));
            return 0;
          },
          true, item, "CPUID faulting", &st, &n))
    return;
  if (trapped(st)) {
    item->available = true;
    item->detail = "after arch_prctl(ARCH_SET_CPUID, 0) cpuid raises SIGSEGV (trappable by the tracer)";
  } else if (n.step == 1) {
    item->detail = "arch_prctl(ARCH_SET_CPUID, 0): " + errtext(n.err) +
                   (n.err == ENODEV ? " (the CPU or hypervisor offers no CPUID faulting)" : "");
  } else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
    item->detail = "arch_prctl(ARCH_SET_CPUID, 0) succeeded but cpuid still executed";
  } else {
    item->detail = "the probe child " + describe_status(st);
  }
#else
  item->detail = "CPUID faulting exists only on x86-64";
#endif
}

// Count one hardware event for this thread over a small loop; >0 counted, -errno on failure.
long long count_hw_event(uint64_t config) {
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_HARDWARE;
  attr.config = config;
  attr.disabled = 1;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) return -errno;
  ioctl(fd, PERF_EVENT_IOC_RESET, 0);
  ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
  volatile unsigned sink = 0;
  for (unsigned i = 0; i < 10000; i++) sink = sink + (i & 1 ? i : 1);
  ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
  long long v = 0;
  ssize_t r = read(fd, &v, sizeof v);
  int e = errno;
  close(fd);
  if (r != (ssize_t)sizeof v) return -(r < 0 ? e : EIO);
  return v;
}

std::string perf_error(const char* what, int e) {
  std::string s = std::string("perf_event_open(") + what + "): " + errtext(e);
  if (e == ENOENT || e == EOPNOTSUPP || e == ENODEV)
    s += " (no hardware PMU exposed to this kernel, e.g. a VM without PMU virtualization)";
  else if (e == EACCES || e == EPERM)
    s += " (kernel.perf_event_paranoid=" + read_small_file("/proc/sys/kernel/perf_event_paranoid") + ")";
  return s;
}

void probe_perf(ProbeItem* item) {
  long long ins = count_hw_event(PERF_COUNT_HW_INSTRUCTIONS);
  if (ins < 0) {
    item->detail = perf_error("PERF_COUNT_HW_INSTRUCTIONS", (int)-ins);
    return;
  }
  long long br = count_hw_event(PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
  if (br < 0) {
    item->detail = perf_error("PERF_COUNT_HW_BRANCH_INSTRUCTIONS", (int)-br);
    return;
  }
  if (ins == 0 || br == 0) {
    item->detail = "hardware counters open but count nothing (instructions " + std::to_string(ins) +
                   ", branches " + std::to_string(br) + ")";
    return;
  }
  item->available = true;
  item->detail = "retired instructions and branches count in user space";
}

void probe_rdrand_rdseed(bool cpuid_faulting, ProbeItem* rdrand, ProbeItem* rdseed) {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  bool has_rdrand = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 30));
  bool has_rdseed = false;
  if (__get_cpuid_max(0, nullptr) >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    has_rdseed = b & (1u << 18);
  }
  const std::string hide = cpuid_faulting
                               ? "; can be hidden from the command with CPUID faulting"
                               : "; cannot be hidden (no CPUID faulting): a program using it is not determinized";
  auto run = [&](bool advertised, bool seed, ProbeItem* item, const char* name) {
    if (!advertised) {
      item->detail = std::string(name) + " not advertised by CPUID";
      return;
    }
    unsigned long long v = 0;
    unsigned char ok = 0;
    for (int i = 0; i < 10 && !ok; i++) {
      if (seed)
        __asm__ __volatile__("rdseed %0; setc %1" : "=r"(v), "=qm"(ok));
      else
        __asm__ __volatile__("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
    }
    item->available = true;
    item->detail = std::string("advertised by CPUID and ") +
                   (ok ? "returns values in user space without a syscall" : "advertised but returned no value") +
                   hide;
  };
  run(has_rdrand, false, rdrand, "rdrand");
  run(has_rdseed, true, rdseed, "rdseed");
#else
  rdrand->detail = rdseed->detail = "not an x86 CPU";
#endif
}

void probe_vdso(ProbeItem* item) {
  unsigned long base = getauxval(AT_SYSINFO_EHDR);
  item->available = base != 0;
  item->detail = base ? "mapped (AT_SYSINFO_EHDR): clock_gettime/gettimeofday/time/getcpu do not enter "
                        "the kernel unless the tracer removes or traps them"
                      : "no vDSO mapped (AT_SYSINFO_EHDR is 0): time calls are real syscalls";
}

}  // namespace

HostProbe probe_host() {
  double t0 = now_ms();
  HostProbe p;
  struct utsname u;
  if (uname(&u) == 0) {
    p.kernel = u.release;
    p.arch = u.machine;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  p.cpus = n > 0 ? (int)n : 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  p.cpus_allowed = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : p.cpus;
  p.root = geteuid() == 0;

  Maps maps = make_maps();
  probe_ptrace(&p.ptrace);
  probe_seccomp(&p.seccomp_trace);
  probe_userns(maps, &p.user_ns);
  probe_pidns(maps, &p.pid_ns);
  probe_seccomp_notify(&p.seccomp_notify);
  probe_tsc(&p.tsc_trap);
  probe_cpuid_faulting(&p.cpuid_faulting);
  probe_perf(&p.perf_counters);
  probe_rdrand_rdseed(p.cpuid_faulting.available, &p.rdrand, &p.rdseed);
  probe_vdso(&p.vdso);

  std::string aa = read_small_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  if (aa.empty()) {
    p.apparmor_detail = "no kernel.apparmor_restrict_unprivileged_userns on this kernel";
  } else {
    p.apparmor_restricts_userns = aa == "1";
    p.apparmor_detail = "kernel.apparmor_restrict_unprivileged_userns=" + aa +
                        (p.apparmor_restricts_userns
                             ? (p.root ? " (does not affect root)" : " (unprivileged user namespaces get no capabilities)")
                             : "");
  }
  p.duration_ms = now_ms() - t0;
  return p;
}

std::string probe_to_json(const HostProbe& p) {
  auto item = [](const ProbeItem& i) {
    return "{\"available\":" + json_bool(i.available) + ",\"detail\":" + json_str(i.detail) + "}";
  };
  std::string s = "{";
  s += "\"kernel\":" + json_str(p.kernel);
  s += ",\"arch\":" + json_str(p.arch);
  s += ",\"cpus\":" + json_int(p.cpus);
  s += ",\"cpusAllowed\":" + json_int(p.cpus_allowed);
  s += ",\"root\":" + json_bool(p.root);
  s += ",\"ptrace\":" + item(p.ptrace);
  s += ",\"seccompTrace\":" + item(p.seccomp_trace);
  s += ",\"userNamespaces\":" + item(p.user_ns);
  s += ",\"pidNamespaces\":" + item(p.pid_ns);
  s += ",\"seccompNotify\":" + item(p.seccomp_notify);
  s += ",\"tscTrap\":" + item(p.tsc_trap);
  s += ",\"cpuidFaulting\":" + item(p.cpuid_faulting);
  s += ",\"perfCounters\":" + item(p.perf_counters);
  s += ",\"rdrand\":" + item(p.rdrand);
  s += ",\"rdseed\":" + item(p.rdseed);
  s += ",\"vdso\":" + item(p.vdso);
  s += ",\"apparmorRestrictsUserns\":" + json_bool(p.apparmor_restricts_userns);
  s += ",\"apparmorDetail\":" + json_str(p.apparmor_detail);
  s += ",\"durationMs\":" + json_num(p.duration_ms);
  s += "}";
  return s;
}

}  // namespace det
