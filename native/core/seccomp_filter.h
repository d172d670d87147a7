// The seccomp-bpf filter derived from the syscall table: Allow entries run without a stop,
// everything else (Trace, Deny*, unknown numbers, foreign ABIs) stops the tracee with
// SECCOMP_RET_TRACE so the tracer dispatches or records it, except the cases of Trace
// entries that syscall_stops.def says need no stop.
#pragma once
#include <linux/filter.h>
#include <string>
#include <vector>

namespace det {

// Throws std::logic_error when syscall_stops.def names a call the table does not trace.
std::vector<sock_filter> build_seccomp_filter();

// Installs the filter on the calling thread (sets no_new_privs first). Only
// async-signal-safe work after the filter is built, so it may run between fork and exec.
bool install_seccomp_filter(const std::vector<sock_filter>& prog, int* err_no);

}  // namespace det
