#include "core/sandbox_init.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "core/io_util.h"
#include "core/sandbox.h"
#include "core/seccomp_filter.h"

namespace det {
namespace {

constexpr int kConfigFd = 3;
constexpr int kErrorFd = 4;


[[noreturn]] void fail(int errfd, const std::string& msg) {
  write_all(errfd, msg);
  _exit(125);
}

// An in-memory copy of the running executable, so init can be re-executed after
// pivot_root, when the tracer's file is no longer reachable.
int copy_self_to_memfd() {
  int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (src < 0) return -1;
  int mfd = static_cast<int>(syscall(SYS_memfd_create, kInitName, MFD_CLOEXEC));
  if (mfd < 0) {
    close(src);
    return -1;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = read(src, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0 || write(mfd, buf, static_cast<size_t>(n)) != n) {
      close(src);
      close(mfd);
      return -1;
    }
  }
  close(src);
  return mfd;
}

// The tracer ignores SIGPIPE and handles SIGINT/SIGTERM/SIGHUP/SIGALRM; the command starts
// as a shell would start it: every signal at its default action, none blocked.
void reset_signals() {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s)
    if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Capabilities a build never needs and that act on the machine rather than on the
// container: modules, raw I/O, the clock, reboot, the kernel log, BPF and perf, ptrace,
// mounts and namespaces (CAP_SYS_ADMIN), device nodes, immutable files (which the host
// could then not clean up), MAC policy, audit, accounting. Most of the calls they allow are
// refused by the seccomp filter already; dropping them from the bounding set also closes
// the paths through files (/proc/sys, device nodes) for a tracer run as real root, where
// no user namespace confines the command's root. Root's file powers inside the container
// (chown, any mode, setuid to build users) stay.
void drop_machine_capabilities() {
  static const int kDrop[] = {
      CAP_LINUX_IMMUTABLE, CAP_NET_ADMIN, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_PTRACE,
      CAP_SYS_PACCT, CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_TIME, CAP_SYS_TTY_CONFIG, CAP_MKNOD,
      CAP_AUDIT_CONTROL, CAP_MAC_OVERRIDE, CAP_MAC_ADMIN, CAP_SYSLOG, CAP_WAKE_ALARM,
      CAP_BLOCK_SUSPEND, CAP_AUDIT_READ,
      38 /* CAP_PERFMON */, 39 /* CAP_BPF */, 40 /* CAP_CHECKPOINT_RESTORE */};
  for (int cap : kDrop) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);  // EINVAL: unknown to this kernel
  // And from this process's own sets: init must hold no more than the command, else the
  // kernel hides /proc/1/{fd,environ,...} from it (a ptrace access check), and an execve
  // is not needed for the drop to count.
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &hdr, data) != 0) return;
  for (int cap : kDrop) {
    uint32_t bit = 1u << (cap % 32);
    data[cap / 32].effective &= ~bit;
    data[cap / 32].permitted &= ~bit;
    data[cap / 32].inheritable &= ~bit;
  }
  syscall(SYS_capset, &hdr, data);
}

[[noreturn]] void run_command(const RunConfig& cfg) {
  // Traced from birth (auto-attached through init's PTRACE_O_TRACEFORK).
  // Nothing the tracer's caller left open reaches the command: only 0, 1 and 2.
  syscall(SYS_close_range, 3, ~0U, 0);
  reset_signals();
  personality(ADDR_NO_RANDOMIZE);  // same addresses every run
  umask(022);
  std::vector<std::string> env = {
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "HOME=/root",
      "LANG=C.UTF-8",
      "TZ=UTC",
      "SOURCE_DATE_EPOCH=" + std::to_string(cfg.epoch),
  };
  for (const std::string& kv : cfg.env) {
    std::string name = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (std::string& e : env)
      if (e.compare(0, name.size() + 1, name + "=") == 0) {
        e = kv;
        replaced = true;
      }
    if (!replaced) env.push_back(kv);
  }
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(&e[0]);
  envp.push_back(nullptr);
  std::vector<std::string> args = cfg.command;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(&a[0]);
  argv.push_back(nullptr);

  // Resolve the command as a shell does: 127 not found, 126 found but not executable.
  const std::string& cmd = cfg.command[0];
  std::string path;
  bool found_not_exec = false;
  if (cmd.find('/') != std::string::npos) {
    path = cmd;
  } else {
    std::string dirs;
    for (const std::string& e : env)
      if (e.compare(0, 5, "PATH=") == 0) dirs = e.substr(5);  // --env PATH=... is honoured
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::string cand = (end > start ? dirs.substr(start, end - start) : ".") + "/" + cmd;
      struct stat st;
      if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        if (access(cand.c_str(), X_OK) == 0) {
          path = cand;
          break;
        }
        found_not_exec = true;
      }
      start = end + 1;
    }
  }
  std::string prefix = "dettrace: " + cmd + ": ";
  if (path.empty()) {
    write_all(2, prefix + (found_not_exec ? "Permission denied\n" : "command not found\n"));
    _exit(found_not_exec ? 126 : 127);
  }
  int e = 0;
  int listener = -1;
  // With user notification: the filter that notifies, and its descriptor handed to the
  // tracer (the handshake below). A kernel that refuses it (no WAIT_KILLABLE_RECV before
  // 5.19) gets the filter that traces everything instead.
  if (!cfg.notify || cfg.test_no_listener || !install_seccomp_filter(build_seccomp_filter(true), &e, &listener)) {
    listener = -1;
    if (!install_seccomp_filter(build_seccomp_filter(false), &e)) {
      write_all(2, std::string("dettrace: cannot install the seccomp filter: ") + strerror(e) + "\n");
      _exit(125);
    }
  }
  if (cfg.notify) {
    // The handshake: a kill the tracer answers itself at its seccomp stop (kill is traced),
    // taking the descriptor (-1: none) with pidfd_getfd. The descriptor is close-on-exec.
    syscall(SYS_kill, 0, 0, listener, kNotifyHandshake);
    if (listener >= 0) close(listener);
  }
  execve(path.c_str(), argv.data(), envp.data());
  int err = errno;
  struct stat st;
  bool is_dir = stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  write_all(2, prefix + (is_dir ? "Is a directory" : strerror(err)) + "\n");
  _exit(err == ENOENT ? 127 : 126);
}

[[noreturn]] void run_init(const RunConfig& cfg, int errfd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // No supplementary groups of the host user (as root the tracer has them; in a user
  // namespace setgroups is denied and they show as the overflow group, see guarantees).
  setgroups(0, nullptr);
  if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0)
    fail(errfd, std::string("cannot trace the sandbox: ptrace: ") + strerror(errno));
  raise(SIGSTOP);  // the tracer sets its options, then lets us fork the command
  drop_machine_capabilities();  // for init and, inherited, for the command
  pid_t cmd = fork();
  if (cmd == 0) {
    close(errfd);
    run_command(cfg);
  }
  if (cmd < 0) fail(errfd, std::string("cannot start the command: fork: ") + strerror(errno));
  close(errfd);
  // pid 1 of the sandbox: hold none of the command's pipes open, reap orphans until none
  // is left. The tracer ends the run when the command exits.
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd < 3; ++fd) dup2(null, fd);
  syscall(SYS_close_range, 3, ~0U, 0);
  for (;;) {
    if (wait(nullptr) < 0 && errno == ECHILD) _exit(0);
  }
}

void put(std::string& out, const char* key, const std::string& value) {
  out += key;
  out += '\0';
  out += value;
  out += '\0';
}

}  // namespace

std::string serialize_config(const RunConfig& cfg) {
  std::string out;
  put(out, "epoch", std::to_string(cfg.epoch));
  put(out, "seed", std::to_string(cfg.seed));
  put(out, "hostname", cfg.hostname);
  put(out, "notify", cfg.notify ? "1" : "0");
  put(out, "test_no_listener", cfg.test_no_listener ? "1" : "0");
  for (const std::string& e : cfg.env) put(out, "env", e);
  for (const std::string& a : cfg.command) put(out, "arg", a);
  return out;
}

bool deserialize_config(const std::string& data, RunConfig* cfg) {
  size_t i = 0;
  auto next = [&](std::string* s) {
    size_t z = data.find('\0', i);
    if (z == std::string::npos) return false;
    *s = data.substr(i, z - i);
    i = z + 1;
    return true;
  };
  std::string k, v;
  while (i < data.size()) {
    if (!next(&k) || !next(&v)) return false;
    if (k == "epoch") cfg->epoch = strtoll(v.c_str(), nullptr, 10);
    else if (k == "seed") cfg->seed = strtoull(v.c_str(), nullptr, 10);
    else if (k == "hostname") cfg->hostname = v;
    else if (k == "notify") cfg->notify = v == "1";
    else if (k == "test_no_listener") cfg->test_no_listener = v == "1";
    else if (k == "env") cfg->env.push_back(v);
    else if (k == "arg") cfg->command.push_back(v);
  }
  return !cfg->command.empty();
}

[[noreturn]] void enter_sandbox_init(const RunConfig& cfg, const SandboxConfig& sandbox, int errfd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int exe = copy_self_to_memfd();
  std::string err;
  if (!sandbox_enter(sandbox, &err)) fail(errfd, err);
  if (exe >= 0) {
    int cfgfd = static_cast<int>(syscall(SYS_memfd_create, "det-config", 0));
    std::string data = serialize_config(cfg);
    if (cfgfd >= 0) {
      write_all(cfgfd, data);
      lseek(cfgfd, 0, SEEK_SET);
      // Fixed descriptors for the new image: 3 the configuration, 4 the error pipe.
      if (dup2(cfgfd, kConfigFd) == kConfigFd && dup2(errfd, kErrorFd) == kErrorFd) {
        personality(ADDR_NO_RANDOMIZE);
        char* argv[] = {const_cast<char*>(kInitName), nullptr};
        char* envp[] = {nullptr};
        syscall(SYS_execveat, exe, "", argv, envp, AT_EMPTY_PATH);
      }
    }
    // Could not re-execute (e.g. memfds not executable here): run init from this image.
  }
  run_init(cfg, errfd);
}

[[noreturn]] void sandbox_init_main() {
  std::string data;
  char buf[4096];
  for (;;) {
    ssize_t n = read(kConfigFd, buf, sizeof buf);
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  close(kConfigFd);
  int errfd = fcntl(kErrorFd, F_DUPFD_CLOEXEC, 10);
  close(kErrorFd);
  RunConfig cfg;
  if (!deserialize_config(data, &cfg)) fail(errfd, "det-init: bad configuration");
  run_init(cfg, errfd);
}

}  // namespace det
