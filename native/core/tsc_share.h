// The tracer traps rdtsc like its tracees, so that a ptrace stop does not flip the CPU's
// time-stamp-disable bit twice. See tsc_share.cc for the measurement and the safety net.
#pragma once
#include <cstdint>
#include <ctime>

namespace det {

// Arms PR_TSC_SIGSEGV for the calling (tracer) thread and installs the SIGSEGV handler that
// turns the counter back on should the tracer itself ever read it. Only for the stand-alone
// tracer process (a process-wide SIGSEGV handler has no place in Node). Reads the counter
// once to see the handler work. False if the host has no TSC trap or the read did not
// fault (then nothing changed).
bool share_tsc_trap();

// Between stops: arms the trap again if the handler had to turn it off (the count of such
// reads goes to the debug log). Cheap when nothing happened: one load.
bool rearm_tsc_trap();

// Turns the counter back on for the rest of the tracer's life (after the run).
void unshare_tsc_trap();

// The host's clock by the system call, never through the vDSO: the vDSO reads the
// time-stamp counter, which faults while the trap is shared.
int64_t host_clock_ns(clockid_t clk);
struct timespec host_clock(clockid_t clk);

}  // namespace det
