// dettrace-tracer: the tracer executable `dettrace run` spawns (see src/run.ts).
//   dettrace-tracer [--workdir DIR] [--root-skel DIR] [--chroot DIR] [--epoch N] [--seed N]
//                   [--env NAME=VALUE]... [--report FILE] [--timeout S] [--strict]
//                   [--debug N] [--log FILE] -- COMMAND [ARG...]
//   dettrace-tracer --probe          host capabilities as JSON
//   dettrace-tracer --syscall-table  the syscall table as Markdown (docs/syscalls.md)
// The CLI validates options; this parser only rejects what it cannot use, in one line.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

#include "core/config.h"
#include "core/probe.h"
#include "core/report.h"
#include "core/sandbox_init.h"
#include "core/syscall_table.h"
#include "core/tracer.h"

namespace {

[[noreturn]] void usage_error(const std::string& msg) {
  fprintf(stderr, "dettrace: %s\n", msg.c_str());
  exit(125);
}

// The first signal asks the tracer to end the run (kill everything, collect, report). It
// also kills pid 1 of the sandbox, which takes every tracee with it: the tracer may be
// about to block in waitpid for a tracee that makes no more syscalls (a busy loop), which
// the flag alone would not wake; the deaths do. If the run has not ended 5 s later (it
// should take milliseconds), the second alarm ends it here; PTRACE_O_EXITKILL covers the rest.
void on_stop_signal(int sig) {
  if (sig == SIGALRM && det::g_stop_signal) {
    if (det::g_init_pid > 0) kill(static_cast<pid_t>(det::g_init_pid), SIGKILL);
    static const char msg[] = "dettrace: the tracer did not end the run in time; killed it\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(det::g_stop_signal == SIGALRM ? 124 : 125);
  }
  if (!det::g_stop_signal) det::g_stop_signal = sig;
  if (det::g_init_pid > 0) kill(static_cast<pid_t>(det::g_init_pid), SIGKILL);
  alarm(5);
}

void print_syscall_table() {
  printf("# How det treats each x86-64 syscall\n\n");
  printf("Generated from native/core/syscall_table.def by `dettrace-tracer --syscall-table`.\n");
  printf("Numbers not listed (and the i386/x32 ABIs) fail with ENOSYS and are recorded in the report.\n\n");
  printf("A traced call stops the tracee; `trace (only if ...)` runs without a stop in the other cases\n");
  printf("(native/core/syscall_stops.def). A `notify` call is handled as a traced one, but the tracee\n");
  printf("waits in a seccomp user notification, which costs about half a ptrace stop; it is traced where\n");
  printf("the kernel lacks user notification or `DET_NOTIFY=0` is set.\n\n");
  printf("| nr | syscall | action | group | why |\n| --- | --- | --- | --- | --- |\n");
  for (const det::SyscallEntry& e : det::syscall_table()) {
    std::string action = det::action_name(e.action);
    std::string cond = det::stop_condition_text(e.nr);
    if (!cond.empty()) action += " (" + cond + ")";
    std::string why = e.why;
    if (const det::StopCondition* c = det::stop_condition(e.nr)) why += "; stop: " + std::string(c->why);
    printf("| %d | `%s` | %s | %s | %s |\n", e.nr, e.name, action.c_str(), e.group, why.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 1 && strcmp(argv[0], det::kInitName) == 0) det::sandbox_init_main();
  det::RunConfig cfg;
  int i = 1;
  auto value = [&](const char* opt) -> std::string {
    if (i + 1 >= argc) usage_error(std::string(opt) + ": missing value");
    return argv[++i];
  };
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--probe") {
      printf("%s\n", det::probe_to_json(det::probe_host()).c_str());
      return 0;
    }
    if (a == "--syscall-table") {
      print_syscall_table();
      return 0;
    }
    if (a == "--workdir") cfg.workdir = value("--workdir");
    else if (a == "--root-skel") cfg.root_skel = value("--root-skel");
    else if (a == "--chroot") cfg.chroot = value("--chroot");
    else if (a == "--epoch") cfg.epoch = strtoll(value("--epoch").c_str(), nullptr, 10);
    else if (a == "--seed") cfg.seed = strtoull(value("--seed").c_str(), nullptr, 10);
    else if (a == "--env") cfg.env.push_back(value("--env"));
    else if (a == "--report") cfg.report = value("--report");
    else if (a == "--timeout") cfg.timeout = strtod(value("--timeout").c_str(), nullptr);
    else if (a == "--strict") cfg.strict = true;
    else if (a == "--debug") cfg.debug = atoi(value("--debug").c_str());
    else if (a == "--log") cfg.log = value("--log");
    else if (a == "--hostname") cfg.hostname = value("--hostname");
    else if (a.size() > 2 && a[0] == '-' && a[1] == '-') usage_error("unknown option " + a);
    else break;
  }
  for (; i < argc; ++i) cfg.command.push_back(argv[i]);
  if (cfg.command.empty()) usage_error("no command given");
  if (cfg.workdir.empty()) {
    char buf[4096];
    if (!getcwd(buf, sizeof buf)) usage_error(std::string("getcwd: ") + strerror(errno));
    cfg.workdir = buf;
  }
  if (cfg.root_skel.empty() && cfg.chroot.empty()) {
    // Next to the executable: <pkg>/build/Release/dettrace-tracer or <pkg>/prebuilds/linux-x64/.
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
      exe[n] = 0;
      std::string dir(exe);
      dir = dir.substr(0, dir.rfind('/'));
      cfg.root_skel = dir + "/../../root";
    }
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;  // no SA_RESTART: waits return EINTR and the loop stops
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGALRM, SIGINT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const char* notify = getenv("DET_NOTIFY");
  cfg.notify = !(notify && strcmp(notify, "0") == 0);
  if (const char* n = getenv("DET_TEST_NO_LISTENER")) cfg.test_no_listener = strcmp(n, "1") == 0;
  if (const char* d = getenv("DET_TEST_WAIT_DELAY_US")) cfg.test_wait_delay_us = static_cast<unsigned>(strtoul(d, nullptr, 10));
  det::HostProbe host = det::probe_host();
  cfg.share_tsc_trap = host.tsc_trap.available;
  det::Tracer tracer(cfg);
  int status = tracer.run();
  if (!tracer.failure().empty()) fprintf(stderr, "dettrace: %s\n", tracer.failure().c_str());
  if (tracer.timed_out()) fprintf(stderr, "dettrace: timed out after %g s; every process of the run was killed\n", cfg.timeout);
  if (!cfg.report.empty()) {
    std::string err;
    if (!det::write_file_atomic(cfg.report, det::run_report_json(tracer, host), &err)) {
      fprintf(stderr, "dettrace: cannot write the report: %s\n", err.c_str());
      if (status == 0) status = 125;
    }
  }
  return status;
}
