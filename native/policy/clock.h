// What time.cc lends to the other policy files that answer clock reads: cpu_tsc.cc (rdtsc)
// and vclock.cc (the in-process clock page).
#pragma once
#include <cstdint>

#include "core/tracer.h"

namespace det {

// A read of a clock by t: busy-wait detection (see time.cc). Call before taking the value.
void note_clock_read(Tracer& tr, Thread& t);

// At a stop: ns of in-process clock reads vclock.cc has just folded into the logical clock
// (0 at stops without), so that note_clock_read still recognises back-to-back reads.
void note_clock_fold(int64_t ns);

// clock_gettime(clk, ts) answered for c.t as the syscall would be: 0 or -errno.
long clock_gettime_result(SysCtx& c, int clk, uint64_t ts);

}  // namespace det
