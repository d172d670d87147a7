// The two processes det starts inside the sandbox, before any user code runs:
//   init     pid 1 of the sandbox's pid namespace; re-executed from an in-memory copy of
//            the tracer as "det-init" with an empty environment, so /proc/1 shows nothing of
//            the host (command line, environment, executable path); stops for the tracer,
//            forks the command, then only reaps orphans.
//   command  pid 2, traced from birth: fixed environment, umask, ASLR off, the seccomp
//            filter, then execve of the user's command (127/126 as a shell does).
#pragma once
#include <string>

#include "core/config.h"
#include "core/sandbox.h"

namespace det {

// In the tracer's forked child (already in the new pid namespace): enters the sandbox
// (sandbox.h) and re-executes as det-init. Errors go to errfd as one line; never returns.
[[noreturn]] void enter_sandbox_init(const RunConfig& cfg, const SandboxConfig& sandbox, int errfd);

// The entry of the re-executed init (argv[0] == kInitName): reads its configuration from
// fd 3 and reports errors on fd 4. Never returns.
[[noreturn]] void sandbox_init_main();
constexpr const char* kInitName = "det-init";

std::string serialize_config(const RunConfig& cfg);
bool deserialize_config(const std::string& data, RunConfig* cfg);

}  // namespace det
