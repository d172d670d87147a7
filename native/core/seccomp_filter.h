// The seccomp-bpf filter derived from the syscall table: Allow entries run without a stop,
// everything else (Trace, Deny*, unknown numbers, x32 numbers) stops the tracee with
// SECCOMP_RET_TRACE so the tracer dispatches or records it, except the cases of Trace
// entries that syscall_stops.def says need no stop. Calls through a foreign ABI (i386's
// int 0x80) raise SIGSYS (SECCOMP_RET_TRAP with data kForeignAbiData), which the tracer
// records and refuses with ENOSYS: so a seccomp stop is always an x86-64 call and the
// tracer need not ask which ABI each stop came from.
#pragma once
#include <linux/filter.h>
#include <string>
#include <vector>

namespace det {

// SECCOMP_RET_DATA of the foreign-ABI rule: the si_errno of its SIGSYS.
constexpr unsigned kForeignAbiData = 0xde7;

// Throws std::logic_error when syscall_stops.def names a call the table does not trace.
std::vector<sock_filter> build_seccomp_filter();

// Installs the filter on the calling thread (sets no_new_privs first). Only
// async-signal-safe work after the filter is built, so it may run between fork and exec.
bool install_seccomp_filter(const std::vector<sock_filter>& prog, int* err_no);

}  // namespace det
