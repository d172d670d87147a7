#include "core/seccomp_filter.h"

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <linux/audit.h>
#include <stdexcept>
#include <string>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/syscall_table.h"

namespace det {
namespace {

struct Range {  // [lo, hi] share one verdict
  unsigned lo, hi;
  bool allow;
  bool notify;  // a Notify entry, with user notification in use: notify unless arg 5 says trace
  const StopCondition* cond;  // stop only for its values, or fail in the filter (one number per range)
};

sock_filter stmt(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return BPF_JUMP(code, k, jt, jf); }

// Emits a binary search over the ranges [a, b): each leaf returns its verdict. Long jumps
// (BPF_JA has a 32-bit offset) keep the tree valid whatever its size.
void emit_tree(std::vector<sock_filter>& out, const std::vector<Range>& r, size_t a, size_t b) {
  if (b - a == 1 && r[a].cond && r[a].cond->fail_errno) {
    out.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (static_cast<uint32_t>(r[a].cond->fail_errno) & SECCOMP_RET_DATA)));
    return;
  }
  if (b - a == 1 && r[a].cond) {
    // if arg == v0 or arg == v1: trace, else allow
    const StopCondition& c = *r[a].cond;
    out.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args) + 8 * c.arg));
    out.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, c.values[0], 2, 0));
    out.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, c.values[1], 1, 0));
    out.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    out.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
    return;
  }
  if (b - a == 1 && r[a].notify) {
    // if args[5] == kNotifyBypass: trace, else notify (little-endian halves)
    constexpr uint32_t at = offsetof(seccomp_data, args) + 8 * 5;
    out.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, at));
    out.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(kNotifyBypass), 0, 3));
    out.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, at + 4));
    out.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(kNotifyBypass >> 32), 0, 1));
    out.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
    out.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
    return;
  }
  if (b - a == 1) {
    out.push_back(stmt(BPF_RET | BPF_K, r[a].allow ? SECCOMP_RET_ALLOW : SECCOMP_RET_TRACE));
    return;
  }
  size_t mid = a + (b - a) / 2;
  // if nr >= r[mid].lo goto right (skip the next instruction, the long jump to the left)
  out.push_back(jump(BPF_JMP | BPF_JGE | BPF_K, r[mid].lo, 1, 0));
  size_t ja = out.size();
  out.push_back(stmt(BPF_JMP | BPF_JA, 0));  // patched: to the left subtree
  size_t right_start = out.size();
  emit_tree(out, r, mid, b);
  out[ja].k = static_cast<uint32_t>(out.size() - right_start);
  emit_tree(out, r, a, mid);
}

std::vector<sock_filter> build_filter(bool notify) {
  // Verdict per number, then merged into ranges.
  std::vector<Range> ranges;
  for (unsigned nr = 0; nr < kSyscallLimit; ++nr) {
    const SyscallEntry* e = syscall_entry(nr);
    bool allow = e && e->action == Action::Allow;
    bool notified = notify && e && e->action == Action::Notify;
    const StopCondition* cond = stop_condition(nr);
    if (cond && e->action != Action::Trace)
      throw std::logic_error(std::string("syscall_stops.def: ") + e->name + " is not a Trace entry");
    if (!cond && !notified && !ranges.empty() && !ranges.back().cond && !ranges.back().notify &&
        ranges.back().allow == allow && ranges.back().hi + 1 == nr) {
      ranges.back().hi = nr;
    } else {
      ranges.push_back({nr, nr, allow, notified, cond});
    }
  }
  ranges.back().hi = 0xffffffffu;  // numbers past the table: traced, recorded as unknown

  std::vector<sock_filter> out;
  out.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  // Foreign ABI (i386 via int 0x80): SIGSYS, which the tracer records and refuses.
  out.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
  out.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_TRAP | kForeignAbiData));
  out.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  // x32 numbers carry bit 30 (seen in orig_rax): traced, recorded as unknown.
  out.push_back(jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1));
  out.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
  emit_tree(out, ranges, 0, ranges.size());
  return out;
}

}  // namespace

std::vector<sock_filter> build_seccomp_filter(bool notify) {
  for (const StopCondition& c : stop_conditions()) {  // a name the table does not know
    bool known = false;
    for (const SyscallEntry& e : syscall_table()) known = known || strcmp(e.name, c.name) == 0;
    if (!known) throw std::logic_error(std::string("syscall_stops.def: unknown syscall ") + c.name);
  }
  return build_filter(notify);
}

bool install_seccomp_filter(const std::vector<sock_filter>& prog, int* err_no, int* listener) {
  sock_fprog fprog;
  fprog.len = static_cast<unsigned short>(prog.size());
  fprog.filter = const_cast<sock_filter*>(prog.data());
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    *err_no = errno;
    return false;
  }
  unsigned long flags = listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV : 0;
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
  if (r < 0) {
    *err_no = errno;
    return false;
  }
  if (listener) *listener = static_cast<int>(r);
  return true;
}

}  // namespace det
