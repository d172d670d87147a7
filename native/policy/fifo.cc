// Opening a FIFO blocks in the kernel until the other end is opened, which would stall the
// one-tracee-at-a-time schedule. Once the sandbox has made a FIFO (mknod/mknodat are
// traced for that), opens of FIFOs are decided here:
//   - the other end is open (in any sandbox process): the open cannot block -> the kernel;
//   - a thread waits to open the other end: a rendezvous. The tracer opens the FIFO
//     read-write itself, so this open returns at once; the waiting thread's retry then
//     finds this end open, and the tracer's handle is closed once that open is done;
//   - otherwise the thread waits (parked, retried when others made progress).
// FIFOs that exist before the run (in the work dir or a --chroot) are not watched.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <map>
#include <set>
#include <string>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <utility>

#include "core/tracer.h"
#include "policy/fs_meta.h"

namespace det {
namespace {

bool g_fifos_exist = false;

using Key = std::pair<dev_t, ino_t>;

struct Waiting {
  std::set<Thread*> readers, writers;
  int rendezvous_fd = -1;  // the tracer's read-write handle while a rendezvous is under way
};
std::map<Key, Waiting> g_fifos;

Verdict on_mknod(SysCtx& c) {
  uint64_t mode = c.nr() == SYS_mknod ? c.arg(1) : c.arg(2);
  if (S_ISFIFO(mode)) g_fifos_exist = true;
  return Verdict::Pass;
}

// Whether a sandbox process has the FIFO open for reading (want_reader) or writing.
bool end_open(SysCtx& c, Key key, bool want_reader) {
  std::set<pid_t> seen;
  for (Thread* t : c.tr.sched().threads()) {
    pid_t pid = t->proc->tgid;
    if (!seen.insert(pid).second) continue;
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/fd", pid);
    DIR* d = opendir(dir);
    if (!d) continue;
    bool found = false;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      std::string p = std::string(dir) + "/" + e->d_name;
      struct stat st;
      if (stat(p.c_str(), &st) != 0 || st.st_dev != key.first || st.st_ino != key.second) continue;
      char info[64];
      snprintf(info, sizeof info, "/proc/%d/fdinfo/%s", pid, e->d_name);
      FILE* f = fopen(info, "re");
      if (!f) continue;
      char line[128];
      unsigned flags = 0;
      while (fgets(line, sizeof line, f))
        if (!strncmp(line, "flags:", 6)) flags = static_cast<unsigned>(strtoul(line + 6, nullptr, 8));
      fclose(f);
      unsigned acc = flags & O_ACCMODE;
      if (acc == O_RDWR || (want_reader ? acc == O_RDONLY : acc == O_WRONLY)) found = true;
      if (found) break;
    }
    closedir(d);
    if (found) return true;
  }
  return false;
}

ExitVerdict close_rendezvous(SysCtx& c) {
  Key key{static_cast<dev_t>(c.t.scratch.a), static_cast<ino_t>(c.t.scratch.b)};
  auto it = g_fifos.find(key);
  if (it != g_fifos.end() && it->second.rendezvous_fd >= 0) {
    close(it->second.rendezvous_fd);
    it->second.rendezvous_fd = -1;
  }
  return ExitVerdict::Done;
}

Verdict on_open(SysCtx& c) {
  if (!g_fifos_exist) return Verdict::Pass;
  long nr = c.nr();
  int dirfd = AT_FDCWD;
  uint64_t path_addr;
  uint64_t flags;
  if (nr == SYS_open) {
    path_addr = c.arg(0);
    flags = c.arg(1);
  } else if (nr == SYS_creat) {
    path_addr = c.arg(0);
    flags = O_WRONLY | O_CREAT | O_TRUNC;
  } else {
    dirfd = static_cast<int>(c.arg(0));
    path_addr = c.arg(1);
    flags = c.arg(2);
    if (nr == SYS_openat2) {
      open_how how{};
      if (read_mem(c.t.tid, c.arg(2), &how, sizeof how.flags) != sizeof how.flags) return Verdict::Pass;
      flags = how.flags;
    }
  }
  unsigned acc = flags & O_ACCMODE;
  if ((flags & (O_NONBLOCK | O_PATH)) || acc == O_RDWR) return Verdict::Pass;
  const std::string* path = c.path_at(path_addr);  // read once for all open handlers
  if (!path) return Verdict::Pass;
  // The file as the tracee's open resolves it (in its root: an absolute symlink inside the
  // sandbox stays inside; through /proc/<tid>/root it pointed at the host's file).
  int target = open_target_path(c, dirfd, *path, flags & O_NOFOLLOW);
  if (target < 0) return Verdict::Pass;
  struct stat st;
  if (fstat(target, &st) != 0 || !S_ISFIFO(st.st_mode)) {
    close(target);
    return Verdict::Pass;
  }
  char reopen[64];  // the FIFO itself, for a rendezvous handle below
  snprintf(reopen, sizeof reopen, "/proc/self/fd/%d", target);
  Key key{st.st_dev, st.st_ino};
  bool reader = acc == O_RDONLY;
  Waiting& w = g_fifos[key];
  if (c.notified) {
    // What follows changes the rendezvous state and may need an exit stop: from a ptrace
    // stop. But with a signal to deliver and no rendezvous under way the kernel's open
    // returns at once (opened, or EINTR), as below, and the signal must not go first (a
    // bounce would let it: see Tracer::bounce).
    close(target);
    return c.signal_wake && w.rendezvous_fd < 0 ? Verdict::Pass : Verdict::NeedStop;
  }
  std::set<Thread*>& mine = reader ? w.readers : w.writers;
  std::set<Thread*>& theirs = reader ? w.writers : w.readers;
  mine.erase(&c.t);
  for (auto it = theirs.begin(); it != theirs.end();)  // forget threads that died waiting
    if ((*it)->state != ThreadState::Blocked) it = theirs.erase(it);
    else ++it;
  if (w.rendezvous_fd >= 0 || end_open(c, key, !reader)) {
    close(target);
    // The other end is open: the kernel returns at once. If this open completes a
    // rendezvous, the tracer's own handle goes when it is done.
    if (w.rendezvous_fd < 0) return Verdict::Pass;
    c.t.scratch = CallScratch{};
    c.t.scratch.a = key.first;
    c.t.scratch.b = key.second;
    return c.allow_exit(close_rendezvous);
  }
  if (!theirs.empty()) w.rendezvous_fd = open(reopen, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  close(target);
  if (w.rendezvous_fd >= 0) return Verdict::Pass;
  if (c.signal_wake) return Verdict::Pass;  // the real open returns EINTR at once
  mine.insert(&c.t);
  Block b;
  b.kind = BlockKind::Retry;
  return c.block(b);
}

const bool registered = [] {
  register_handler("mknod", on_mknod);
  register_handler("mknodat", on_mknod);
  for (const char* n : {"open", "openat", "openat2", "creat"}) register_handler(n, on_open);
  return true;
}();

}  // namespace
}  // namespace det
