// The run configuration: what `dettrace run` was asked to do, as the tracer executable
// receives it on its command line (see tracer_main.cc). Plain data, no behaviour.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace det {

struct RunConfig {
  std::vector<std::string> command;    // argv of the command to run (command[0] looked up in PATH)
  std::string chroot;                  // --chroot DIR; empty: default container from root_skel
  std::string root_skel;               // --root-skel DIR: the repository's root/ skeleton
  std::string workdir;                 // --workdir DIR, absolute; mounted read-write at /build
  int64_t epoch = 744847200;           // --epoch SECONDS: the logical clock's start
  uint64_t seed = 0;                   // --seed N
  std::vector<std::string> env;        // --env NAME=VALUE entries, already resolved
  std::string report;                  // --report FILE
  double timeout = 0;                  // --timeout SECONDS (0: none)
  bool strict = false;                 // --strict
  int debug = 0;                       // --debug N
  std::string log;                     // --log FILE
  std::string hostname = "det";        // hostname/nodename seen inside
  // DET_TEST_WAIT_DELAY_US (tests only): after letting a call run to its exit stop, the
  // tracer sleeps this long before it waits for that stop, so that whatever the call set off
  // in other tracees in real time (a SIGKILL's targets reaching their exit stops) is already
  // queued when it waits: an order a loaded machine gives now and then, every time. Outputs
  // must not change.
  unsigned test_wait_delay_us = 0;
  // Notify calls of the syscall table answered through a seccomp user notification (half
  // the cost of a ptrace stop). On unless DET_NOTIFY=0 (tracer_main.cc); a kernel without it
  // (before 5.19) falls back to ptrace stops by itself.
  bool notify = false;
  // DET_TEST_NO_LISTENER=1 (tests only): the command installs the filter without a
  // notification descriptor, as where the kernel refuses one, and says so in the handshake.
  bool test_no_listener = false;
  bool share_tsc_trap = false;         // the tracer thread traps rdtsc too (tsc_share.cc);
                                       // only the stand-alone tracer process sets it
};

}  // namespace det
