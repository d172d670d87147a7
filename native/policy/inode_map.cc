// The virtual file metadata model: what `stat`, `statx`, `getdents` and friends show of a
// file instead of the host's numbers and clocks.
//
// Identity. Every real (st_dev, st_ino) gets a virtual inode number from one counter, in
// the order the run first sees it (a stat result or a directory entry). The schedule is
// deterministic and directories are listed sorted, so that order is too, whatever inode
// numbers the file system handed out. Each real device gets a virtual st_dev in the same
// first-seen order, so mount boundaries (find -xdev, du -x) stay, and since the counter is
// global two different files never share (dev, ino). Hard links share the real inode and
// so the virtual one. A real inode number can be reused after its file was deleted (ext4
// and xfs do that at once, tmpfs never): on such file systems the model keeps each file's
// handle (name_to_handle_at: number and generation) from its first sight, and when a known
// inode shows a changed state or gets its times set, a different handle means a new file
// and a new number (without handles: a birth time after the first sight).
//
// Times. Three kinds of files:
//   * pre-existing: the real ctime is older than the tracer's start (the work dir, the
//     host's /usr, files made before the run). Their virtual mtime is an order-preserving
//     function of the real mtime alone:
//         v = real                         if real < B,  B = epoch - 2^47 ns (~39 hours)
//         v = B + (real - B) / 2^16        otherwise (clamped below epoch)
//     It is increasing (order and ties kept to 66 us, finer than the file systems' clock
//     ticks that separate distinct mtimes in practice), never reaches the epoch
//     (so everything the run writes, stamped from the logical clock that starts at the
//     epoch, is newer than every input, including system headers in -MD dependency
//     files), and depends on nothing but the real mtime: a work dir copied with its times
//     (cp -a, rsync -a, tar) to another path or host looks the same. Times older than the
//     band show unchanged: a tarball's 2001, and, with SOURCE_DATE_EPOCH set to the last
//     commit, the system's packaged files (Python's .pyc caches, which record their source's
//     mtime, are shown through this same map by pycache.cc, so they stay valid). Clamping instead (min(real, epoch)) would give every recent
//     file the same time: the known trap where make never rebuilds a stale object. atime,
//     ctime and btime show the same value (the real ones are the copy's, not the tree's).
//   * made or changed during the run: stamped from the logical realtime clock
//     (Tracer::realtime_ns(), kept monotonic here). A write-like call on a regular file (write, writev,
//     pwritev2, sendfile, splice, copy_file_range: all traced) notes the moment; the next
//     observation (a stat) stamps the data change with the last such moment, so a file
//     written later is newer whichever is stat'ed first, and a rewrite within one clock
//     tick is not missed. Changes made by untraced means (pwrite64, mmap, truncate) are
//     stamped when first observed: the model keeps the last real (mtime, ctime, size) per
//     inode; a new mtime or size is a data change (mtime = ctime = atime = then), a new
//     ctime alone a metadata change (chmod, link, rename: ctime = now). The schedule is
//     deterministic, so all these moments are too. Things the sandbox made before the
//     command started (its tmpfs roots, /etc skeleton) count as made during the run: the
//     first sight stamps them. Kernels with multigrain timestamps (6.13+) guarantee that
//     an untraced change after a stat shows a new ctime; on older ones a same-size
//     rewrite by pwrite/mmap within the clock tick of the previous stat can go unseen.
//   * devices, FIFOs, sockets, anonymous inodes and everything on pseudo file systems
//     (proc, sysfs, devpts, devtmpfs, cgroup, ...): their real times move with I/O and
//     host events, so they never follow them: fixed at first sight (B when pre-existing,
//     the logical now when made in the run).
// utime/utimes/utimensat/futimesat set what they name (UTIME_NOW and NULL: logical now;
// UTIME_OMIT: unchanged); atime = mtime otherwise (real atimes depend on mount options and
// reads).
#include "policy/inode_map.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unordered_map>

#include "core/tracer.h"
#include "core/tsc_share.h"

namespace det {
namespace fsmeta {
namespace {

constexpr int64_t kNsPerSec = 1000000000LL;
constexpr int kShift = 16;
constexpr int64_t kBand = int64_t(1) << (63 - kShift);  // below the epoch: ~39 hours

// By the system call: the tracer traps rdtsc (tsc_share.cc), which the vDSO would use.
int64_t real_now(clockid_t clk = CLOCK_REALTIME) { return host_clock_ns(clk); }

// The tracer's start: files whose ctime is older existed before the run. File times come
// from the coarse clock (or, with multigrain timestamps, a finer one, never below it), so
// the start is taken at a tick of the coarse clock, waited for (at most a tick, 1-10 ms):
// everything changed before has an older ctime, everything changed after one at least as
// new, whatever the timing of the sandbox's setup or of the copy of the work dir.
int64_t start_at_tick() {
  int64_t t0 = real_now(CLOCK_REALTIME_COARSE), t;
  while ((t = real_now(CLOCK_REALTIME_COARSE)) == t0) {
    struct timespec pause = {0, 200000};
    nanosleep(&pause, nullptr);
  }
  return t;
}
const int64_t g_start = start_at_tick();

struct Device {
  dev_t vdev = 0;
  bool proc = false;
  bool pseudo = false;  // times never follow the real ones
  bool reuses = true;   // may give a deleted file's inode number to a new one
};

struct Node {
  uint64_t vino = 0;
  bool timed = false;   // times known (false: seen only as a directory entry)
  bool fixed = false;   // devices, pipes, pseudo file systems
  bool explicit_atime = false;
  int64_t atime = 0, mtime = 0, ctime = 0, btime = 0;
  int64_t real_mtime = 0, real_ctime = 0, real_size = 0;
  int64_t seen = 0;  // real clock when this identity was given (inode reuse check)
  std::string handle;  // file handle at first sight (inode reuse check); "" if none
  int64_t observed = INT64_MIN;  // logical time of the last observation
};

struct KeyHash {
  size_t operator()(const std::pair<dev_t, ino_t>& k) const {
    return std::hash<uint64_t>()(static_cast<uint64_t>(k.second) * 1000003u ^ static_cast<uint64_t>(k.first));
  }
};

struct Model {
  std::map<dev_t, Device> devices;
  std::unordered_map<std::pair<dev_t, ino_t>, Node, KeyHash> nodes;
  std::unordered_map<std::pair<dev_t, ino_t>, int64_t, KeyHash> writes;  // last write, not yet observed
  std::map<uint64_t, uint64_t> mnt_ids, mnt_ids_unique;
  uint64_t next_ino = 16;
  uint32_t next_dev = 0;
  int64_t last_now = INT64_MIN;
};

Model& model() {
  static Model m;
  return m;
}

const char* const kPseudoTypes[] = {"proc",     "sysfs",     "devpts",   "devtmpfs", "cgroup",  "cgroup2",
                                    "mqueue",   "debugfs",   "tracefs",  "securityfs", "bpf",   "pstore",
                                    "configfs", "efivarfs",  "binfmt_misc", "fusectl", "hugetlbfs",
                                    "autofs",   "rpc_pipefs", "nsfs"};

// The file system type of a device, from the tracee's mount table ("" if not mounted
// there: pipes, sockets, anonymous inodes, or a btrfs subvolume's own device number).
std::string fs_type(pid_t tid, dev_t dev) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mountinfo", tid);
  FILE* f = fopen(path, "re");
  if (!f) return "";
  char want[32];
  snprintf(want, sizeof want, "%u:%u", major(dev), minor(dev));
  std::string type;
  char* line = nullptr;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    char id[16], parent[16], mm[32];
    if (sscanf(line, "%15s %15s %31s", id, parent, mm) != 3 || strcmp(mm, want) != 0) continue;
    const char* sep = strstr(line, " - ");
    if (!sep) continue;
    char t[64];
    if (sscanf(sep + 3, "%63s", t) == 1) {
      type = t;
      break;
    }
  }
  free(line);
  fclose(f);
  return type;
}

Device& device(pid_t tid, dev_t real) {
  Model& M = model();
  auto it = M.devices.find(real);
  if (it != M.devices.end()) return it->second;
  Device d;
  // Virtual devices are anonymous-style numbers (major 0), one per real device.
  d.vdev = makedev(0, 64 + M.next_dev++);
  std::string type = fs_type(tid, real);
  for (const char* p : kPseudoTypes)
    if (type == p) d.pseudo = true;
  d.proc = type == "proc";
  // tmpfs numbers inodes from a counter that never goes back.
  d.reuses = !d.pseudo && type != "tmpfs" && type != "ramfs";
  return M.devices.emplace(real, d).first->second;
}

bool special(uint32_t mode) { return !(S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode)); }

int64_t preexisting_time(Tracer& tr, int64_t real) {
  int64_t base = tr.config().epoch * kNsPerSec - kBand;
  if (real < base) return real;
  unsigned __int128 d = static_cast<unsigned __int128>(static_cast<__int128>(real) - base);
  if (d > static_cast<unsigned __int128>(INT64_MAX)) d = INT64_MAX;
  return base + static_cast<int64_t>(d >> kShift);
}

void set_all(Node& n, int64_t t) {
  n.atime = n.mtime = n.ctime = n.btime = t;
  n.explicit_atime = false;
}

void remember(Node& n, const RealMeta& m) {
  n.real_mtime = m.mtime;
  n.real_ctime = m.ctime;
  n.real_size = m.size;
}

// The last write to (dev, ino) not yet observed, or INT64_MIN; forgets it.
int64_t take_write(dev_t dev, ino_t ino) {
  Model& M = model();
  auto it = M.writes.find({dev, ino});
  if (it == M.writes.end()) return INT64_MIN;
  int64_t t = it->second;
  M.writes.erase(it);
  return t;
}

// First sight of a file's times. `written`: its last write in the run, if one was seen.
void init_times(Tracer& tr, Node& n, const Device& d, const RealMeta& m, int64_t written) {
  bool pre = m.ctime < g_start && written == INT64_MIN;
  n.fixed = d.pseudo || special(m.mode);
  if (d.pseudo || (n.fixed && pre))
    set_all(n, tr.config().epoch * kNsPerSec - kBand);
  else if (pre)
    set_all(n, preexisting_time(tr, m.mtime));
  else if (written != INT64_MIN && !n.fixed)
    set_all(n, written);
  else
    set_all(n, logical_now(tr));
  n.timed = true;
  remember(n, m);
}

void renumber(Node& n) {
  Model& M = model();
  n = Node{};
  n.vino = M.next_ino++;
  n.seen = real_now();
}

VirtualMeta view(const Device& d, const Node& n, const RealMeta& m) {
  VirtualMeta v;
  // procfs counts every process of the host in its root's link count.
  if (d.proc && m.ino == 1 && S_ISDIR(m.mode)) v.nlink = 1;
  v.dev = d.vdev;
  v.ino = n.vino;
  v.atime = n.explicit_atime ? n.atime : n.mtime;
  v.mtime = n.mtime;
  v.ctime = n.ctime;
  v.btime = n.btime;
  return v;
}

Node& node(dev_t dev, ino_t ino, bool* fresh) {
  Model& M = model();
  auto r = M.nodes.try_emplace({dev, ino});
  *fresh = r.second;
  if (r.second) renumber(r.first->second);
  return r.first->second;
}

}  // namespace

int64_t to_ns(int64_t sec, int64_t nsec) {
  __int128 v = static_cast<__int128>(sec) * kNsPerSec + nsec;
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return static_cast<int64_t>(v);
}

void from_ns(int64_t ns, int64_t* sec, int64_t* nsec) {
  int64_t s = ns / kNsPerSec, r = ns % kNsPerSec;
  if (r < 0) {
    r += kNsPerSec;
    --s;
  }
  *sec = s;
  *nsec = r;
}

int64_t logical_now(Tracer& tr) {
  Model& M = model();
  int64_t t = tr.realtime_ns();
  if (t < M.last_now) t = M.last_now;  // never backwards, whatever the clock policy does
  M.last_now = t;
  return t;
}

// Records what tells this file from a later one with the same number.
void identify(Node& n, const Device& d, const RealMeta& m, FileProbe* probe) {
  if (!d.reuses || n.fixed || !probe) return;
  int64_t bt;
  probe->look(m.dev, m.ino, &n.handle, &bt);
}

// Whether (dev, ino) now names another file than the one the model knows as n.
bool reused(const Node& n, const Device& d, const RealMeta& m, FileProbe* probe, std::string* handle) {
  if (!d.reuses || !probe) return false;
  int64_t bt = -1;
  bool seen = probe->look(m.dev, m.ino, handle, &bt);
  if (seen && !n.handle.empty() && !handle->empty()) return *handle != n.handle;
  if (m.btime >= 0) bt = m.btime;
  return bt >= 0 && bt > n.seen;  // born after the model first saw the number
}

VirtualMeta observe(Tracer& tr, pid_t tid, const RealMeta& m, FileProbe* probe) {
  Device& d = device(tid, m.dev);
  bool fresh;
  Node& n = node(m.dev, m.ino, &fresh);
  int64_t written = S_ISREG(m.mode) ? take_write(m.dev, m.ino) : INT64_MIN;
  if (fresh || !n.timed) {
    // New, or known from a directory listing only.
    init_times(tr, n, d, m, written);
    identify(n, d, m, probe);
  } else if (!n.fixed) {
    bool wrote = written != INT64_MIN && written > n.observed;
    bool data = wrote || m.mtime != n.real_mtime || m.size != n.real_size;
    if (data || m.ctime != n.real_ctime) {
      std::string handle;
      if (reused(n, d, m, probe, &handle)) {
        renumber(n);  // the old file is gone; its inode number went to this one
        init_times(tr, n, d, m, written);
        n.handle = handle;
      } else if (data) {
        int64_t born_v = n.btime;  // all but the birth time
        set_all(n, wrote ? written : logical_now(tr));
        n.btime = born_v;
      } else {
        n.ctime = logical_now(tr);  // metadata only: chmod, link, rename
      }
      remember(n, m);
    }
  }
  n.observed = tr.realtime_ns();
  return view(d, n, m);
}

void note_write(Tracer& tr, dev_t dev, ino_t ino) { model().writes[{dev, ino}] = tr.realtime_ns(); }

void set_times(Tracer& tr, pid_t tid, const RealMeta& after, FileProbe* probe, const int64_t* atime,
               const int64_t* mtime) {
  Device& d = device(tid, after.dev);
  bool fresh;
  Node& n = node(after.dev, after.ino, &fresh);
  take_write(after.dev, after.ino);  // the times set now supersede earlier writes
  std::string handle;
  if (!n.timed) {
    init_times(tr, n, d, after, INT64_MIN);
    identify(n, d, after, probe);
  } else if (reused(n, d, after, probe, &handle)) {
    renumber(n);
    init_times(tr, n, d, after, INT64_MIN);
    n.handle = handle;
  }
  int64_t old_mtime = n.mtime;
  int64_t old_atime = n.explicit_atime ? n.atime : n.mtime;
  n.mtime = mtime ? *mtime : old_mtime;
  n.atime = atime ? *atime : old_atime;
  n.explicit_atime = n.atime != n.mtime;
  n.ctime = logical_now(tr);
  remember(n, after);
  n.observed = tr.realtime_ns();
}

uint64_t entry_ino(Tracer& tr, pid_t tid, dev_t dev, ino_t ino) {
  device(tid, dev);
  bool fresh;
  return node(dev, ino, &fresh).vino;
}

dev_t virtual_dev(Tracer& tr, pid_t tid, dev_t real) { return device(tid, real).vdev; }

uint64_t virtual_mnt_id(uint64_t real, bool unique) {
  Model& M = model();
  auto& ids = unique ? M.mnt_ids_unique : M.mnt_ids;
  auto it = ids.find(real);
  if (it != ids.end()) return it->second;
  uint64_t v = (unique ? (uint64_t(1) << 32) : 20) + ids.size();
  ids.emplace(real, v);
  return v;
}

int64_t virtual_size(uint32_t mode, int64_t size) { return S_ISDIR(mode) ? kBlockSize : size; }

int64_t virtual_blocks(uint32_t mode, int64_t size) {
  if (S_ISDIR(mode)) return kBlockSize / 512;
  if (!S_ISREG(mode) || size <= 0) return 0;
  int64_t sectors = (size + 511) / 512;
  return (sectors + 7) / 8 * 8;
}

}  // namespace fsmeta
}  // namespace det
