// What fs_meta.cc (the stat family) lends to other policy files that need to see a file
// as the tracee sees it: the tracer's own descriptor of a path the tracee names, and the
// virtual metadata a stat of that file shows.
#pragma once
#include <string>

#include "core/tracer.h"
#include "policy/inode_map.h"

namespace det {

// An O_PATH descriptor of the file (dirfd, path) names for the tracee c.t, or -1. Absolute
// paths resolve in the tracee's root, relative ones from its cwd or dirfd. `exact`: only
// where the result is surely the kernel's for the tracee (see fs_meta.cc).
int open_target_path(SysCtx& c, int dirfd, const std::string& path, bool nofollow, bool exact = false,
                     bool empty_path_ok = false);

// The file the tracer holds as `fd`, through the virtual model as a stat by c.t would see
// it (the model learns it then, as from that stat). False when it cannot be stat'ed.
bool observe_fd(SysCtx& c, int fd, fsmeta::RealMeta* real, fsmeta::VirtualMeta* virt);

}  // namespace det
