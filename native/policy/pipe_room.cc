// See pipe_room.h. The kernel's pipe is a ring of at most F_GETPIPE_SZ / 4096 buffers of a
// page each (pipe->max_usage); a write waits only when it needs a new buffer and the ring is
// full, and needs at most ceil(n / 4096) new ones (fewer when its first bytes merge into the
// last buffer). Reads take bytes from the front and free a buffer once it is read empty, so
// with no bytes queued (FIONREAD 0) the ring is empty. From then on det keeps the lengths of
// the writes, exactly; the bytes still queued (FIONREAD) are the last ones written, and the
// buffers holding them are those begun by the writes they came from plus at most one begun
// earlier. That bounds the buffers in use; the write fits when that bound plus its own
// pages plus one spare is within the ring. The spare covers a write that faulted part-way
// (the kernel leaves the buffer it had taken in the ring, empty).
//
// The bound holds only if det saw every call that added to the pipe and how much it added:
// write, writev, pwritev2, sendfile, splice, tee and vmsplice are all traced (blocking.cc
// reports each to wrote/unknown); pwrite64 and pwritev fail on pipes (ESPIPE); io_submit and
// io_uring are refused. When det cannot know how much went in (a non-blocking descriptor, an
// unreadable buffer, splice...), the pipe is unknown until it is seen empty again.
#include "policy/pipe_room.h"

#include <fcntl.h>
#include <map>
#include <sys/ioctl.h>
#include <unistd.h>
#include <vector>

#include "core/tracer.h"

namespace det {
namespace pipe_room {
namespace {

constexpr uint64_t kPage = 4096;
constexpr size_t kMaxWrites = 64;   // lengths kept per pipe (beyond: unknown)
constexpr size_t kMaxPipes = 4096;  // pipes kept (beyond: all unknown)

// Per pipe inode (pipefs inode numbers are not reused within a run): the lengths of the
// writes since it was last seen empty, oldest first. No entry: unknown.
std::map<ino_t, std::vector<uint64_t>> g_writes;

dev_t pipefs_dev() {
  static dev_t dev = [] {
    int p[2];
    struct stat st {};
    if (pipe2(p, O_CLOEXEC) != 0) return static_cast<dev_t>(-1);
    bool ok = fstat(p[0], &st) == 0;
    close(p[0]);
    close(p[1]);
    return ok ? st.st_dev : static_cast<dev_t>(-1);
  }();
  return dev;
}

uint64_t pages(uint64_t len) { return (len + kPage - 1) / kPage; }

}  // namespace

bool tracked(Tracer& tr, const struct stat& st) {
  return S_ISFIFO(st.st_mode) && st.st_dev == pipefs_dev() && !tr.is_external(st.st_dev, st.st_ino);
}

bool write_fits(int local, const struct stat& st, uint64_t len) {
  int queued = 0;
  if (ioctl(local, FIONREAD, &queued) != 0 || queued < 0) return false;
  if (queued == 0) {
    if (g_writes.size() >= kMaxPipes) g_writes.clear();
    g_writes[st.st_ino].clear();
  }
  auto it = g_writes.find(st.st_ino);
  if (it == g_writes.end()) return false;
  // The newest writes hold the queued bytes: their pages, plus one buffer begun earlier.
  uint64_t used = 1, rest = static_cast<uint64_t>(queued);
  const std::vector<uint64_t>& w = it->second;
  for (size_t i = w.size(); i-- > 0 && rest > 0;) {
    used += pages(w[i]);
    rest -= w[i] < rest ? w[i] : rest;
  }
  if (rest > 0) {  // more queued than det saw written: det missed a write
    g_writes.erase(it);
    return false;
  }
  int size = fcntl(local, F_GETPIPE_SZ);
  if (size <= 0) return false;
  return used + pages(len) + 1 <= static_cast<uint64_t>(size) / kPage;
}

void wrote(ino_t pipe, uint64_t bytes) {
  auto it = g_writes.find(pipe);
  if (it == g_writes.end() || bytes == 0) return;
  if (it->second.size() >= kMaxWrites) {
    g_writes.erase(it);
    return;
  }
  it->second.push_back(bytes);
}

void unknown(ino_t pipe) { g_writes.erase(pipe); }

}  // namespace pipe_room
}  // namespace det
