// The sandbox: namespaces, the container's file system, and the fixed identity the command
// sees. Mechanism only; it knows nothing about ptrace or determinization policy.
//
// The process layout (see native/README.md):
//   tracer (host pid ns)  --fork-->  init (pid 1 of a new pid ns, untraced, reaps orphans)
//                                    --fork-->  command (pid 2, traced from birth)
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>
#include <sys/types.h>

#include "core/config.h"

namespace det {

struct SandboxConfig {
  std::string chroot;       // empty: build the default container from root_skel
  std::string root_skel;    // the repository's root/ skeleton (etc/passwd, etc/group, ...)
  std::string workdir;      // host directory, absolute; bind-mounted read-write at /build
  std::string hostname = "det";
  std::string domainname = "det.invalid";
  int64_t epoch = 744847200;  // mtime/atime given to the files copied from root_skel
  // Files mounted read-only over the new /proc's (path under /proc, content): what det
  // shows there, reached by whatever path (machine::proc_file_snapshot).
  std::vector<std::pair<std::string, std::string>> proc_files;
};

SandboxConfig sandbox_config_from(const RunConfig& rc);

// Optional early check, callable in the tracer before anything is unshared or forked, so a
// bad --workdir/--chroot/--root-skel is reported by the tracer itself (exit 125) rather than
// by init. sandbox_enter() repeats it. Returns false with a one-line reason in *err
// ("--workdir /x: No such file or directory").
bool sandbox_check(const SandboxConfig& cfg, std::string* err);

// Step 1, in the tracer process itself (single-threaded), before it forks init:
// when not already root, unshare a user namespace mapping the caller to uid/gid 0; then
// unshare a pid namespace so that the next child becomes its pid 1.
// Returns false with a one-line reason in *err ("cannot create user namespace: ...").
bool sandbox_unshare(std::string* err);

// Step 2, in init (pid 1 of the new pid namespace), before it forks the command:
// new mount, uts, ipc and net namespaces; the container root (default container or
// cfg.chroot) with /build, a fresh /proc, a minimal /dev, an empty /tmp; pivot_root into it;
// hostname/domainname; loopback up; cwd /build.
// Returns false with a one-line reason in *err (e.g. "--chroot /x: not a directory").
bool sandbox_enter(const SandboxConfig& cfg, std::string* err);

}  // namespace det
