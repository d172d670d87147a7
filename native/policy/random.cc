// Randomness: every random source a program can reach answers from a PRNG seeded by --seed.
//
// The PRNG is ChaCha20 (RFC 8439 block function), one stream per process of the run: the
// key comes from the seed (splitmix64), the nonce from the process's sandbox pid and how
// many processes of the run had that pid before. Threads of a process share its stream and
// consume it in schedule order, which is the same every run. A stream per process (rather
// than one for the run) keeps a process's bytes independent of how much randomness other
// processes used.
//
// Sources:
//   getrandom(2)                any flags (GRND_NONBLOCK/RANDOM/INSECURE): emulated, the
//                               buffer filled from the stream, the full count returned.
//   read/readv/preadv2 on the   the descriptor is checked (pidfd_getfd + fstat: character
//   random devices              device 1:8 or 1:9) at order 50, before blocking.cc's read
//                               handler; reads of other descriptors Pass. pread64/preadv
//                               are not traced (Allow): positioned reads of a random device
//                               are not something programs do.
//   AT_RANDOM                   an exec hook finds the 16 bytes in /proc/<pid>/auxv and
//                               overwrites them before the new program's first instruction:
//                               glibc's stack-protector canary and pointer guard follow.
//   /proc/sys/kernel/random/uuid, boot_id: procfs.cc, from random_uuid() and seed_bytes().
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

#include "core/tracer.h"
#include "policy/machine.h"

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#endif
#ifndef GRND_RANDOM
#define GRND_RANDOM 0x0002
#endif
#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

namespace det {
namespace {

constexpr uint32_t kDomainProcess = 1;
constexpr size_t kMaxRw = 0x7ffff000;  // MAX_RW_COUNT: the most one read returns

uint64_t splitmix64(uint64_t* s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline uint32_t rotl(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

#define QR(a, b, c, d)                                   \
  a += b, d ^= a, d = rotl(d, 16), c += d, b ^= c, b = rotl(b, 12); \
  a += b, d ^= a, d = rotl(d, 8), c += d, b ^= c, b = rotl(b, 7)

class ChaCha20 {
 public:
  ChaCha20(uint64_t seed, uint32_t domain, uint32_t n1, uint32_t n2) {
    uint64_t s = seed;
    uint32_t key[8];
    for (int i = 0; i < 4; ++i) {
      uint64_t v = splitmix64(&s);
      key[2 * i] = static_cast<uint32_t>(v);
      key[2 * i + 1] = static_cast<uint32_t>(v >> 32);
    }
    st_[0] = 0x61707865, st_[1] = 0x3320646e, st_[2] = 0x79622d32, st_[3] = 0x6b206574;
    for (int i = 0; i < 8; ++i) st_[4 + i] = key[i];
    st_[12] = 0;  // block counter
    st_[13] = domain, st_[14] = n1, st_[15] = n2;
  }
  void fill(uint8_t* out, size_t len) {
    while (len) {
      if (pos_ == 64) refill();
      size_t n = 64 - pos_ < len ? 64 - pos_ : len;
      memcpy(out, buf_ + pos_, n);
      pos_ += n, out += n, len -= n;
    }
  }

 private:
  void refill() {
    uint32_t x[16];
    memcpy(x, st_, sizeof x);
    for (int i = 0; i < 10; ++i) {
      QR(x[0], x[4], x[8], x[12]);
      QR(x[1], x[5], x[9], x[13]);
      QR(x[2], x[6], x[10], x[14]);
      QR(x[3], x[7], x[11], x[15]);
      QR(x[0], x[5], x[10], x[15]);
      QR(x[1], x[6], x[11], x[12]);
      QR(x[2], x[7], x[8], x[13]);
      QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; ++i) {
      uint32_t v = x[i] + st_[i];
      buf_[4 * i] = static_cast<uint8_t>(v), buf_[4 * i + 1] = static_cast<uint8_t>(v >> 8);
      buf_[4 * i + 2] = static_cast<uint8_t>(v >> 16), buf_[4 * i + 3] = static_cast<uint8_t>(v >> 24);
    }
    if (++st_[12] == 0) ++st_[13];  // 2^38 bytes per stream before the domain word moves
    pos_ = 0;
  }
  uint32_t st_[16];
  uint8_t buf_[64];
  size_t pos_ = 64;
};

// Streams by process. Process objects live for the whole run (the tracer never frees
// them), so the pointer is a stable key; the sandbox pid is deterministic.
std::map<const Process*, ChaCha20>& streams() {
  static std::map<const Process*, ChaCha20> m;
  return m;
}
std::map<pid_t, uint32_t>& incarnations() {
  static std::map<pid_t, uint32_t> m;
  return m;
}

ChaCha20& stream_of(Tracer& tr, Process* p) {
  auto it = streams().find(p);
  if (it != streams().end()) return it->second;
  pid_t ns = p ? p->ns_pid : 0;
  uint32_t inc = incarnations()[ns]++;
  return streams().emplace(p, ChaCha20(tr.config().seed, kDomainProcess, static_cast<uint32_t>(ns), inc))
      .first->second;
}

// Fills tracee memory [addr, addr+len) from the stream; bytes written, or -EFAULT.
long fill_tracee(SysCtx& c, uint64_t addr, size_t len) {
  static std::vector<uint8_t> chunk(1 << 16);
  size_t done = 0;
  while (done < len) {
    size_t n = len - done < chunk.size() ? len - done : chunk.size();
    random_fill(c.tr, c.t.proc, chunk.data(), n);
    // process_vm_writev only: like copy_to_user it respects page protections (EFAULT).
    iovec local{chunk.data(), n}, remote{reinterpret_cast<void*>(addr + done), n};
    ssize_t w = process_vm_writev(c.t.tid, &local, 1, &remote, 1, 0);
    if (w != static_cast<ssize_t>(n)) return done ? static_cast<long>(done) : -EFAULT;
    done += n;
  }
  return static_cast<long>(done);
}

Verdict on_getrandom(SysCtx& c) {
  uint64_t flags = c.arg(2);
  if (flags & ~uint64_t(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return c.emulate(-EINVAL);
  if ((flags & (GRND_INSECURE | GRND_RANDOM)) == (GRND_INSECURE | GRND_RANDOM)) return c.emulate(-EINVAL);
  size_t len = c.arg(1);
  if (len > INT_MAX) len = INT_MAX;
  if (len == 0) return c.emulate(0);
  return c.emulate(fill_tracee(c, c.arg(0), len));
}

// Is the tracee's fd one of the random devices (1:8 random, 1:9 urandom)? 1: yes, readable;
// -EBADF: yes, but not open for reading; 0: no.
int random_device(SysCtx& c, int fd) {
  const struct stat* st = c.fd_stat(fd);
  if (!st || !S_ISCHR(st->st_mode) || major(st->st_rdev) != 1 || (minor(st->st_rdev) != 8 && minor(st->st_rdev) != 9))
    return 0;
  int fl = fcntl(c.fd_copy(fd), F_GETFL);
  return (fl >= 0 && (fl & O_ACCMODE) != O_WRONLY) ? 1 : -EBADF;
}

Verdict on_read(SysCtx& c) {
  int r = random_device(c, static_cast<int>(c.arg(0)));
  if (r == 0) return Verdict::Pass;
  if (r < 0) return c.emulate(r);
  c.tr.count("random");
  size_t len = c.arg(2);
  if (len > kMaxRw) len = kMaxRw;
  if (len == 0) return c.emulate(0);
  return c.emulate(fill_tracee(c, c.arg(1), len));
}

Verdict on_readv(SysCtx& c) {
  // readv(fd, iov, n) and preadv2(fd, iov, n, off_lo, off_hi, flags): the offset means
  // nothing to a random device.
  int r = random_device(c, static_cast<int>(c.arg(0)));
  if (r == 0) return Verdict::Pass;
  if (r < 0) return c.emulate(r);
  c.tr.count("random");
  uint64_t n = c.arg(2);
  if (n > 1024) return c.emulate(-EINVAL);
  std::vector<iovec> iov(n);
  if (n && read_mem(c.t.tid, c.arg(1), iov.data(), n * sizeof(iovec)) != static_cast<ssize_t>(n * sizeof(iovec)))
    return c.emulate(-EFAULT);
  size_t total = 0;
  for (const iovec& v : iov) {
    size_t len = v.iov_len;
    if (len > kMaxRw - total) len = kMaxRw - total;
    if (!len) continue;
    long got = fill_tracee(c, reinterpret_cast<uint64_t>(v.iov_base), len);
    if (got < 0) return c.emulate(total ? static_cast<long>(total) : got);
    total += static_cast<size_t>(got);
    if (static_cast<size_t>(got) < len || total >= kMaxRw) break;
  }
  return c.emulate(static_cast<long>(total));
}

// AT_RANDOM: 16 bytes the kernel puts on the new program's stack and names in the auxv.
void on_exec(Tracer& tr, Thread& t) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/auxv", t.tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  uint64_t aux[2 * 64];
  ssize_t n = read(fd, aux, sizeof aux);
  close(fd);
  for (ssize_t i = 0; i + 1 < n / 8; i += 2) {
    if (aux[i] == 0) break;  // AT_NULL
    if (aux[i] == 25) {      // AT_RANDOM
      uint8_t b[16];
      random_fill(tr, t.proc, b, sizeof b);
      if (write_mem(t.tid, aux[i + 1], b, sizeof b) == sizeof b) tr.count("random");
      else tr.log(1, "AT_RANDOM of %d not rewritten", t.tid);
      break;
    }
  }
}

const bool registered = [] {
  register_handler("getrandom", on_getrandom);
  register_handler("read", on_read, 50);
  register_handler("readv", on_readv, 50);
  register_handler("preadv2", on_readv, 50);
  register_exec_hook(on_exec);
  return true;
}();

}  // namespace

void random_fill(Tracer& tr, Process* p, void* buf, size_t len) {
  stream_of(tr, p).fill(static_cast<uint8_t*>(buf), len);
}

void seed_bytes(uint64_t seed, uint32_t domain, void* buf, size_t len) {
  ChaCha20 s(seed, domain, 0, 0);
  s.fill(static_cast<uint8_t*>(buf), len);
}

void format_uuid(const uint8_t b[16], char out[37]) {
  static const char hex[] = "0123456789abcdef";
  int o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = hex[b[i] >> 4];
    out[o++] = hex[b[i] & 15];
  }
  out[o] = 0;
}

void random_uuid(Tracer& tr, Process* p, char out[37]) {
  uint8_t b[16];
  random_fill(tr, p, b, sizeof b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  format_uuid(b, out);
}

}  // namespace det
