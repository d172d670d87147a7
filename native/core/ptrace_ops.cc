#include "core/ptrace_ops.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

namespace det {

bool get_regs(pid_t tid, Regs* r) { return ptrace(PTRACE_GETREGS, tid, nullptr, r) == 0; }
bool set_regs(pid_t tid, const Regs& r) { return ptrace(PTRACE_SETREGS, tid, nullptr, &r) == 0; }

CodeMem::~CodeMem() {
  if (fd_ >= 0) close(fd_);
}

bool CodeMem::open_file() {
  if (fd_ >= 0) return true;
  if (failed_) return false;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", tid_);
  fd_ = open(path, O_RDWR | O_CLOEXEC);
  failed_ = fd_ < 0;
  return !failed_;
}

ssize_t CodeMem::transfer(uint64_t addr, void* buf, size_t len, bool write) {
  if (!open_file()) return -1;
  return write ? pwrite(fd_, buf, len, static_cast<off_t>(addr)) : pread(fd_, buf, len, static_cast<off_t>(addr));
}

bool CodeMem::read(uint64_t addr, void* buf, size_t len) {
  return transfer(addr, buf, len, false) == static_cast<ssize_t>(len);
}

bool CodeMem::write(uint64_t addr, const void* buf, size_t len) {
  return transfer(addr, const_cast<void*>(buf), len, true) == static_cast<ssize_t>(len);
}

// One access through /proc/<tid>/mem, opened for it alone.
static ssize_t proc_mem_io(pid_t tid, uint64_t addr, void* buf, size_t len, bool write) {
  return CodeMem(tid).transfer(addr, buf, len, write);
}

ssize_t read_mem(pid_t tid, uint64_t addr, void* buf, size_t len) {
  iovec local{buf, len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
  if (n == static_cast<ssize_t>(len)) return n;
  return proc_mem_io(tid, addr, buf, len, false);
}

ssize_t write_mem(pid_t tid, uint64_t addr, const void* buf, size_t len) {
  iovec local{const_cast<void*>(buf), len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_writev(tid, &local, 1, &remote, 1, 0);
  if (n == static_cast<ssize_t>(len)) return n;
  return proc_mem_io(tid, addr, const_cast<void*>(buf), len, true);
}

bool put_user(pid_t tid, uint64_t addr, const void* buf, size_t len) {
  if (!addr) return false;
  iovec local{const_cast<void*>(buf), len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  return process_vm_writev(tid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(len);
}

bool get_user(pid_t tid, uint64_t addr, void* buf, size_t len) {
  if (!addr) return false;
  iovec local{buf, len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  return process_vm_readv(tid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(len);
}

bool read_u32(pid_t tid, uint64_t addr, uint32_t* v) { return read_mem(tid, addr, v, 4) == 4; }
bool write_u32(pid_t tid, uint64_t addr, uint32_t v) { return write_mem(tid, addr, &v, 4) == 4; }

bool read_cstr(pid_t tid, uint64_t addr, std::string* out, size_t max) {
  out->clear();
  char chunk[256];
  while (out->size() < max) {
    // Never read across a page boundary in one go: the next page may be unmapped.
    size_t to_page_end = 4096 - (addr & 4095);
    size_t n = to_page_end < sizeof chunk ? to_page_end : sizeof chunk;
    ssize_t got = read_mem(tid, addr, chunk, n);
    if (got <= 0) return false;
    for (ssize_t i = 0; i < got; ++i) {
      if (chunk[i] == 0) return true;
      out->push_back(chunk[i]);
    }
    addr += static_cast<uint64_t>(got);
  }
  return true;
}

bool resume_cont(pid_t tid, int sig) {
  return ptrace(PTRACE_CONT, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig))) == 0;
}
bool resume_syscall(pid_t tid, int sig) {
  return ptrace(PTRACE_SYSCALL, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig))) == 0;
}

int open_pidfd(pid_t tgid) { return static_cast<int>(syscall(SYS_pidfd_open, tgid, 0)); }

int grab_fd(int pidfd, int fd) {
  if (pidfd < 0) return -1;
  return static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, fd, 0));
}

int grab_fd(int pidfd, pid_t tid, int fd) {
  int local = grab_fd(pidfd, fd);
  if (local >= 0 || errno == EBADF) return local;
  // pidfd_getfd reads the file table of the pidfd's task, the thread-group leader; once the
  // leader has exited (pthread_exit in main while other threads run) it fails. A pidfd of
  // the calling thread itself reaches the same table (PIDFD_THREAD, Linux 6.9; before
  // that the call is left to the kernel as when no copy can be had).
  constexpr unsigned kPidfdThread = O_EXCL;
  int tfd = static_cast<int>(syscall(SYS_pidfd_open, tid, kPidfdThread));
  if (tfd < 0) return -1;
  local = static_cast<int>(syscall(SYS_pidfd_getfd, tfd, fd, 0));
  int e = errno;
  close(tfd);
  errno = e;
  return local;
}

}  // namespace det
