// Room in an anonymous pipe, known from the writes det let into it: whether a write of n
// bytes surely fits without waiting. blocking.cc then lets such a write run as it is, in
// its one stop, instead of running it non-blocking with an exit stop (to restore the flag
// and continue a partial write). `tar czf` writes 10 KiB records into gzip's pipe: 11,000
// of them for /usr/share/doc, each two stops before this.
#pragma once
#include <cstdint>
#include <sys/stat.h>

namespace det {

class Tracer;

namespace pipe_room {

// An anonymous pipe inside the sandbox (not det's own stdin/stdout/stderr, which lead out).
bool tracked(Tracer& tr, const struct stat& st);

// Whether `len` bytes written to the pipe now (`local`: the tracer's copy) surely fit.
bool write_fits(int local, const struct stat& st, uint64_t len);

// What a call added to the pipe: exactly `bytes` (a write whose count det knows: let run
// where it surely fits with a buffer it checked readable, or seen at its exit stop), or an
// amount det does not know (unknown: until the pipe is seen empty, no write fits). Every
// call that may add to a tracked pipe must report one or the other, after write_fits.
void wrote(ino_t pipe, uint64_t bytes);
void unknown(ino_t pipe);

}  // namespace pipe_room
}  // namespace det
