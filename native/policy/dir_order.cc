// Directory order: getdents and getdents64 list a directory sorted byte-wise by name, over
// the whole directory (not per buffer), whatever order the file system keeps.
//
// The calls are emulated. When a listing starts (the descriptor's offset is 0, or it does
// not match where this cache left it: a rewinddir, a seekdir, another process sharing the
// descriptor, a reused fd number), the tracer opens the directory afresh ("." relative to
// its pidfd_getfd copy of the descriptor: a new open file description), reads it whole,
// sorts it and keeps it per (process, fd) with the directory's identity. Each call then
// copies as many whole records as fit from the current index into the tracee's buffer,
// with d_off = index + 1 and d_ino from the shared inode model (inode_map.h), and stores
// the new index as the descriptor's real file offset with lseek on the tracer's copy,
// which shares the tracee's open file description: telldir/seekdir/rewinddir work on
// the indexes. ext4 (linear and htree), tmpfs, overlayfs, procfs and sysfs accept any
// such offset on a directory. A buffer too small for the next record gives EINVAL, as the
// kernel does. Every opendir re-reads: files created since the last listing show up.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <string>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

#include "core/tracer.h"
#include "policy/inode_map.h"

namespace det {
namespace {

struct Entry {
  std::string name;
  uint64_t ino;  // virtual
  unsigned char type;
};

struct Listing {
  dev_t dev = 0;
  ino_t ino = 0;
  int64_t pos = 0;  // the offset this cache last set
  std::vector<Entry> entries;
};

std::map<std::pair<pid_t, int>, Listing>& listings() {
  static std::map<std::pair<pid_t, int>, Listing> m;
  return m;
}

constexpr size_t kMaxListings = 1024;  // open listings kept (processes die without closing)

struct RawDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// Reads the whole directory `local` names through a new open file description.
bool read_listing(SysCtx& c, int local, const struct stat& st, Listing* out) {
  int dir = openat(local, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return false;
  std::vector<Entry> raw;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    long n = syscall(SYS_getdents64, dir, buf.data(), buf.size());
    if (n < 0) {
      close(dir);
      return false;
    }
    if (n == 0) break;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<RawDirent64*>(buf.data() + off);
      raw.push_back(Entry{d->d_name, d->d_ino, d->d_type});
      off += d->d_reclen;
    }
  }
  close(dir);
  std::sort(raw.begin(), raw.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  for (Entry& e : raw) e.ino = fsmeta::entry_ino(c.tr, c.t.tid, st.st_dev, static_cast<ino_t>(e.ino));
  out->dev = st.st_dev;
  out->ino = st.st_ino;
  out->entries = std::move(raw);
  return true;
}

size_t align8(size_t n) { return (n + 7) & ~size_t(7); }

// Records from index `from` into `out` (at most `cap` bytes); returns how many entries fit.
size_t fill(const Listing& l, size_t from, size_t cap, bool is64, std::vector<char>* out) {
  size_t i = from;
  for (; i < l.entries.size(); ++i) {
    const Entry& e = l.entries[i];
    size_t at = out->size();
    if (is64) {
      size_t reclen = align8(19 + e.name.size() + 1);
      if (at + reclen > cap) break;
      out->resize(at + reclen, 0);
      char* p = out->data() + at;
      uint64_t ino = e.ino;
      int64_t off = static_cast<int64_t>(i + 1);
      unsigned short rl = static_cast<unsigned short>(reclen);
      memcpy(p, &ino, 8);
      memcpy(p + 8, &off, 8);
      memcpy(p + 16, &rl, 2);
      p[18] = static_cast<char>(e.type);
      memcpy(p + 19, e.name.data(), e.name.size());
    } else {
      // struct linux_dirent: d_ino, d_off (longs), d_reclen, d_name, NUL, d_type last.
      size_t reclen = align8(18 + e.name.size() + 2);
      if (at + reclen > cap) break;
      out->resize(at + reclen, 0);
      char* p = out->data() + at;
      uint64_t ino = e.ino;
      int64_t off = static_cast<int64_t>(i + 1);
      unsigned short rl = static_cast<unsigned short>(reclen);
      memcpy(p, &ino, 8);
      memcpy(p + 8, &off, 8);
      memcpy(p + 16, &rl, 2);
      memcpy(p + 18, e.name.data(), e.name.size());
      p[reclen - 1] = static_cast<char>(e.type);
    }
  }
  return i - from;
}

Verdict on_getdents(SysCtx& c) {
  int fd = static_cast<int>(c.arg(0));
  uint64_t buf = c.arg(1);
  size_t cap = static_cast<unsigned int>(c.arg(2));
  bool is64 = c.nr() == SYS_getdents64;
  int local = grab_fd(c.t.proc->pidfd, c.t.tid, fd);
  if (local < 0) return Verdict::Pass;  // the kernel says EBADF
  struct stat st;
  int fl = fcntl(local, F_GETFL);
  if (fl < 0 || (fl & O_PATH) || fstat(local, &st) != 0 || !S_ISDIR(st.st_mode)) {
    close(local);
    return Verdict::Pass;  // EBADF / ENOTDIR from the kernel
  }
  off_t pos = lseek(local, 0, SEEK_CUR);
  if (pos < 0) {
    close(local);
    c.tr.log(1, "getdents: cannot seek the directory of fd %d: file system order", fd);
    return Verdict::Pass;
  }
  auto& all = listings();
  auto key = std::make_pair(c.t.proc->tgid, fd);
  auto it = all.find(key);
  if (it == all.end() || it->second.dev != st.st_dev || it->second.ino != st.st_ino || pos == 0 ||
      pos != it->second.pos) {
    if (it == all.end() && all.size() >= kMaxListings) all.clear();
    Listing l;
    if (!read_listing(c, local, st, &l)) {
      close(local);
      if (it != all.end()) all.erase(it);
      return Verdict::Pass;
    }
    it = all.insert_or_assign(key, std::move(l)).first;
  }
  Listing& l = it->second;
  size_t from = static_cast<size_t>(std::min<int64_t>(pos, static_cast<int64_t>(l.entries.size())));
  std::vector<char> out;
  out.reserve(std::min<size_t>(cap, 1 << 16));
  size_t n = fill(l, from, cap, is64, &out);
  if (n == 0 && from < l.entries.size()) {
    close(local);
    return c.emulate(-EINVAL);  // not even one record fits
  }
  if (!out.empty() && write_mem(c.t.tid, buf, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
    close(local);
    return c.emulate(-EFAULT);
  }
  int64_t next = static_cast<int64_t>(from + n);
  if (n > 0 && lseek(local, next, SEEK_SET) != next) c.tr.log(1, "getdents: lseek to %lld failed", (long long)next);
  close(local);
  if (n == 0)
    all.erase(it);  // the end: the next listing starts afresh
  else
    l.pos = next;
  return c.emulate(static_cast<long>(out.size()));
}

const bool registered = [] {
  register_handler("getdents", on_getdents);
  register_handler("getdents64", on_getdents);
  return true;
}();

}  // namespace
}  // namespace det
