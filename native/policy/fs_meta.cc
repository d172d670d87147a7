// File metadata: the stat family, statfs and the utime family.
//
// stat, lstat, fstat, newfstatat and statx run in the kernel; at their exit stop the
// tracer reads the struct the kernel wrote, passes what it says through the virtual model
// (inode_map.cc: device and inode numbers in first-seen order, timestamps that keep make's
// order without the host's clocks) and writes it back with the virtual device, inode,
// times, block counts (from the size), st_blksize 4096, directory sizes 4096 and mount
// ids. Link counts, modes, owners, sizes of files and rdev stay real: the same inputs give
// the same values (but /proc's root, whose link count counts the host's processes, shows 1
// like a file system that does not count subdirectories). utime, utimes, futimesat and utimensat run in the kernel too; when they
// succeed the tracer looks the file up itself (through /proc/<tid>/root, cwd or the fd)
// and records the times that were asked for, which every later stat shows. Write-like
// calls on regular files are noted (before the scheduling policy decides on them) so that
// data changes are stamped with the moment they happened. statfs and
// fstatfs show a fixed file system (the real f_type, flags and name length; fixed sizes,
// free counts and f_fsid).
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <map>
#include <string>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "policy/fs_meta.h"

#include "core/tracer.h"
#include "policy/inode_map.h"

namespace det {
namespace {

using fsmeta::RealMeta;
using fsmeta::VirtualMeta;

// ----- kernel layouts (x86-64) ------------------------------------------------------------

struct KStat {
  uint64_t dev, ino, nlink;
  uint32_t mode, uid, gid, pad0;
  uint64_t rdev;
  int64_t size, blksize, blocks;
  int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
  int64_t unused[3];
};
static_assert(sizeof(KStat) == 144, "struct stat");

struct KTs {
  int64_t sec;
  uint32_t nsec;
  int32_t reserved;
};

struct KStatx {
  uint32_t mask, blksize;
  uint64_t attributes;
  uint32_t nlink, uid, gid;
  uint16_t mode, spare0;
  uint64_t ino, size, blocks, attributes_mask;
  KTs atime, btime, ctime, mtime;
  uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
  uint64_t mnt_id;
  uint8_t rest[256 - 152];
};
static_assert(sizeof(KStatx) == 256, "struct statx");

struct KStatfs {
  int64_t type, bsize, blocks, bfree, bavail, files, ffree;
  int32_t fsid[2];
  int64_t namelen, frsize, flags, spare[4];
};
static_assert(sizeof(KStatfs) == 120, "struct statfs");

constexpr uint32_t kStatxType = 0x1, kStatxAtime = 0x20, kStatxMtime = 0x40, kStatxCtime = 0x80,
                   kStatxIno = 0x100, kStatxSize = 0x200, kStatxBlocks = 0x400, kStatxBtime = 0x800,
                   kStatxMntId = 0x1000, kStatxMntIdUnique = 0x4000;
constexpr uint32_t kStatxNeeded = kStatxType | kStatxMtime | kStatxCtime | kStatxIno | kStatxSize;
constexpr int64_t kUtimeNow = (1L << 30) - 1, kUtimeOmit = (1L << 30) - 2;

// ----- the file a call names, seen from the tracer -----------------------------------------

// The sandbox's root, the same for every tracee for the whole run (one mount namespace,
// whose mounts cannot change; chroot and pivot_root are refused): opened once.
int sandbox_root(SysCtx& c) {
  static int root = -1;
  if (root < 0) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/%d/root", c.t.tid);
    root = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
  }
  return root;
}

// Where a walk of a non-empty `path` starts for the tracee, opened O_PATH (its root for an
// absolute path, else its cwd or dirfd), and the walk's resolve flags; -1 with errno ESRCH
// when it cannot be reached (not the walk's answer). Close it with release_base.
int walk_base(SysCtx& c, int dirfd, const std::string& path, bool exact, uint64_t* resolve) {
  char proc[64];
  int base;
  *resolve = exact ? RESOLVE_NO_MAGICLINKS : 0;
  if (path[0] == '/') {
    base = sandbox_root(c);
    *resolve |= RESOLVE_IN_ROOT;
  } else {
    if (dirfd == AT_FDCWD) {
      snprintf(proc, sizeof proc, "/proc/%d/cwd", c.t.tid);
      base = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
    } else {
      base = grab_fd(c.t.proc->pidfd, c.t.tid, dirfd);
    }
    if (exact) *resolve |= RESOLVE_BENEATH;
  }
  if (base < 0) errno = ESRCH;
  return base;
}

void release_base(int base, const std::string& path) {
  if (path[0] != '/') close(base);
}

int walk(int base, const std::string& path, bool nofollow, uint64_t resolve) {
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
  how.resolve = resolve;
  return static_cast<int>(syscall(SYS_openat2, base, path.c_str(), &how, sizeof how));
}

}  // namespace

int open_target_path(SysCtx& c, int dirfd, const std::string& path, bool nofollow, bool exact, bool empty_path_ok) {
  if (path.empty()) {
    int fd = dirfd >= 0 && empty_path_ok ? grab_fd(c.t.proc->pidfd, c.t.tid, dirfd) : -1;
    if (fd < 0) errno = EBADF;  // not the walk's answer (see fs_meta.h)
    return fd;
  }
  uint64_t resolve;
  int base = walk_base(c, dirfd, path, exact, &resolve);
  if (base < 0) return -1;
  int fd = walk(base, path, nofollow, resolve);
  int err = errno;
  release_base(base, path);
  errno = err;
  return fd;
}

namespace {

// open_target_path with the path read from the tracee's memory (0: the empty path).
int open_target(SysCtx& c, int dirfd, uint64_t path_addr, bool nofollow, bool exact = false,
                bool empty_path_ok = true) {
  std::string path;
  if (path_addr && !read_cstr(c.t.tid, path_addr, &path, PATH_MAX)) {
    errno = EFAULT;
    return -1;
  }
  return open_target_path(c, dirfd, path, nofollow, exact, empty_path_ok);
}

bool real_statx(int fd, KStatx* out) {
  return syscall(SYS_statx, fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, 0x7ffu | kStatxBtime, out) == 0;
}

RealMeta meta_of(const KStatx& x) {
  RealMeta m;
  m.dev = makedev(x.dev_major, x.dev_minor);
  m.ino = x.ino;
  m.mode = x.mode;
  m.size = static_cast<int64_t>(x.size);
  m.mtime = fsmeta::to_ns(x.mtime.sec, x.mtime.nsec);
  m.ctime = fsmeta::to_ns(x.ctime.sec, x.ctime.nsec);
  m.btime = (x.mask & kStatxBtime) ? fsmeta::to_ns(x.btime.sec, x.btime.nsec) : -1;
  return m;
}

// The tracer's own look at the file a call named (see fsmeta::FileProbe): opened (O_PATH)
// only when the model asks, or given an already open descriptor.
struct TargetProbe final : fsmeta::FileProbe {
  SysCtx& c;
  int dirfd;
  uint64_t path;
  bool nofollow;
  int fd;  // >= 0: use this one (not owned)
  TargetProbe(SysCtx& c_, int d, uint64_t p, bool nf, int fd_ = -1)
      : c(c_), dirfd(d), path(p), nofollow(nf), fd(fd_) {}
  bool look(dev_t dev, ino_t ino, std::string* handle, int64_t* btime) override {
    handle->clear();
    *btime = -1;
    int f = fd >= 0 ? fd : open_target(c, dirfd, path, nofollow);
    if (f < 0) return false;
    KStatx x{};
    bool same = real_statx(f, &x) && makedev(x.dev_major, x.dev_minor) == dev && x.ino == ino;
    if (same) {
      if (x.mask & kStatxBtime) *btime = fsmeta::to_ns(x.btime.sec, x.btime.nsec);
      struct {
        file_handle h;
        unsigned char bytes[MAX_HANDLE_SZ];
      } fh;
      fh.h.handle_bytes = MAX_HANDLE_SZ;
      int mnt;
      if (name_to_handle_at(f, "", &fh.h, &mnt, AT_EMPTY_PATH) == 0) {
        handle->assign(reinterpret_cast<const char*>(&fh.h.handle_type), sizeof fh.h.handle_type);
        handle->append(reinterpret_cast<const char*>(fh.h.f_handle), fh.h.handle_bytes);
      }
    }
    if (f != fd) close(f);
    return same;
  }
};

// ----- stat, lstat, fstat, newfstatat ------------------------------------------------------

// What a stat-family call names, from its entry registers.
struct StatArgs {
  int dirfd = AT_FDCWD;
  uint64_t path = 0, buf = 0;
  bool nofollow = false;
  bool empty_path_ok = false;  // AT_EMPTY_PATH (fstat is newfstatat(fd, "", AT_EMPTY_PATH))
  bool plain = true;           // no flag det does not model
};

StatArgs stat_args(long nr, const Regs& e) {
  StatArgs a;
  if (nr == SYS_fstat) {
    a.dirfd = static_cast<int>(sys_arg(e, 0));
    a.buf = sys_arg(e, 1);
    a.empty_path_ok = true;
  } else if (nr == SYS_newfstatat) {
    a.dirfd = static_cast<int>(sys_arg(e, 0));
    a.path = sys_arg(e, 1);
    a.buf = sys_arg(e, 2);
    uint64_t flags = sys_arg(e, 3);
    a.nofollow = flags & AT_SYMLINK_NOFOLLOW;
    a.empty_path_ok = flags & AT_EMPTY_PATH;
    a.plain = (flags & ~static_cast<uint64_t>(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) == 0;
  } else {
    a.path = sys_arg(e, 0);
    a.buf = sys_arg(e, 1);
    a.nofollow = nr == SYS_lstat;
  }
  return a;
}

// The kernel's struct stat becomes the virtual one (fsmeta). `fd`: the tracer's descriptor
// of the file when it has one (else it looks the file up itself when the model asks).
void virtualize_stat(SysCtx& c, const StatArgs& a, int fd, KStat& st) {
  RealMeta m;
  m.dev = static_cast<dev_t>(st.dev);
  m.ino = st.ino;
  m.mode = st.mode;
  m.size = st.size;
  m.mtime = fsmeta::to_ns(st.mtime, st.mtime_ns);
  m.ctime = fsmeta::to_ns(st.ctime, st.ctime_ns);
  TargetProbe src(c, a.dirfd, a.path, a.nofollow, fd);
  VirtualMeta v = fsmeta::observe(c.tr, c.t.tid, m, &src);
  st.dev = v.dev;
  st.ino = v.ino;
  if (v.nlink >= 0) st.nlink = static_cast<uint64_t>(v.nlink);
  st.size = fsmeta::virtual_size(st.mode, st.size);
  st.blksize = fsmeta::kBlockSize;
  st.blocks = fsmeta::virtual_blocks(st.mode, st.size);
  fsmeta::from_ns(v.atime, &st.atime, &st.atime_ns);
  fsmeta::from_ns(v.mtime, &st.mtime, &st.mtime_ns);
  fsmeta::from_ns(v.ctime, &st.ctime, &st.ctime_ns);
}

ExitVerdict stat_exit(SysCtx& c) {
  if (c.result() != 0) return ExitVerdict::Done;
  StatArgs a = stat_args(c.nr(), c.t.entry_regs);
  KStat st;
  if (read_mem(c.t.tid, a.buf, &st, sizeof st) != sizeof st) return ExitVerdict::Done;
  virtualize_stat(c, a, -1, st);
  write_mem(c.t.tid, a.buf, &st, sizeof st);
  return ExitVerdict::Done;
}

bool on_procfs(SysCtx& c, int fd, uint64_t dev);

// Whether `path`, whose exact walk failed with `err` (ENOENT or ENOTDIR), fails so for the
// tracee too. The walks differ in one place: procfs answers "self" and "thread-self" for
// whoever walks, and the tracer is not in the sandbox's pid namespace, so a walk through
// them (/proc/self/..., or a symlink into them such as /dev/fd or /dev/stdin) fails for the
// tracer only. So the answer is trusted only from the deepest ancestor the tracer opens
// exactly (a walk through "self" never opens for it): that ancestor is not on procfs, and
// the component below it is absent there (not even a symlink), with the same error: every
// path through that component fails so. Ancestors are tried from the parent up (a
// compiler's search paths often miss two levels:
// lib/gcc/x86_64-linux-gnu/12/../../../../x86_64-linux-gnu/include), at most kAncestors.
bool surely_missing(SysCtx& c, int base, const std::string& path, uint64_t resolve, int err) {
  constexpr int kAncestors = 8;
  if (path.back() == '/') return false;
  size_t end = path.size();  // the component below the ancestor is path[slash + 1, end)
  for (int tries = 0; tries < kAncestors; ++tries) {
    size_t slash = path.rfind('/', end - 1);
    std::string name = slash == std::string::npos ? path.substr(0, end) : path.substr(slash + 1, end - slash - 1);
    std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    int dir = walk(base, parent, false, resolve);
    if (dir < 0) {
      // The parent is missing too: look one level up (past a "..": the kernel needs what
      // comes before it to exist, as the walk does).
      if ((errno != ENOENT && errno != ENOTDIR) || slash == std::string::npos || slash == 0) return false;
      end = slash;
      while (end > 0 && path[end - 1] == '/') --end;
      if (end == 0) return false;
      continue;
    }
    if (name.empty() || name == "." || name == "..") {  // always there below a directory
      close(dir);
      return false;
    }
    struct stat st;
    bool missing = fstat(dir, &st) == 0 && !on_procfs(c, dir, st.st_dev) &&
                   fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == err;
    close(dir);
    return missing;
  }
  return false;
}

// The file a stat call names, opened by the tracer exactly as the kernel would resolve it
// for the tracee, or -1 when that cannot be made sure of (open_target, exact). *missing:
// the file surely does not exist for the tracee (ENOENT or ENOTDIR, see surely_missing),
// the call's answer. (Errors a walk beneath its start or without magic links adds, EXDEV
// and ELOOP, and everything else go to the kernel.)
int open_exactly(SysCtx& c, const StatArgs& a, int* missing) {
  *missing = 0;
  std::string path;
  if (a.path && !read_cstr(c.t.tid, a.path, &path, PATH_MAX)) return -1;
  if (path.empty()) return open_target_path(c, a.dirfd, path, a.nofollow, true, a.empty_path_ok);
  uint64_t resolve;
  int base = walk_base(c, a.dirfd, path, true, &resolve);
  if (base < 0) return -1;
  int fd = walk(base, path, a.nofollow, resolve);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
    int err = errno;
    if (surely_missing(c, base, path, resolve, err)) *missing = err;
  }
  release_base(base, path);
  return fd;
}

// Whether a file is on a procfs (whose answers can depend on who asks). The sandbox has one
// /proc: its device number is learnt once (fstatfs tells until then).
bool on_procfs(SysCtx& c, int fd, uint64_t dev) {
  static uint64_t proc_dev = 0;
  static bool learnt = false;
  if (!learnt) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/root/proc", c.t.tid);
    struct statfs sfs;
    struct stat st;
    if (statfs(p, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC && stat(p, &st) == 0) {
      proc_dev = st.st_dev;
      learnt = true;
    }
  }
  // The tracee cannot mount another (mount is refused): its device number tells.
  if (learnt) return dev == proc_dev;
  struct statfs sfs;
  if (fstatfs(fd, &sfs) != 0) return true;
  if (sfs.f_type == PROC_SUPER_MAGIC) return true;
  return false;
}

// stat, lstat, fstat, newfstatat: in one stop where possible. The tracer finds the file as
// the kernel would for the tracee (open_exactly), stats it, writes the virtual result and
// the call returns without entering the kernel: half the stops of running the call and
// rewriting its result at the exit stop. A file surely missing fails the same way (ENOENT,
// ENOTDIR: a third of a compiler's stats, probing its search paths). A file it cannot find
// that way (an error the tracee must get from the kernel, a path that leaves the starting
// directory, procfs whose answers depend on who asks) takes the two-stop path.
Verdict on_stat(SysCtx& c) {
  StatArgs a = stat_args(c.nr(), c.regs);
  if (a.plain) {
    int missing = 0;
    int fd = open_exactly(c, a, &missing);
    if (missing) {
      c.tr.count("stat-missing");
      return c.emulate(-missing);
    }
    if (fd >= 0) {
      KStat st;
      static_assert(sizeof(struct stat) == sizeof(KStat), "struct stat");
      bool ok = fstat(fd, reinterpret_cast<struct stat*>(&st)) == 0 && !on_procfs(c, fd, st.dev);
      if (ok) {
        virtualize_stat(c, a, fd, st);
        close(fd);
        if (write_mem(c.t.tid, a.buf, &st, sizeof st) != sizeof st) return c.emulate(-EFAULT);
        return c.emulate(0);
      }
      close(fd);
    }
  }
  if (c.notified) return Verdict::NeedStop;  // the kernel's answer, rewritten at the exit
  return c.allow_exit(stat_exit);
}

// ----- statx -----------------------------------------------------------------------------

void put_ts(KTs* ts, int64_t ns) {
  int64_t s, n;
  fsmeta::from_ns(ns, &s, &n);
  ts->sec = s;
  ts->nsec = static_cast<uint32_t>(n);
}

// The kernel's struct statx becomes the virtual one. `fd`: the tracer's descriptor of the
// file when it has one.
void virtualize_statx(SysCtx& c, int dirfd, uint64_t path, bool nofollow, int fd_known, KStatx& x) {
  dev_t real_dev = makedev(x.dev_major, x.dev_minor);
  RealMeta m;
  bool full = (x.mask & kStatxNeeded) == kStatxNeeded;
  if (full) {
    m = meta_of(x);
  } else {
    // A narrow answer (the file system filled less than the basic stats): model the file
    // from the tracer's own look at it.
    int fd = fd_known >= 0 ? fd_known : open_target(c, dirfd, path, nofollow);
    KStatx own{};
    if (fd >= 0) {
      full = real_statx(fd, &own) && (own.mask & kStatxNeeded) == kStatxNeeded &&
             makedev(own.dev_major, own.dev_minor) == real_dev && (!(x.mask & kStatxIno) || own.ino == x.ino);
      if (fd != fd_known) close(fd);
    }
    if (full) m = meta_of(own);
  }
  dev_t vdev;
  if (full) {
    TargetProbe src(c, dirfd, path, nofollow, fd_known);
    VirtualMeta v = fsmeta::observe(c.tr, c.t.tid, m, &src);
    vdev = v.dev;
    if (x.mask & kStatxIno) x.ino = v.ino;
    if (v.nlink >= 0) x.nlink = static_cast<uint32_t>(v.nlink);
    if (x.mask & kStatxAtime) put_ts(&x.atime, v.atime);
    if (x.mask & kStatxMtime) put_ts(&x.mtime, v.mtime);
    if (x.mask & kStatxCtime) put_ts(&x.ctime, v.ctime);
    if (x.mask & kStatxBtime) put_ts(&x.btime, v.btime);
    if (x.mask & kStatxSize) x.size = static_cast<uint64_t>(fsmeta::virtual_size(m.mode, m.size));
    if (x.mask & kStatxBlocks) x.blocks = static_cast<uint64_t>(fsmeta::virtual_blocks(m.mode, m.size));
  } else {
    vdev = fsmeta::virtual_dev(c.tr, c.t.tid, real_dev);
    if (x.mask & kStatxIno) x.ino = fsmeta::entry_ino(c.tr, c.t.tid, real_dev, x.ino);
    int64_t t = fsmeta::logical_now(c.tr);
    if (x.mask & kStatxAtime) put_ts(&x.atime, t);
    if (x.mask & kStatxMtime) put_ts(&x.mtime, t);
    if (x.mask & kStatxCtime) put_ts(&x.ctime, t);
    if (x.mask & kStatxBtime) put_ts(&x.btime, t);
    if (x.mask & kStatxBlocks) x.blocks = static_cast<uint64_t>(fsmeta::virtual_blocks(x.mode, static_cast<int64_t>(x.size)));
  }
  x.dev_major = major(vdev);
  x.dev_minor = minor(vdev);
  x.blksize = fsmeta::kBlockSize;
  if (x.mask & kStatxMntIdUnique)
    x.mnt_id = fsmeta::virtual_mnt_id(x.mnt_id, true);
  else if (x.mask & kStatxMntId)
    x.mnt_id = fsmeta::virtual_mnt_id(x.mnt_id, false);
}

ExitVerdict statx_exit(SysCtx& c) {
  if (c.result() != 0) return ExitVerdict::Done;
  const Regs& e = c.t.entry_regs;
  uint64_t buf = sys_arg(e, 4);
  KStatx x;
  if (read_mem(c.t.tid, buf, &x, sizeof x) != sizeof x) return ExitVerdict::Done;
  virtualize_statx(c, static_cast<int>(sys_arg(e, 0)), sys_arg(e, 1), sys_arg(e, 2) & AT_SYMLINK_NOFOLLOW, -1, x);
  write_mem(c.t.tid, buf, &x, sizeof x);
  return ExitVerdict::Done;
}

// statx in one stop, as stat (on_stat): the tracer finds the file exactly as the kernel
// would and asks statx of it with the caller's mask and sync flags.
Verdict on_statx(SysCtx& c) {
  StatArgs a;
  a.dirfd = static_cast<int>(c.arg(0));
  a.path = c.arg(1);
  uint64_t flags = c.arg(2);
  a.nofollow = flags & AT_SYMLINK_NOFOLLOW;
  a.empty_path_ok = flags & AT_EMPTY_PATH;
  constexpr uint64_t kKnown = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE;
  a.plain = (flags & ~kKnown) == 0 && (flags & AT_STATX_SYNC_TYPE) != AT_STATX_SYNC_TYPE;
  a.buf = c.arg(4);
  unsigned mask = static_cast<unsigned>(c.arg(3));
  if (a.plain && !(mask & STATX__RESERVED)) {  // a reserved bit: EINVAL before the walk
    int missing = 0;
    int fd = open_exactly(c, a, &missing);
    if (missing) {
      c.tr.count("stat-missing");
      return c.emulate(-missing);
    }
    if (fd >= 0) {
      KStatx x{};
      bool ok = syscall(SYS_statx, fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | (flags & AT_STATX_SYNC_TYPE), mask, &x) == 0 &&
                !on_procfs(c, fd, makedev(x.dev_major, x.dev_minor));
      if (ok) {
        virtualize_statx(c, a.dirfd, a.path, a.nofollow, fd, x);
        close(fd);
        if (write_mem(c.t.tid, a.buf, &x, sizeof x) != sizeof x) return c.emulate(-EFAULT);
        return c.emulate(0);
      }
      close(fd);
    }
  }
  if (c.notified) return Verdict::NeedStop;  // the kernel's answer, rewritten at the exit
  return c.allow_exit(statx_exit);
}

// ----- statfs, fstatfs -------------------------------------------------------------------

ExitVerdict statfs_exit(SysCtx& c) {
  if (c.result() != 0) return ExitVerdict::Done;
  uint64_t buf = sys_arg(c.t.entry_regs, 1);
  KStatfs s;
  if (read_mem(c.t.tid, buf, &s, sizeof s) != sizeof s) return ExitVerdict::Done;
  static std::map<std::pair<int32_t, int32_t>, int32_t> fsids;
  auto key = std::make_pair(s.fsid[0], s.fsid[1]);
  auto it = fsids.find(key);
  if (it == fsids.end()) it = fsids.emplace(key, 0x64657400 + static_cast<int32_t>(fsids.size())).first;
  // A 64 GiB file system, half free; 4 Mi inodes, half free.
  s.bsize = s.frsize = fsmeta::kBlockSize;
  s.blocks = 16 * 1024 * 1024;
  s.bfree = s.bavail = 8 * 1024 * 1024;
  s.files = 4 * 1024 * 1024;
  s.ffree = 2 * 1024 * 1024;
  s.fsid[0] = it->second;
  s.fsid[1] = 0;
  write_mem(c.t.tid, buf, &s, sizeof s);
  return ExitVerdict::Done;
}

Verdict on_statfs(SysCtx& c) { return c.allow_exit(statfs_exit); }

// ----- utime, utimes, futimesat, utimensat -------------------------------------------------

// The requested times, from the call's arguments: false when they cannot be read.
// *set_a/*set_m say whether atime/mtime change; *a/*m are the virtual values then.
bool requested_times(SysCtx& c, int64_t* a, int64_t* m, bool* set_a, bool* set_m) {
  const Regs& e = c.t.entry_regs;
  long nr = c.nr();
  *set_a = *set_m = true;
  uint64_t addr = nr == SYS_utimensat || nr == SYS_futimesat ? sys_arg(e, 2) : sys_arg(e, 1);
  if (!addr) {
    *a = *m = fsmeta::logical_now(c.tr);
    return true;
  }
  int64_t v[4];
  if (nr == SYS_utime) {
    if (read_mem(c.t.tid, addr, v, 2 * sizeof(int64_t)) != 2 * sizeof(int64_t)) return false;
    *a = fsmeta::to_ns(v[0], 0);
    *m = fsmeta::to_ns(v[1], 0);
    return true;
  }
  if (read_mem(c.t.tid, addr, v, sizeof v) != sizeof v) return false;
  if (nr == SYS_utimes || nr == SYS_futimesat) {
    *a = fsmeta::to_ns(v[0], v[1] * 1000);
    *m = fsmeta::to_ns(v[2], v[3] * 1000);
    return true;
  }
  int64_t now = 0;
  bool have_now = false;
  auto one = [&](int64_t sec, int64_t nsec, int64_t* out, bool* set) {
    if (nsec == kUtimeOmit) {
      *set = false;
    } else if (nsec == kUtimeNow) {
      if (!have_now) now = fsmeta::logical_now(c.tr), have_now = true;
      *out = now;
    } else {
      *out = fsmeta::to_ns(sec, nsec);
    }
  };
  one(v[0], v[1], a, set_a);
  one(v[2], v[3], m, set_m);
  return true;
}

ExitVerdict utime_exit(SysCtx& c) {
  if (c.result() != 0) return ExitVerdict::Done;
  const Regs& e = c.t.entry_regs;
  long nr = c.nr();
  int dirfd = AT_FDCWD;
  uint64_t path = sys_arg(e, 0);
  bool nofollow = false;
  if (nr == SYS_utimensat || nr == SYS_futimesat) {
    dirfd = static_cast<int>(sys_arg(e, 0));
    path = sys_arg(e, 1);
    if (nr == SYS_utimensat) nofollow = sys_arg(e, 3) & AT_SYMLINK_NOFOLLOW;
  }
  int64_t a = 0, m = 0;
  bool set_a, set_m;
  if (!requested_times(c, &a, &m, &set_a, &set_m)) return ExitVerdict::Done;
  int fd = open_target(c, dirfd, path, nofollow);
  if (fd < 0) return ExitVerdict::Done;
  KStatx x{};
  if (real_statx(fd, &x) && (x.mask & kStatxNeeded) == kStatxNeeded) {
    TargetProbe probe(c, dirfd, path, nofollow, fd);
    fsmeta::set_times(c.tr, c.t.tid, meta_of(x), &probe, set_a ? &a : nullptr, set_m ? &m : nullptr);
  }
  close(fd);
  return ExitVerdict::Done;
}

Verdict on_utime(SysCtx& c) { return c.allow_exit(utime_exit); }

// ----- writes: when a regular file's data changes ----------------------------------------

// Runs before the scheduling policy's handler for the same calls and always passes.
Verdict on_write_note(SysCtx& c) {
  if (c.retry) return Verdict::Pass;
  long nr = c.nr();
  int fd;
  if (nr == SYS_splice || nr == SYS_copy_file_range)
    fd = static_cast<int>(c.arg(2));
  else
    fd = static_cast<int>(c.arg(0));
  if (nr == SYS_write && c.arg(2) == 0) return Verdict::Pass;
  int local = grab_fd(c.t.proc->pidfd, c.t.tid, fd);
  if (local < 0) return Verdict::Pass;
  struct stat st;
  if (fstat(local, &st) == 0 && S_ISREG(st.st_mode)) fsmeta::note_write(c.tr, st.st_dev, st.st_ino);
  close(local);
  return Verdict::Pass;
}

const bool registered = [] {
  for (const char* n : {"write", "writev", "pwritev2", "sendfile", "splice", "copy_file_range"})
    register_handler(n, on_write_note, 40);
  for (const char* n : {"stat", "lstat", "fstat", "newfstatat"}) register_handler(n, on_stat);
  register_handler("statx", on_statx);
  register_handler("statfs", on_statfs);
  register_handler("fstatfs", on_statfs);
  for (const char* n : {"utime", "utimes", "futimesat", "utimensat"}) register_handler(n, on_utime);
  return true;
}();

}  // namespace

bool observe_fd(SysCtx& c, int fd, fsmeta::RealMeta* real, fsmeta::VirtualMeta* virt) {
  KStatx x{};
  if (!real_statx(fd, &x)) return false;
  *real = meta_of(x);
  TargetProbe probe(c, AT_FDCWD, 0, false, fd);
  *virt = fsmeta::observe(c.tr, c.t.tid, *real, &probe);
  return true;
}

}  // namespace det
