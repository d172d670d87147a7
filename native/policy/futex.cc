// futex, emulated. No tracee ever sleeps in the kernel, so the kernel's own wait queues
// would stay empty and its wakes would reach nobody: det keeps the queues (scheduler.h)
// and answers every operation itself, in the order the scheduler runs the threads.
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <linux/futex.h>
#include <vector>

#include "core/tracer.h"

namespace det {
namespace {

constexpr int64_t kNsPerSec = 1000000000LL;

// The queue key: (tgid, address) for memory private to a process; for a shared mapping,
// the backing object and offset, so processes sharing it meet on the same key.
void futex_key(SysCtx& c, uint64_t addr, bool priv, uint64_t* a, uint64_t* b) {
  *a = static_cast<uint64_t>(c.t.proc->tgid);
  *b = addr;
  if (priv) return;
  std::vector<MapLine> maps;  // read now: mappings change after exec (mmap of shared memory)
  if (!read_proc_maps(c.t.proc->tgid, &maps)) return;
  for (const MapLine& m : maps) {
    if (addr < m.start || addr >= m.end) continue;
    unsigned maj, min;
    if (m.perms.size() > 3 && m.perms[3] == 's' && sscanf(m.dev.c_str(), "%x:%x", &maj, &min) == 2) {
      *a = (1ULL << 63) | (static_cast<uint64_t>(maj) << 52) | (static_cast<uint64_t>(min) << 32) | m.ino;
      *b = m.off + (addr - m.start);
    }
    break;
  }
}

bool futex_op_cmp(uint32_t oldval, uint32_t encoded) {
  int cmp = (encoded >> 24) & 15;
  uint32_t arg = encoded & 0xfff;
  int32_t o = static_cast<int32_t>(oldval);
  int32_t a = static_cast<int32_t>(arg);
  switch (cmp) {
    case FUTEX_OP_CMP_EQ: return o == a;
    case FUTEX_OP_CMP_NE: return o != a;
    case FUTEX_OP_CMP_LT: return o < a;
    case FUTEX_OP_CMP_LE: return o <= a;
    case FUTEX_OP_CMP_GT: return o > a;
    case FUTEX_OP_CMP_GE: return o >= a;
  }
  return false;
}

uint32_t futex_op_apply(uint32_t oldval, uint32_t encoded) {
  int op = (encoded >> 28) & 7;
  uint32_t oparg = (encoded >> 12) & 0xfff;
  if ((encoded >> 28) & 8) oparg = 1u << (oparg & 31);  // FUTEX_OP_OPARG_SHIFT
  switch (op) {
    case FUTEX_OP_SET: return oparg;
    case FUTEX_OP_ADD: return oldval + oparg;
    case FUTEX_OP_OR: return oldval | oparg;
    case FUTEX_OP_ANDN: return oldval & ~oparg;
    case FUTEX_OP_XOR: return oldval ^ oparg;
  }
  return oldval;
}

// A futex word is a u32: the kernel refuses an address that is not 4-byte aligned (EINVAL)
// before it touches memory.
bool misaligned(uint64_t addr) { return (addr & 3) != 0; }

Verdict on_futex(SysCtx& c) {
  uint64_t uaddr = c.arg(0);
  int op = static_cast<int>(c.arg(1));
  int cmd = op & FUTEX_CMD_MASK;
  bool priv = op & FUTEX_PRIVATE_FLAG;
  uint32_t val = static_cast<uint32_t>(c.arg(2));
  uint64_t ka, kb;
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      if (c.retry) {
        if (c.t.futex_woken) return c.emulate(0);
        if (c.signal_wake) return c.emulate(-EINTR);
        if (c.timed_out) return c.emulate(-ETIMEDOUT);
      }
      // The kernel's order of checks: the timeout, the bitset, the address, the value.
      Block b;
      b.kind = BlockKind::Futex;
      if (c.arg(3)) {
        int64_t ts[2];
        if (read_mem(c.t.tid, c.arg(3), ts, sizeof ts) != sizeof ts) return c.emulate(-EFAULT);
        if (ts[0] < 0 || ts[1] < 0 || ts[1] >= kNsPerSec) return c.emulate(-EINVAL);
        int64_t ns = ts[0] * kNsPerSec + ts[1];
        int64_t now = c.tr.sched().now();
        if (cmd == FUTEX_WAIT) {
          b.deadline = now + ns;
        } else {  // absolute, on CLOCK_MONOTONIC or (FUTEX_CLOCK_REALTIME) CLOCK_REALTIME
          int64_t clock_now = (op & FUTEX_CLOCK_REALTIME) ? c.tr.realtime_ns() : c.tr.monotonic_ns();
          b.deadline = now + (ns - clock_now);
        }
      }
      uint32_t bitset = cmd == FUTEX_WAIT_BITSET ? static_cast<uint32_t>(c.arg(5)) : ~0u;
      if (!bitset) return c.emulate(-EINVAL);
      if (misaligned(uaddr)) return c.emulate(-EINVAL);
      uint32_t cur;
      if (!read_u32(c.t.tid, uaddr, &cur)) return c.emulate(-EFAULT);
      if (cur != val) return c.emulate(-EAGAIN);
      if (b.deadline >= 0 && b.deadline <= c.tr.sched().now()) return c.emulate(-ETIMEDOUT);
      futex_key(c, uaddr, priv, &ka, &kb);
      b.futex_a = ka;
      b.futex_b = kb;
      b.futex_bitset = bitset;
      return c.block(b);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      uint32_t bitset = cmd == FUTEX_WAKE_BITSET ? static_cast<uint32_t>(c.arg(5)) : ~0u;
      if (!bitset || misaligned(uaddr)) return c.emulate(-EINVAL);
      futex_key(c, uaddr, priv, &ka, &kb);
      int n = val > INT_MAX ? INT_MAX : static_cast<int>(val);
      return c.emulate(c.tr.sched().futex_wake(ka, kb, n, bitset));
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      if (misaligned(uaddr) || misaligned(c.arg(4)) || static_cast<int>(c.arg(3)) < 0 ||
          static_cast<int>(val) < 0)
        return c.emulate(-EINVAL);
      if (cmd == FUTEX_CMP_REQUEUE) {
        uint32_t cur;
        if (!read_u32(c.t.tid, uaddr, &cur)) return c.emulate(-EFAULT);
        if (cur != static_cast<uint32_t>(c.arg(5))) return c.emulate(-EAGAIN);
      }
      uint64_t ka2, kb2;
      futex_key(c, uaddr, priv, &ka, &kb);
      futex_key(c, c.arg(4), priv, &ka2, &kb2);
      int n = val > INT_MAX ? INT_MAX : static_cast<int>(val);
      int woken = c.tr.sched().futex_wake(ka, kb, n, ~0u);
      int moved = c.tr.sched().futex_requeue(ka, kb, ka2, kb2, static_cast<int>(c.arg(3)));
      return c.emulate(cmd == FUTEX_CMP_REQUEUE ? woken + moved : woken);
    }
    case FUTEX_WAKE_OP: {
      uint64_t uaddr2 = c.arg(4);
      uint32_t encoded = static_cast<uint32_t>(c.arg(5));
      if (misaligned(uaddr) || misaligned(uaddr2)) return c.emulate(-EINVAL);
      uint32_t oldval;
      if (!read_u32(c.t.tid, uaddr2, &oldval)) return c.emulate(-EFAULT);
      if (!write_u32(c.t.tid, uaddr2, futex_op_apply(oldval, encoded))) return c.emulate(-EFAULT);
      uint64_t ka2, kb2;
      futex_key(c, uaddr, priv, &ka, &kb);
      futex_key(c, uaddr2, priv, &ka2, &kb2);
      int n = val > INT_MAX ? INT_MAX : static_cast<int>(val);
      int woken = c.tr.sched().futex_wake(ka, kb, n, ~0u);
      if (futex_op_cmp(oldval, encoded)) woken += c.tr.sched().futex_wake(ka2, kb2, static_cast<int>(c.arg(3)), ~0u);
      return c.emulate(woken);
    }
    default: {
      // Priority-inheritance futexes would sleep in the kernel: refused and recorded.
      auto& u = c.tr.stats().unsupported["futex(op " + std::to_string(cmd) + ")"];
      if (u.count++ == 0) u.pid = c.t.proc->ns_pid;
      if (c.tr.config().strict) {
        c.tr.refuse("refused: the command used a priority-inheritance futex, which det cannot determinize (--strict)");
      }
      return c.emulate(-ENOSYS);
    }
  }
}

const bool registered = register_handler("futex", on_futex);

}  // namespace
}  // namespace det
