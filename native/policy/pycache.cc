// Python's bytecode caches, kept valid under the virtual file times.
//
// A timestamp-based .pyc (PEP 552, flags 0: the form Debian and pip install) records its
// source's mtime (seconds, low 32 bits) and size, and Python uses it only when a stat of
// the source still says the same. det shows pre-existing files at virtual times
// (inode_map.cc: an order-preserving map below the epoch), so with the default epoch every
// cache of the system's Python library looked stale and every import compiled its module
// again: about 0.7 s for a hundred stdlib imports here, for every python process of a
// build, with the same output.
//
// The recorded mtime is the source's file metadata copied into the cache's content, so it
// is shown through the same map: when Python (an executable named python*) opens a .pyc
// for reading and its header records exactly the real mtime and size of its source, the
// open returns the cache with that field rewritten to the source's virtual mtime
// (virtual_file.h: a sealed memfd with the bytes). Other programs read the real bytes.
// A cache that is stale natively (the source changed, in the run or before) is left as it
// is and stays stale; caches written during the run record virtual times already and do
// not match a real mtime. What the program reads depends only on the cache, the source's
// real mtime and size and the map: the same in every run.
//
// Source of __pycache__/NAME.TAG[.opt-N].pyc is ../NAME.py (importlib's source_from_cache).
// open and openat are watched (openat2, which Python does not use, with its resolve
// restrictions, is left to the kernel).
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "core/io_util.h"
#include "core/tracer.h"
#include "policy/fs_meta.h"
#include "policy/inode_map.h"
#include "policy/virtual_file.h"

namespace det {
namespace {

constexpr size_t kHeader = 16;            // magic, flags, mtime, source size
constexpr int64_t kMaxCache = 64 << 20;   // larger files are left alone

// The source a cache path belongs to, or "" when `pyc` is not of importlib's form.
std::string source_of(const std::string& pyc) {
  static const std::string kDir = "__pycache__/";
  size_t slash = pyc.rfind('/');
  if (slash == std::string::npos || slash + 1 < kDir.size()) return "";
  size_t dir_at = slash + 1 - kDir.size();
  if (pyc.compare(dir_at, kDir.size(), kDir) != 0 || (dir_at > 0 && pyc[dir_at - 1] != '/')) return "";
  std::string leaf = pyc.substr(slash + 1);
  size_t dots = 0;
  for (char ch : leaf) dots += ch == '.';
  if (dots != 2 && dots != 3) return "";
  std::string name = leaf.substr(0, leaf.find('.'));
  if (name.empty()) return "";
  return pyc.substr(0, dir_at) + name + ".py";
}

uint32_t le32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

void put_le32(unsigned char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

uint32_t seconds32(int64_t ns) {
  int64_t s = ns / 1000000000;
  if (ns < 0 && s * 1000000000 != ns) --s;  // Python's int(st_mtime) of a time after 1970
  return static_cast<uint32_t>(s);
}

// The cache's bytes with the recorded mtime shown virtually, or false to open it as it is.
bool shown_cache(SysCtx& c, int dirfd, const std::string& pyc_path, bool nofollow, std::string* out) {
  std::string src_path = source_of(pyc_path);
  if (src_path.empty()) return false;
  int pyc_o = open_target_path(c, dirfd, pyc_path, nofollow, true);
  if (pyc_o < 0) return false;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", pyc_o);
  int pyc = open(link, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  close(pyc_o);
  if (pyc < 0) return false;
  bool ok = false;
  struct stat st;
  unsigned char h[kHeader];
  if (fstat(pyc, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= static_cast<off_t>(kHeader) &&
      st.st_size <= kMaxCache && pread(pyc, h, kHeader, 0) == static_cast<ssize_t>(kHeader) && le32(h + 4) == 0) {
    int src = open_target_path(c, dirfd, src_path, false, true);
    fsmeta::RealMeta real;
    fsmeta::VirtualMeta virt;
    if (src >= 0 && observe_fd(c, src, &real, &virt) && S_ISREG(real.mode) && le32(h + 8) == seconds32(real.mtime) &&
        le32(h + 12) == static_cast<uint32_t>(real.size) && seconds32(virt.mtime) != seconds32(real.mtime)) {
      out->clear();
      out->reserve(static_cast<size_t>(st.st_size));
      // From offset 0: only pread has touched the descriptor.
      if (read_all(pyc, out) && out->size() == static_cast<size_t>(st.st_size) && memcmp(out->data(), h, kHeader) == 0) {
        put_le32(reinterpret_cast<unsigned char*>(&(*out)[8]), seconds32(virt.mtime));
        ok = true;
      }
    }
    if (src >= 0) close(src);
  }
  close(pyc);
  return ok;
}

// Only the interpreter, which validates the cache, is shown the rewritten header: any other
// reader (cp, tar, a checksum) gets the file's real bytes, so copies stay what they are.
bool is_python(pid_t tid) {
  char link[64], exe[PATH_MAX];
  snprintf(link, sizeof link, "/proc/%d/exe", tid);
  ssize_t n = readlink(link, exe, sizeof exe - 1);
  if (n <= 0) return false;
  exe[n] = 0;
  const char* base = strrchr(exe, '/');
  base = base ? base + 1 : exe;
  return strncmp(base, "python", 6) == 0;
}

Verdict intercept(SysCtx& c, int dirfd, uint64_t path_addr, uint64_t flags) {
  if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_DIRECTORY | O_PATH | __O_TMPFILE))) return Verdict::Pass;
  const std::string* arg = c.path_at(path_addr);
  if (!arg) return Verdict::Pass;
  const std::string& path = *arg;
  if (path.size() < 4 || path.compare(path.size() - 4, 4, ".pyc") != 0 || !is_python(c.t.tid)) return Verdict::Pass;
  std::string content;
  if (!shown_cache(c, dirfd, path, flags & O_NOFOLLOW, &content)) return Verdict::Pass;
  c.tr.count("pyc-shown");
  size_t slash = path.rfind('/');
  return open_as_memfd(c, path.substr(slash + 1), std::move(content), flags);
}

Verdict on_open(SysCtx& c) { return intercept(c, AT_FDCWD, c.arg(0), c.arg(1)); }
Verdict on_openat(SysCtx& c) { return intercept(c, static_cast<int>(c.arg(0)), c.arg(1), c.arg(2)); }

const bool registered = [] {
  register_handler("open", on_open, 60);
  register_handler("openat", on_openat, 60);
  return true;
}();

}  // namespace
}  // namespace det
