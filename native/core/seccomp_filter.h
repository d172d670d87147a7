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

// The 6th argument (r9) that sends a Notify call to a ptrace stop instead of a user
// notification. Notify calls take at most 5 arguments, so the kernel ignores it; the tracer
// puts it there to move a notified call to a ptrace stop (and restores r9 at its exit), and
// a program that happens to pass it merely takes the ptrace path.
constexpr uint64_t kNotifyBypass = 0x64657421'6e6f7466ULL;  // "ftno!ted"

// The 4th argument of the kill(0, 0, listener, kNotifyHandshake) by which the command,
// before its exec, hands the tracer its notification descriptor (sandbox_init.cc).
constexpr uint64_t kNotifyHandshake = 0x6e6f74696679ULL;  // "notify"

// notify: Notify entries return SECCOMP_RET_USER_NOTIF (else they are traced like Trace).
// Throws std::logic_error when syscall_stops.def names a call the table does not trace.
std::vector<sock_filter> build_seccomp_filter(bool notify);

// Installs the filter on the calling thread (sets no_new_privs first). With `listener`,
// asks for a notification descriptor (SECCOMP_FILTER_FLAG_NEW_LISTENER, close-on-exec) and
// for waits that only a fatal signal ends once the tracer has received the notification
// (WAIT_KILLABLE_RECV, Linux 5.19), stored in *listener. Only async-signal-safe work after
// the filter is built, so it may run between fork and exec.
bool install_seccomp_filter(const std::vector<sock_filter>& prog, int* err_no, int* listener = nullptr);

}  // namespace det
