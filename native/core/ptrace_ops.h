// The ptrace mechanism: registers, tracee memory, resuming. No policy lives here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <sys/user.h>

namespace det {

using Regs = user_regs_struct;

// Syscall arguments in x86-64 register order.
inline uint64_t sys_arg(const Regs& r, int i) {
  switch (i) {
    case 0: return r.rdi;
    case 1: return r.rsi;
    case 2: return r.rdx;
    case 3: return r.r10;
    case 4: return r.r8;
    default: return r.r9;
  }
}
inline void set_sys_arg(Regs& r, int i, uint64_t v) {
  switch (i) {
    case 0: r.rdi = v; break;
    case 1: r.rsi = v; break;
    case 2: r.rdx = v; break;
    case 3: r.r10 = v; break;
    case 4: r.r8 = v; break;
    default: r.r9 = v; break;
  }
}

bool get_regs(pid_t tid, Regs* r);
bool set_regs(pid_t tid, const Regs& r);

// Reads/writes tracee memory: process_vm_readv/writev first (one syscall, no per-word
// cost), /proc/<tid>/mem as the fallback (it can write read-only pages, as ptrace can).
// Return the number of bytes transferred, -1 on error.
ssize_t read_mem(pid_t tid, uint64_t addr, void* buf, size_t len);
ssize_t write_mem(pid_t tid, uint64_t addr, const void* buf, size_t len);
// The tracee's /proc/<tid>/mem held open for a series of accesses to its read-only code
// (the patches made at exec): one open for all of them, where each write_mem would first
// fail in process_vm_writev (read-only pages) and then open the file for that one write.
class CodeMem {
 public:
  explicit CodeMem(pid_t tid) : tid_(tid) {}
  ~CodeMem();
  CodeMem(const CodeMem&) = delete;
  CodeMem& operator=(const CodeMem&) = delete;
  // All `len` bytes or false.
  bool read(uint64_t addr, void* buf, size_t len);
  bool write(uint64_t addr, const void* buf, size_t len);
  // pread/pwrite's answer: bytes transferred, or -1.
  ssize_t transfer(uint64_t addr, void* buf, size_t len, bool write);

 private:
  bool open_file();
  pid_t tid_;
  int fd_ = -1;
  bool failed_ = false;
};

// Tracee memory as copy_to_user/copy_from_user see it: process_vm_* only, so a read-only or
// unmapped buffer fails (the caller answers EFAULT, as the kernel would), where write_mem's
// /proc/<pid>/mem fallback would write through the protection. False also for address 0.
bool put_user(pid_t tid, uint64_t addr, const void* buf, size_t len);
bool get_user(pid_t tid, uint64_t addr, void* buf, size_t len);
bool read_u32(pid_t tid, uint64_t addr, uint32_t* v);
bool write_u32(pid_t tid, uint64_t addr, uint32_t v);
// Reads a NUL-terminated string of at most max bytes; false on a fault.
bool read_cstr(pid_t tid, uint64_t addr, std::string* out, size_t max = 4096);

// Resume a stopped tracee. sig: signal to inject (0: none).
bool resume_cont(pid_t tid, int sig = 0);
bool resume_syscall(pid_t tid, int sig = 0);  // stop again at the syscall's exit

// Duplicates a tracee's descriptor into the tracer through the process's pidfd
// (pidfd_getfd): the copy shares the open file description, so its status flags are the
// tracee's. -1 on error.
int grab_fd(int pidfd, int fd);
// The same for a descriptor of thread `tid` of that group, also after the leader exited.
int grab_fd(int pidfd, pid_t tid, int fd);
int open_pidfd(pid_t tgid);

// The length of the syscall instruction (0f 05): rewinding rip by it re-issues the call.
constexpr uint64_t kSyscallInsnLen = 2;

}  // namespace det
