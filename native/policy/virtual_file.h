// Answering an open with generated content (procfs.cc): the call becomes memfd_create at its
// seccomp stop, and at its exit stop the tracer fills the new descriptor and seals it. The
// program gets an ordinary read-only descriptor holding `content`, positioned at 0.
#pragma once
#include <cstdint>
#include <string>

#include "core/tracer.h"

namespace det {

// For an open/openat/openat2 at its seccomp stop; `open_flags` are the call's (O_CLOEXEC is
// kept). `name` shows in /proc/<pid>/fd as "/memfd:det:<name>". Pass when the tracee's
// memory cannot take the name (the kernel then opens the real file).
Verdict open_as_memfd(SysCtx& c, const std::string& name, std::string content, uint64_t open_flags);

}  // namespace det
