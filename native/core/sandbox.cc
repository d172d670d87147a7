// The sandbox: see sandbox.h. Everything here is plain Linux namespace/mount plumbing.
//
// How sandbox_enter() builds the container (the bubblewrap technique, two pivots):
//   1. unshare mount/uts/ipc/net namespaces; make every mount private (no propagation
//      either way between host and sandbox).
//   2. mount a tmpfs "base" over an existing directory (/tmp), pivot_root into it and put
//      the host's root at /oldroot. Host paths are now /oldroot/<path>. This avoids needing
//      a spare mountpoint on the host and keeps working when the work dir is under /tmp
//      (after the pivot the base tmpfs no longer hides the host's /tmp).
//   3. assemble the container at /newroot (a tmpfs populated from the skeleton plus
//      read-only binds of the host's /usr, /lib*, ... — or a bind of --chroot DIR), with
//      /build, /proc, /dev, /tmp, /run.
//   4. pivot_root(".", ".") inside /newroot and detach the stacked old root, which takes
//      the base tmpfs and the whole host tree with it. Nothing of the host stays reachable
//      except what was bind-mounted.
#include "core/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "policy/machine.h"

namespace det {

namespace {

// ---- mount_setattr(2) (Linux 5.12+); glibc 2.36 has no wrapper and <linux/mount.h>
// clashes with <sys/mount.h>, so the few definitions needed are spelled out here.
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
struct det_mount_attr {
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};
constexpr uint64_t kMountAttrRdonly = 0x00000001;

// Where the host's root is reachable between the first and the second pivot.
constexpr const char* kOld = "/oldroot";
constexpr const char* kNew = "/newroot";

std::string errno_text(int e) { return strerror(e); }

bool fail(std::string* err, const std::string& msg) {
  if (err) *err = msg;
  return false;
}

bool fail_errno(std::string* err, const std::string& what, int e = errno) {
  return fail(err, what + ": " + errno_text(e));
}

bool write_file(const std::string& path, const std::string& data, int* e) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    *e = errno;
    return false;
  }
  ssize_t n = write(fd, data.data(), data.size());
  int saved = errno;
  close(fd);
  if (n != (ssize_t)data.size()) {
    *e = n < 0 ? saved : EIO;
    return false;
  }
  return true;
}

std::string read_small_file(const std::string& path) {
  std::string out;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, (size_t)n);
  close(fd);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Why an unprivileged user namespace could not be created or used, as a parenthesis.
std::string userns_hint() {
  if (read_small_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1")
    return " (unprivileged user namespaces are restricted by AppArmor: "
           "kernel.apparmor_restrict_unprivileged_userns=1; run as root or with CAP_SYS_ADMIN)";
  if (read_small_file("/proc/sys/kernel/unprivileged_userns_clone") == "0")
    return " (unprivileged user namespaces are disabled: kernel.unprivileged_userns_clone=0; "
           "run as root or with CAP_SYS_ADMIN)";
  if (read_small_file("/proc/sys/user/max_user_namespaces") == "0")
    return " (user namespaces are disabled: user.max_user_namespaces=0)";
  return " (unprivileged user namespaces are disabled or restricted by AppArmor; "
         "run as root or with CAP_SYS_ADMIN)";
}

// The initial user namespace maps the whole uid range ("0 0 4294967295").
bool in_initial_userns() {
  return read_small_file("/proc/self/uid_map").find("4294967295") != std::string::npos;
}

bool is_dir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists_nofollow(const std::string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}

// realpath() of a directory given by an option; one-line error naming the option.
bool resolve_dir(const std::string& opt, const std::string& path, std::string* out,
                 std::string* err) {
  if (path.empty()) return fail(err, opt + ": no directory given");
  char buf[PATH_MAX];
  if (!realpath(path.c_str(), buf)) return fail_errno(err, opt + " " + path);
  if (!is_dir(buf)) return fail(err, opt + " " + path + ": not a directory");
  *out = buf;
  return true;
}

struct Resolved {
  std::string workdir, skel, chroot;
};

bool check_and_resolve(const SandboxConfig& cfg, Resolved* r, std::string* err) {
  if (!resolve_dir("--workdir", cfg.workdir, &r->workdir, err)) return false;
  if (!cfg.chroot.empty()) {
    if (!resolve_dir("--chroot", cfg.chroot, &r->chroot, err)) return false;
    if (r->chroot == "/")
      return fail(err, "--chroot " + cfg.chroot + ": the host's own root cannot be the container");
    if (!exists_nofollow(r->chroot + "/bin/sh") && !exists_nofollow(r->chroot + "/usr/bin/sh"))
      return fail(err, "--chroot " + cfg.chroot + ": not a Linux root file system (no /bin/sh)");
  } else {
    if (cfg.root_skel.empty())
      return fail(err, "--root-skel: not given (the default container is made from the repository's root/ skeleton)");
    if (!resolve_dir("--root-skel", cfg.root_skel, &r->skel, err)) return false;
    if (!is_dir(r->skel + "/etc"))
      return fail(err, "--root-skel " + cfg.root_skel + ": not a container skeleton (no etc/)");
  }
  return true;
}

// mkdir that accepts an existing directory.
bool ensure_dir(const std::string& p, mode_t mode, std::string* err, const std::string& what) {
  if (mkdir(p.c_str(), mode) == 0) return true;
  if (errno == EEXIST && is_dir(p)) return true;
  return fail_errno(err, what);
}

// An empty regular file to bind a file onto (accepts an existing file).
bool ensure_file(const std::string& p, std::string* err, const std::string& what) {
  int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return fail_errno(err, what);
  close(fd);
  return true;
}

unsigned long statvfs_to_mount_flags(unsigned long f) {
  unsigned long m = 0;
  if (f & ST_NOSUID) m |= MS_NOSUID;
  if (f & ST_NODEV) m |= MS_NODEV;
  if (f & ST_NOEXEC) m |= MS_NOEXEC;
  if (f & ST_NOATIME) m |= MS_NOATIME;
  if (f & ST_NODIRATIME) m |= MS_NODIRATIME;
  if (f & ST_RELATIME) m |= MS_RELATIME;
  return m;
}

// Make the bind mount at `target` (and, where the kernel allows, every mount below it)
// read-only. mount_setattr() changes only the read-only bit; the classic remount has to
// restate the flags the mount already has, because inside a user namespace the flags of a
// mount copied from the host are locked (nosuid/nodev/noexec/atime) and a remount that
// would clear one fails with EPERM.
bool make_readonly(const std::string& target, std::string* err) {
#ifndef DET_SANDBOX_NO_MOUNT_SETATTR
  det_mount_attr attr{};
  attr.attr_set = kMountAttrRdonly;
  if (syscall(SYS_mount_setattr, AT_FDCWD, target.c_str(), AT_RECURSIVE, &attr, sizeof attr) == 0)
    return true;
  if (errno != ENOSYS && errno != EINVAL && errno != E2BIG)
    return fail_errno(err, "cannot make " + target + " read-only");
#endif
  struct statvfs sv;
  if (statvfs(target.c_str(), &sv) != 0) return fail_errno(err, "statvfs " + target);
  unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | statvfs_to_mount_flags(sv.f_flag);
  if (mount(nullptr, target.c_str(), nullptr, flags, nullptr) != 0)
    return fail_errno(err, "cannot remount " + target + " read-only");
  return true;
}

// Adds flags (MS_NODEV, MS_NOSUID, MS_RDONLY) to the bind mount at target, keeping the
// flags it has (a bind remount must restate the locked ones).
bool restrict_mount(const std::string& target, unsigned long add, std::string* err) {
  struct statvfs sv;
  if (statvfs(target.c_str(), &sv) != 0) return fail_errno(err, "statvfs " + target);
  unsigned long flags = MS_REMOUNT | MS_BIND | add | statvfs_to_mount_flags(sv.f_flag);
  if (mount(nullptr, target.c_str(), nullptr, flags, nullptr) != 0)
    return fail_errno(err, "cannot restrict the mount " + target);
  return true;
}

// The sandbox's /proc is a fresh procfs of its pid namespace, but some of its files act on
// or show the whole machine. As Docker and runc do: the kernel's tunables and triggers
// (/proc/sys, /proc/sysrq-trigger, /proc/irq, /proc/bus, /proc/fs) become read-only, and
// what exposes kernel memory, the kernel log or keys is hidden (an empty file or dir).
// In a user namespace the kernel refuses most of it anyway (the files belong to the host's
// root); a tracer run as real root, without one, relies on this.
bool harden_proc(const std::string& proc, std::string* err) {
  for (const char* ro : {"sys", "sysrq-trigger", "irq", "bus", "fs"}) {
    std::string p = proc + "/" + ro;
    if (!exists_nofollow(p)) continue;
    if (mount(p.c_str(), p.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      return fail_errno(err, "cannot protect /proc/" + std::string(ro));
    if (!restrict_mount(p, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, err)) return false;
  }
  std::string null_dev = std::string(kOld) + "/dev/null";
  for (const char* hide : {"kcore", "kmsg", "kallsyms", "keys", "key-users", "timer_list",
                           "sched_debug", "latency_stats", "kpagecount", "kpageflags",
                           "kpagecgroup", "config.gz", "acpi", "scsi"}) {
    std::string p = proc + "/" + hide;
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) continue;
    int rc = S_ISDIR(st.st_mode)
                 ? mount("det-masked", p.c_str(), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555")
                 : mount(null_dev.c_str(), p.c_str(), nullptr, MS_BIND, nullptr);
    if (rc != 0) return fail_errno(err, "cannot hide /proc/" + std::string(hide));
  }
  return true;
}

// det's machine-wide /proc files mounted read-only over the real ones (cfg.proc_files), so
// that every path reaching them shows det's content: the open handler (policy/procfs.cc)
// recognises /proc/cpuinfo and its spellings, not a symlink to it, /proc/self/root/proc/...
// or a link to /proc itself. Written to `stage` (a directory on the scratch tmpfs, which
// the bind mounts keep alive after it is detached). A file this kernel's /proc lacks is
// skipped.
bool overlay_proc_files(const std::string& proc, const std::string& stage,
                        const std::vector<std::pair<std::string, std::string>>& files, std::string* err) {
  if (files.empty()) return true;
  if (mkdir(stage.c_str(), 0755) != 0) return fail_errno(err, "mkdir " + stage);
  int k = 0;
  for (const auto& f : files) {
    std::string target = proc + "/" + f.first;
    struct stat st;
    if (lstat(target.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    std::string src = stage + "/" + std::to_string(k++);
    int fd = open(src.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0) return fail_errno(err, "create " + src);
    ssize_t n = write(fd, f.second.data(), f.second.size());
    close(fd);
    if (n != static_cast<ssize_t>(f.second.size())) return fail(err, "cannot write " + src);
    if (mount(src.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
      return fail_errno(err, "cannot mount det's /proc/" + f.first);
    if (!make_readonly(target, err)) return false;
  }
  return true;
}

bool bind_mount(const std::string& src, const std::string& dst, bool readonly, std::string* err,
                const std::string& what) {
  if (mount(src.c_str(), dst.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return fail_errno(err, what);
  if (readonly) return make_readonly(dst, err);
  return true;
}

bool mount_tmpfs(const std::string& dst, const char* name, const char* mode, unsigned long flags,
                 std::string* err, const std::string& what) {
  std::string opts = std::string("mode=") + mode;
  if (mount(name, dst.c_str(), "tmpfs", flags, opts.c_str()) != 0) return fail_errno(err, what);
  return true;
}

void set_times(const std::string& p, int64_t epoch) {
  struct timespec ts[2];
  ts[0].tv_sec = ts[1].tv_sec = (time_t)epoch;
  ts[0].tv_nsec = ts[1].tv_nsec = 0;
  utimensat(AT_FDCWD, p.c_str(), ts, AT_SYMLINK_NOFOLLOW);
}

bool copy_regular(const std::string& src, const std::string& dst, mode_t mode, std::string* err) {
  int in = open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return fail_errno(err, "root skeleton: cannot read " + src);
  int out = open(dst.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode & 07777);
  if (out < 0) {
    int e = errno;
    close(in);
    return fail_errno(err, "root skeleton: cannot create " + dst, e);
  }
  char buf[65536];
  ssize_t n;
  bool ok = true;
  int e = 0;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    char* p = buf;
    while (n > 0) {
      ssize_t w = write(out, p, (size_t)n);
      if (w < 0) {
        if (errno == EINTR) continue;
        ok = false;
        e = errno;
        break;
      }
      p += w;
      n -= w;
    }
    if (!ok) break;
  }
  if (n < 0) {
    ok = false;
    e = errno;
  }
  fchmod(out, mode & 07777);  // not subject to the umask
  close(in);
  close(out);
  if (!ok) return fail_errno(err, "root skeleton: cannot copy " + src, e);
  return true;
}

// Copy the skeleton tree src into dst (which exists). Directories, regular files and
// symlinks; `.keep` files (placeholders that keep empty directories in git) and the
// top-level README.md are skipped. Times are set to `epoch` so the container's own files
// look the same in every run.
bool copy_tree(const std::string& src, const std::string& dst, bool top, int64_t epoch,
               std::string* err) {
  DIR* d = opendir(src.c_str());
  if (!d) return fail_errno(err, "root skeleton: cannot read " + src);
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == ".." || n == ".keep") continue;
    if (top && n == "README.md") continue;
    names.push_back(n);
  }
  closedir(d);
  for (const std::string& n : names) {
    std::string s = src + "/" + n, t = dst + "/" + n;
    struct stat st;
    if (lstat(s.c_str(), &st) != 0) return fail_errno(err, "root skeleton: " + s);
    if (S_ISDIR(st.st_mode)) {
      if (!ensure_dir(t, 0755, err, "root skeleton: cannot create " + t)) return false;
      if (!copy_tree(s, t, false, epoch, err)) return false;
      chmod(t.c_str(), st.st_mode & 07777);
    } else if (S_ISREG(st.st_mode)) {
      if (!copy_regular(s, t, st.st_mode, err)) return false;
    } else if (S_ISLNK(st.st_mode)) {
      char buf[PATH_MAX];
      ssize_t len = readlink(s.c_str(), buf, sizeof buf - 1);
      if (len < 0) return fail_errno(err, "root skeleton: readlink " + s);
      buf[len] = 0;
      if (symlink(buf, t.c_str()) != 0) return fail_errno(err, "root skeleton: symlink " + t);
    } else {
      continue;  // sockets, fifos, devices: never part of a skeleton
    }
    set_times(t, epoch);
  }
  set_times(dst, epoch);
  return true;
}

// The host's system directories that make up the default container's software.
const char* const kHostSystemDirs[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"};

// Individual host /etc entries bound read-only into the default container, each only when
// the skeleton does not provide it and the host has it. They describe the host's /usr (the
// software we borrow), not the host machine, so they are as fixed as /usr itself:
//   alternatives        Debian's alternatives symlinks: /usr/bin/cc, c++, awk, editor... point
//                       through /etc/alternatives; without it cc/c++ do not exist.
//   ld.so.cache         the dynamic loader's library cache; libraries in directories named
//   ld.so.conf(.d)      only by ld.so.conf.d (not the built-in default paths) need it.
//   ssl                 OpenSSL's openssl.cnf (/usr/lib/ssl/openssl.cnf links here) and the CA
//                       certificates; python's ssl, git, curl read them even with no network.
//   perl                Debian's perl has /etc/perl first in @INC (site configuration modules).
//   python3, python3.N  Debian's python reads sitecustomize.py from /etc/python3.N.
//   protocols, services netbase data for getprotobyname()/getservbyname() (perl, python).
//   os-release          identifies the distribution of /usr; build systems read it.
// Deliberately absent: localtime/timezone (TZ=UTC; no host zone), machine-id, hostname,
// resolv.conf, gitconfig, environment/profile (host-specific configuration).
const char* const kHostEtcEntries[] = {"alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
                                       "ssl",          "perl",        "protocols",  "services",
                                       "os-release"};

bool bind_etc_entry(const std::string& name, std::string* err) {
  std::string host = std::string(kOld) + "/etc/" + name;
  std::string target = std::string(kNew) + "/etc/" + name;
  if (exists_nofollow(target)) return true;  // the skeleton's own version wins
  struct stat st;
  if (stat(host.c_str(), &st) != 0) return true;  // host lacks it (or dangling): skip
  if (S_ISDIR(st.st_mode)) {
    if (!ensure_dir(target, 0755, err, "cannot create /etc/" + name)) return false;
  } else if (S_ISREG(st.st_mode)) {
    if (!ensure_file(target, err, "cannot create /etc/" + name)) return false;
  } else {
    return true;
  }
  return bind_mount(host, target, true, err, "cannot bind the host's /etc/" + name);
}

bool bind_etc_python(std::string* err) {
  DIR* d = opendir((std::string(kOld) + "/etc").c_str());
  if (!d) return true;
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "python3" || (n.rfind("python3.", 0) == 0 && n.size() > 8)) names.push_back(n);
  }
  closedir(d);
  for (const std::string& n : names)
    if (!bind_etc_entry(n, err)) return false;
  return true;
}

bool build_default_root(const Resolved& r, const SandboxConfig& cfg, std::string* err) {
  if (!ensure_dir(kNew, 0755, err, "cannot create the container root")) return false;
  if (!mount_tmpfs(kNew, "det-root", "0755", MS_NOSUID | MS_NODEV, err,
                   "cannot mount the container's root tmpfs"))
    return false;
  if (!copy_tree(std::string(kOld) + r.skel, kNew, true, cfg.epoch, err)) return false;

  for (const char* d : kHostSystemDirs) {
    std::string host = std::string(kOld) + "/" + d;
    std::string target = std::string(kNew) + "/" + d;
    struct stat st;
    if (lstat(host.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      // merged /usr: /bin -> usr/bin etc.; recreate the same symlink.
      char buf[PATH_MAX];
      ssize_t len = readlink(host.c_str(), buf, sizeof buf - 1);
      if (len < 0) return fail_errno(err, std::string("readlink /") + d);
      buf[len] = 0;
      if (exists_nofollow(target)) continue;
      if (symlink(buf, target.c_str()) != 0)
        return fail_errno(err, std::string("cannot create the symlink /") + d);
      set_times(target, cfg.epoch);
    } else if (S_ISDIR(st.st_mode)) {
      if (!ensure_dir(target, 0755, err, std::string("cannot create /") + d)) return false;
      if (!bind_mount(host, target, true, err, std::string("cannot bind the host's /") + d))
        return false;
    }
  }

  if (!ensure_dir(std::string(kNew) + "/etc", 0755, err, "cannot create /etc")) return false;
  for (const char* e : kHostEtcEntries)
    if (!bind_etc_entry(e, err)) return false;
  if (!bind_etc_python(err)) return false;
  set_times(std::string(kNew) + "/etc", cfg.epoch);

  std::string run = std::string(kNew) + "/run";
  if (!ensure_dir(run, 0755, err, "cannot create /run")) return false;
  if (!mount_tmpfs(run, "det-run", "0755", MS_NOSUID | MS_NODEV, err, "cannot mount /run"))
    return false;
  set_times(kNew, cfg.epoch);
  return true;
}

bool build_chroot_root(const Resolved& r, const SandboxConfig& cfg, std::string* err) {
  std::string host = std::string(kOld) + r.chroot;
  if (!ensure_dir(kNew, 0755, err, "cannot create the container root")) return false;
  if (!bind_mount(host, kNew, false, err, "--chroot " + cfg.chroot + ": cannot bind-mount it"))
    return false;
  std::string n = kNew;
  if (!exists_nofollow(n + "/bin/sh") && !exists_nofollow(n + "/usr/bin/sh"))
    return fail(err, "--chroot " + cfg.chroot + ": not a Linux root file system (no /bin/sh)");
  return true;
}

bool build_dev(std::string* err) {
  std::string dev = std::string(kNew) + "/dev";
  if (!ensure_dir(dev, 0755, err, "cannot create /dev")) return false;
  if (!mount_tmpfs(dev, "det-dev", "0755", MS_NOSUID | MS_NOEXEC, err, "cannot mount /dev"))
    return false;
  for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
    std::string host = std::string(kOld) + "/dev/" + node;
    std::string target = dev + "/" + node;
    struct stat st;
    if (stat(host.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) {
      if (std::string(node) == "tty") continue;  // no controlling-tty device: tolerable
      return fail(err, std::string("the host has no /dev/") + node);
    }
    if (!ensure_file(target, err, std::string("cannot create /dev/") + node)) return false;
    if (!bind_mount(host, target, false, err, std::string("cannot bind the host's /dev/") + node))
      return false;
  }
  struct {
    const char* name;
    const char* target;
  } links[] = {{"fd", "/proc/self/fd"},
               {"stdin", "/proc/self/fd/0"},
               {"stdout", "/proc/self/fd/1"},
               {"stderr", "/proc/self/fd/2"}};
  for (auto& l : links)
    if (symlink(l.target, (dev + "/" + l.name).c_str()) != 0)
      return fail_errno(err, std::string("cannot create /dev/") + l.name);

  std::string pts = dev + "/pts";
  if (!ensure_dir(pts, 0755, err, "cannot create /dev/pts")) return false;
  // A private devpts instance: ptys of the sandbox only. Best effort: a build rarely needs
  // a pty, and some hosts refuse devpts inside a user namespace.
  if (mount("devpts", pts.c_str(), "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=0620") == 0)
    symlink("pts/ptmx", (dev + "/ptmx").c_str());

  std::string shm = dev + "/shm";
  if (!ensure_dir(shm, 0755, err, "cannot create /dev/shm")) return false;
  if (!mount_tmpfs(shm, "det-shm", "1777", MS_NOSUID | MS_NODEV, err, "cannot mount /dev/shm"))
    return false;
  chmod(dev.c_str(), 0755);
  return true;
}

bool loopback_up(std::string* err) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return fail_errno(err, "cannot bring up loopback: socket");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
    int e = errno;
    close(s);
    return fail_errno(err, "cannot bring up loopback: SIOCGIFFLAGS lo", e);
  }
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
    int e = errno;
    close(s);
    return fail_errno(err, "cannot bring up loopback: SIOCSIFFLAGS lo", e);
  }
  close(s);
  return true;
}

int pivot_root_(const char* new_root, const char* put_old) {
  return (int)syscall(SYS_pivot_root, new_root, put_old);
}

}  // namespace

SandboxConfig sandbox_config_from(const RunConfig& rc) {
  SandboxConfig c;
  c.chroot = rc.chroot;
  c.root_skel = rc.root_skel;
  c.workdir = rc.workdir;
  if (!rc.hostname.empty()) c.hostname = rc.hostname;
  c.epoch = rc.epoch;
  return c;
}

bool sandbox_check(const SandboxConfig& cfg, std::string* err) {
  Resolved r;
  return check_and_resolve(cfg, &r, err);
}

bool sandbox_unshare(std::string* err) {
  uid_t uid = geteuid();
  gid_t gid = getegid();
  bool user_ns = false;
  auto enter_userns = [&](uid_t u, gid_t g) -> bool {
    if (unshare(CLONE_NEWUSER) != 0) {
      int e = errno;
      if (e == EINVAL)
        return fail(err, "cannot create a user namespace: " + errno_text(e) +
                             " (the tracer is multi-threaded or chrooted)");
      if (e == ENOSPC || e == EUSERS)
        return fail(err, "cannot create a user namespace: " + errno_text(e) +
                             " (user.max_user_namespaces is 0 or its limit is reached)");
      return fail(err, "cannot create a user namespace: " + errno_text(e) + userns_hint());
    }
    int e = 0;
    if (!write_file("/proc/self/setgroups", "deny", &e) && e != ENOENT)
      return fail(err, "cannot write /proc/self/setgroups: " + errno_text(e) + userns_hint());
    if (!write_file("/proc/self/uid_map", "0 " + std::to_string(u) + " 1\n", &e))
      return fail(err, "cannot write /proc/self/uid_map: " + errno_text(e) + userns_hint());
    if (!write_file("/proc/self/gid_map", "0 " + std::to_string(g) + " 1\n", &e))
      return fail(err, "cannot write /proc/self/gid_map: " + errno_text(e) + userns_hint());
    user_ns = true;
    return true;
  };

  if (uid != 0 && !enter_userns(uid, gid)) return false;
  if (unshare(CLONE_NEWPID) != 0) {
    int e = errno;
    // Root without CAP_SYS_ADMIN (e.g. an unprivileged container): a user namespace mapping
    // root to itself gives us the capabilities inside it.
    if (e == EPERM && !user_ns) {
      if (!enter_userns(uid, gid)) return false;
      if (unshare(CLONE_NEWPID) == 0) return true;
      e = errno;
    }
    return fail(err, "cannot create a pid namespace: " + errno_text(e) +
                         (e == EPERM ? " (missing CAP_SYS_ADMIN)" : ""));
  }
  return true;
}

bool sandbox_enter(const SandboxConfig& cfg, std::string* err) {
  Resolved r;
  if (!check_and_resolve(cfg, &r, err)) return false;

  if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) != 0)
    return fail_errno(err, "cannot create mount/uts/ipc/net namespaces");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return fail_errno(err, "cannot make the mount namespace private");

  // First pivot: a scratch tmpfs over an existing directory becomes / and the host's root
  // moves to /oldroot.
  const char* base = nullptr;
  for (const char* c : {"/tmp", "/run", "/mnt", "/var/tmp"})
    if (is_dir(c)) {
      base = c;
      break;
    }
  if (!base) return fail(err, "no directory to mount the sandbox's scratch file system on (/tmp)");
  if (!mount_tmpfs(base, "det-base", "0755", MS_NOSUID | MS_NODEV, err,
                   std::string("cannot mount a tmpfs on ") + base))
    return false;
  if (chdir(base) != 0) return fail_errno(err, std::string("chdir ") + base);
  if (mkdir("oldroot", 0755) != 0) return fail_errno(err, "mkdir oldroot");
  if (mkdir("newroot", 0755) != 0) return fail_errno(err, "mkdir newroot");
  if (pivot_root_(".", "oldroot") != 0) return fail_errno(err, "pivot_root into the sandbox");
  if (chdir("/") != 0) return fail_errno(err, "chdir /");

  // The container's root file system.
  if (r.chroot.empty()) {
    if (!build_default_root(r, cfg, err)) return false;
  } else {
    if (!build_chroot_root(r, cfg, err)) return false;
  }
  std::string n = kNew;
  std::string what_root = r.chroot.empty() ? std::string("the container") : "--chroot " + cfg.chroot;

  // /build: the work dir, read-write.
  if (!ensure_dir(n + "/build", 0755, err, what_root + ": cannot create /build")) return false;
  if (!bind_mount(std::string(kOld) + r.workdir, n + "/build", false, err,
                  "--workdir " + cfg.workdir + ": cannot bind-mount it at /build"))
    return false;
  // No device node or set-uid file in the work dir does anything inside the sandbox.
  if (!restrict_mount(n + "/build", MS_NODEV | MS_NOSUID, err)) return false;

  // /proc: a fresh procfs of our pid namespace. Must happen while the host's /proc is still
  // visible (/oldroot/proc): inside a user namespace the kernel only allows a proc mount
  // when an unobstructed one is already visible in the mount namespace.
  if (!ensure_dir(n + "/proc", 0555, err, what_root + ": cannot create /proc")) return false;
  if (mount("proc", (n + "/proc").c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    int e = errno;
    if (e == EPERM && !in_initial_userns())
      return fail(err, "cannot mount /proc: " + errno_text(e) +
                           " (in a user namespace the kernel refuses a new proc while parts of the host's "
                           "/proc are hidden by over-mounts, as in a default Docker container; run as "
                           "real root or in a privileged container)");
    return fail_errno(err, "cannot mount /proc", e);
  }
  if (!harden_proc(n + "/proc", err)) return false;
  if (!overlay_proc_files(n + "/proc", "/det-proc-files", cfg.proc_files, err)) return false;

  if (!build_dev(err)) return false;

  if (!ensure_dir(n + "/tmp", 01777, err, what_root + ": cannot create /tmp")) return false;
  if (!mount_tmpfs(n + "/tmp", "det-tmp", "1777", MS_NOSUID | MS_NODEV, err, "cannot mount /tmp"))
    return false;

  // Second pivot: /newroot becomes /, the old root (the scratch tmpfs with the host under
  // it) is stacked on top and detached.
  if (chdir(kNew) != 0) return fail_errno(err, "chdir into the container root");
  if (pivot_root_(".", ".") != 0) return fail_errno(err, "pivot_root into the container");
  if (umount2(".", MNT_DETACH) != 0) return fail_errno(err, "cannot detach the host's root");
  if (chdir("/") != 0) return fail_errno(err, "chdir /");

  if (sethostname(cfg.hostname.data(), cfg.hostname.size()) != 0)
    return fail_errno(err, "sethostname " + cfg.hostname);
  if (setdomainname(cfg.domainname.data(), cfg.domainname.size()) != 0)
    return fail_errno(err, "setdomainname " + cfg.domainname);
  if (!loopback_up(err)) return false;
  // The fixed machine's resource limits (policy/machine.h), inherited by the command.
  machine::apply_rlimits();

  if (chdir("/build") != 0) return fail_errno(err, "chdir /build");
  return true;
}

}  // namespace det
