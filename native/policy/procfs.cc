// /proc and /sys files that describe the host: answered with the fixed machine.
//
// Mechanism: path interception at open. open/openat/openat2 handlers (order 50, before any
// other open policy) read the path; when it names one of the virtual files below and asks
// for read access, the tracer generates the content, rewrites the call into
// memfd_create(name, MFD_ALLOW_SEALING [| MFD_CLOEXEC]) at its seccomp stop, and at the exit
// stop writes the content into the new memfd (through pidfd_getfd, with pwrite so the
// file offset stays 0), seals it against writes (a write fails with EPERM) and restores
// the argument registers. O_WRONLY opens are left to the kernel. The program gets an
// ordinary descriptor holding the file; nothing is mounted, nothing shows in the
// sandbox's tree, and it works the same with --chroot.
// Content is generated at open (procfs generates at read): a descriptor re-read after
// lseek(0) shows the same snapshot.
//
// Paths are matched after lexical normalisation (//, /./, ..); "self" and "thread-self"
// name the caller. Relative paths are resolved against the cwd or dirfd (read through
// /proc/<tid>/cwd|fd/N) only when the last component is one of the names below.
//
// Virtual files:
//   /proc/cpuinfo                4 identical generic x86-64-v2 CPUs (what CPUID says is the
//                                host's and cannot be hidden without CPUID faulting)
//   /proc/meminfo                8 GiB, as sysinfo() reports
//   /proc/stat                   4 CPUs, times from the logical clock, btime = epoch - uptime
//   /proc/uptime, /proc/loadavg  logical uptime; loads 0
//   /proc/version, /proc/cmdline, /proc/swaps, /proc/sys/kernel/{osrelease,ostype,version,
//                                domainname}
//                                the fixed kernel of uname
//   /proc/sys/kernel/random/uuid a fresh UUID from the caller's PRNG stream at every open
//   /proc/sys/kernel/random/boot_id  fixed per run, from the seed
//   /proc/sys/kernel/random/{entropy_avail,poolsize}  256
//   /sys/devices/system/cpu/{online,possible,present}  0-3 (glibc's get_nprocs reads it)
//   /proc/<pid>/stat, /proc/<pid>/task/<tid>/stat, statm, status, limits, cgroup ("0::/")
//                                the real file (read through the caller's root, so pids
//                                are the sandbox's), with the host-dependent fields fixed:
//                                start time (logical: when the run first saw the process),
//                                CPU times the logical ones of time.cc (as times()),
//                                faults 0, processor 0, tty none, resident sizes
//                                derived from the virtual size, nice
//                                relative to the command's, CPU/memory-node masks of the
//                                fixed machine, resource limits as getrlimit reports them;
//                                status keeps only the lines of Linux 6.1.
#include <cerrno>
#include <cinttypes>
#include <cstdarg>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <map>
#include <string>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

#include "core/io_util.h"
#include "core/tracer.h"
#include "policy/machine.h"
#include "policy/virtual_file.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif

namespace det {
namespace {

using machine::kCpus;
constexpr int64_t kNsPerTick = 1000000000LL / machine::kClockTicks;
constexpr uint32_t kDomainBootId = 2;
constexpr uint32_t kDomainUuidSnapshot = 3;

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, f);
  int n = vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return std::string(buf, n < 0 ? 0 : (n >= static_cast<int>(sizeof buf) ? sizeof buf - 1 : static_cast<size_t>(n)));
}

// ----- process start times ---------------------------------------------------------------

std::map<const Process*, int64_t>& starts() {
  static std::map<const Process*, int64_t> m;
  return m;
}

void on_exec(Tracer& tr, Thread& t) { process_start_ns(tr, t.proc); }

Process* process_by_ns_pid(Tracer& tr, long pid) {
  for (Thread* t : tr.sched().threads())
    if (t->proc && t->proc->ns_pid == pid) return t->proc;
  return nullptr;
}

// ----- fixed files -------------------------------------------------------------------------

std::string cpuinfo() {
  static const char* flags =
      "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse "
      "sse2 ht syscall nx lm constant_tsc rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq "
      "ssse3 cx16 sse4_1 sse4_2 x2apic popcnt aes hypervisor lahf_lm abm";
  std::string s;
  for (int i = 0; i < kCpus; ++i) {
    s += fmt("processor\t: %d\n", i);
    s += "vendor_id\t: GenuineIntel\n"
         "cpu family\t: 6\n"
         "model\t\t: 85\n"
         "model name\t: det virtual x86-64-v2 CPU @ 2.40GHz\n"
         "stepping\t: 4\n"
         "microcode\t: 0x1\n"
         "cpu MHz\t\t: 2400.000\n"
         "cache size\t: 16384 KB\n"
         "physical id\t: 0\n";
    s += fmt("siblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\napicid\t\t: %d\ninitial apicid\t: %d\n", kCpus, i,
             kCpus, i, i);
    s += "fpu\t\t: yes\n"
         "fpu_exception\t: yes\n"
         "cpuid level\t: 13\n"
         "wp\t\t: yes\n";
    s += std::string("flags\t\t: ") + flags + "\n";
    s += "bugs\t\t:\n"
         "bogomips\t: 4800.00\n"
         "clflush size\t: 64\n"
         "cache_alignment\t: 64\n"
         "address sizes\t: 46 bits physical, 48 bits virtual\n"
         "power management:\n\n";
  }
  return s;
}

std::string meminfo() {
  const uint64_t k = 1024;
  uint64_t total = machine::kMemTotal / k, free = machine::kMemFree / k, buffers = machine::kMemBuffers / k,
           cached = machine::kMemCached / k, shmem = machine::kMemShared / k;
  uint64_t used_anon = total - free - buffers - cached;
  std::string s;
  auto kb = [&](const char* name, uint64_t v) { s += fmt("%-16s%8" PRIu64 " kB\n", name, v); };
  kb("MemTotal:", total);
  kb("MemFree:", free);
  kb("MemAvailable:", free + cached + buffers);
  kb("Buffers:", buffers);
  kb("Cached:", cached);
  kb("SwapCached:", 0);
  kb("Active:", used_anon + cached / 2);
  kb("Inactive:", cached / 2 + buffers);
  kb("Active(anon):", used_anon);
  kb("Inactive(anon):", 0);
  kb("Active(file):", cached / 2);
  kb("Inactive(file):", cached / 2 + buffers);
  kb("Unevictable:", 0);
  kb("Mlocked:", 0);
  kb("SwapTotal:", 0);
  kb("SwapFree:", 0);
  kb("Dirty:", 0);
  kb("Writeback:", 0);
  kb("AnonPages:", used_anon);
  kb("Mapped:", 65536);
  kb("Shmem:", shmem);
  kb("KReclaimable:", 65536);
  kb("Slab:", 131072);
  kb("SReclaimable:", 65536);
  kb("SUnreclaim:", 65536);
  kb("KernelStack:", 4096);
  kb("PageTables:", 8192);
  kb("NFS_Unstable:", 0);
  kb("Bounce:", 0);
  kb("WritebackTmp:", 0);
  kb("CommitLimit:", total / 2);
  kb("Committed_AS:", used_anon * 2);
  kb("VmallocTotal:", 34359738367ULL);
  kb("VmallocUsed:", 16384);
  kb("VmallocChunk:", 0);
  kb("Percpu:", 1024);
  kb("HardwareCorrupted:", 0);
  kb("AnonHugePages:", 0);
  kb("ShmemHugePages:", 0);
  kb("ShmemPmdMapped:", 0);
  kb("FileHugePages:", 0);
  kb("FilePmdMapped:", 0);
  s += fmt("%-16s%8d\n", "HugePages_Total:", 0);
  s += fmt("%-16s%8d\n", "HugePages_Free:", 0);
  s += fmt("%-16s%8d\n", "HugePages_Rsvd:", 0);
  s += fmt("%-16s%8d\n", "HugePages_Surp:", 0);
  kb("Hugepagesize:", 2048);
  kb("Hugetlb:", 0);
  kb("DirectMap4k:", 262144);
  kb("DirectMap2M:", total - 262144);
  return s;
}

int64_t uptime_ticks(Tracer& tr) { return tr.monotonic_ns() / kNsPerTick; }

std::string proc_stat(Tracer& tr) {
  int64_t up = uptime_ticks(tr);
  // Each CPU: 5% user, 2% system, the rest idle.
  int64_t user = up / 20, sys = up / 50, idle = up - user - sys;
  std::string s = fmt("cpu  %" PRId64 " 0 %" PRId64 " %" PRId64 " 0 0 0 0 0 0\n", user * kCpus, sys * kCpus,
                      idle * kCpus);
  for (int i = 0; i < kCpus; ++i)
    s += fmt("cpu%d %" PRId64 " 0 %" PRId64 " %" PRId64 " 0 0 0 0 0 0\n", i, user, sys, idle);
  int64_t btime = (tr.realtime_ns() - tr.monotonic_ns()) / 1000000000LL;
  s += "intr 0\nctxt 0\n";
  s += fmt("btime %" PRId64 "\n", btime);
  s += fmt("processes %" PRIu64 "\n", tr.stats().processes + 1);
  s += "procs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n";
  return s;
}

std::string uptime(Tracer& tr) {
  int64_t cs = tr.monotonic_ns() / 10000000LL;  // centiseconds
  int64_t idle = cs * kCpus;
  return fmt("%" PRId64 ".%02" PRId64 " %" PRId64 ".%02" PRId64 "\n", cs / 100, cs % 100, idle / 100, idle % 100);
}

std::string loadavg(Tracer& tr) {
  pid_t last = 1;
  for (Thread* t : tr.sched().threads())
    if (t->ns_tid > last) last = t->ns_tid;
  return fmt("0.00 0.00 0.00 1/%zu %d\n", tr.sched().threads().size() + 1, last);
}

// A version-4 UUID from the seed alone, one per domain.
std::string seeded_uuid(Tracer& tr, uint32_t domain) {
  uint8_t b[16];
  seed_bytes(tr.config().seed, domain, b, sizeof b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  char out[37];
  format_uuid(b, out);
  return std::string(out) + "\n";
}

std::string boot_id(Tracer& tr) { return seeded_uuid(tr, kDomainBootId); }

// ----- per-process files ------------------------------------------------------------------

std::vector<std::string> split_ws(const std::string& s) {
  std::vector<std::string> v;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\n') ++j;
    if (j > i) v.push_back(s.substr(i, j - i));
    i = j;
  }
  return v;
}

struct Target {
  long pid = 0;     // sandbox pid (0: unknown)
  long tid = 0;     // sandbox tid of a /task/<tid>/ file (0: the process's file)
  bool self = false;
};

Thread* thread_by_ns_tid(Tracer& tr, long tid) {
  for (Thread* t : tr.sched().threads())
    if (t->ns_tid == tid || (!t->ns_tid && t->is_leader() && t->proc->ns_pid == tid)) return t;
  return nullptr;
}

std::string fix_stat(Tracer& tr, const std::string& real, const Target& tg) {
  size_t close_paren = real.rfind(')');
  if (close_paren == std::string::npos) return real;
  std::string head = real.substr(0, close_paren + 1);
  std::vector<std::string> f = split_ws(real.substr(close_paren + 1));
  if (f.size() < 42) return real;
  auto set = [&](int field, const std::string& v) {  // field numbers as in proc(5)
    if (static_cast<size_t>(field - 3) < f.size()) f[static_cast<size_t>(field - 3)] = v;
  };
  auto num = [&](int field) { return strtoll(f[static_cast<size_t>(field - 3)].c_str(), nullptr, 10); };
  // Stopped by det while the file is read: the reader itself runs, the others wait.
  if (f[0] == "t") set(3, tg.self ? "R" : "S");
  set(7, "0");
  set(8, "-1");
  for (int i : {10, 11, 12, 13, 14, 15, 16, 17, 21, 29, 30, 35, 36, 37, 39, 42, 43, 44}) set(i, "0");
  Process* p = tg.pid ? process_by_ns_pid(tr, tg.pid) : nullptr;
  // CPU times: the logical CPU time of time.cc, all of it user time, as times() reports.
  if (tg.tid) {
    if (Thread* t = thread_by_ns_tid(tr, tg.tid)) set(14, std::to_string(tr.thread_cpu_ns(t) / kNsPerTick));
  } else if (p) {
    set(14, std::to_string(tr.process_cpu_ns(p) / kNsPerTick));
    set(16, std::to_string(tr.children_cpu_ns(p) / kNsPerTick));
  }
  int off = virtual_nice_offset();
  set(18, std::to_string(num(18) - off));
  set(19, std::to_string(num(19) - off));
  int64_t start = p ? process_start_ns(tr, p) : Tracer::kBootOffsetNs;
  set(22, std::to_string(start / kNsPerTick));
  long long vsize = num(23);
  set(24, std::to_string(vsize / 4096 / 8));
  set(25, std::to_string(static_cast<unsigned long long>(machine::kLimits[RLIMIT_RSS].cur)));
  std::string out = head;
  for (const std::string& s : f) out += " " + s;
  return out + "\n";
}

std::string fix_statm(const std::string& real) {
  std::vector<std::string> f = split_ws(real);
  if (f.size() < 7) return real;
  long long size = strtoll(f[0].c_str(), nullptr, 10);
  f[1] = std::to_string(size / 8);   // resident
  f[2] = std::to_string(size / 16);  // shared
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) out += (i ? " " : "") + f[i];
  return out + "\n";
}

std::string fix_status(const std::string& real, const Target& tg) {
  static const char* const kLines[] = {
      "Name",         "Umask",        "State",       "Tgid",          "Ngid",       "Pid",
      "PPid",         "TracerPid",    "Uid",         "Gid",           "FDSize",     "Groups",
      "NStgid",       "NSpid",        "NSpgid",      "NSsid",         "VmPeak",     "VmSize",
      "VmLck",        "VmPin",        "VmHWM",       "VmRSS",         "RssAnon",    "RssFile",
      "RssShmem",     "VmData",       "VmStk",       "VmExe",         "VmLib",      "VmPTE",
      "VmSwap",       "HugetlbPages", "CoreDumping", "THP_enabled",   "Threads",    "SigQ",
      "SigPnd",       "ShdPnd",       "SigBlk",      "SigIgn",        "SigCgt",     "CapInh",
      "CapPrm",       "CapEff",       "CapBnd",      "CapAmb",        "NoNewPrivs", "Seccomp",
      "Seccomp_filters", "Speculation_Store_Bypass", "SpeculationIndirectBranch", "Cpus_allowed",
      "Cpus_allowed_list", "Mems_allowed", "Mems_allowed_list", "voluntary_ctxt_switches",
      "nonvoluntary_ctxt_switches"};
  long long vmsize = 0;
  std::string out;
  for (std::string line : split_lines(real)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    bool known = false;
    for (const char* k : kLines)
      if (key == k) known = true;
    if (!known) continue;
    auto kb = [&](long long v) { return fmt("%s:\t%8lld kB", key.c_str(), v); };
    if (key == "VmSize") vmsize = strtoll(line.c_str() + colon + 1, nullptr, 10);
    if (key == "State" && line.find("t (tracing stop)") != std::string::npos)
      line = tg.self ? "State:\tR (running)" : "State:\tS (sleeping)";
    else if (key == "VmHWM" || key == "VmRSS") line = kb(vmsize / 8);
    else if (key == "RssAnon") line = kb(vmsize / 32);
    else if (key == "RssFile") line = kb(vmsize / 8 - vmsize / 32);
    else if (key == "RssShmem") line = kb(0);
    else if (key == "SigQ") {
      long long q = strtoll(line.c_str() + colon + 1, nullptr, 10);
      line = fmt("SigQ:\t%lld/%llu", q, static_cast<unsigned long long>(machine::kLimits[RLIMIT_SIGPENDING].cur));
    } else if (key == "Speculation_Store_Bypass") line = "Speculation_Store_Bypass:\tthread vulnerable";
    else if (key == "SpeculationIndirectBranch") line = "SpeculationIndirectBranch:\tconditional enabled";
    else if (key == "Cpus_allowed") line = fmt("Cpus_allowed:\t%x", (1u << kCpus) - 1);
    else if (key == "Cpus_allowed_list") line = fmt("Cpus_allowed_list:\t0-%d", kCpus - 1);
    else if (key == "Mems_allowed") {
      line = "Mems_allowed:\t";
      for (int w = 0; w < 31; ++w) line += "00000000,";
      line += "00000001";
    } else if (key == "Mems_allowed_list") line = "Mems_allowed_list:\t0";
    else if (key == "voluntary_ctxt_switches" || key == "nonvoluntary_ctxt_switches") line = key + ":\t0";
    out += line + "\n";
  }
  return out;
}

// /proc/<pid>/limits: rows in RLIMIT_* order, "%-25s %-20s %-20s %-10s".
std::string fix_limits(const std::string& real) {
  std::string out;
  int row = -1;
  for (std::string line : split_lines(real)) {
    if (row >= 0 && row < RLIM_NLIMITS && line.size() >= 67) {
      auto parse = [](const std::string& v) -> rlim_t {
        return v.compare(0, 9, "unlimited") == 0 ? RLIM_INFINITY : strtoull(v.c_str(), nullptr, 10);
      };
      auto show = [](rlim_t v) {
        return v == RLIM_INFINITY ? fmt("%-20s", "unlimited") : fmt("%-20llu", static_cast<unsigned long long>(v));
      };
      struct rlimit l = {parse(line.substr(26, 20)), parse(line.substr(47, 20))};
      rlimit_to_virtual(row, &l);
      line = line.substr(0, 26) + show(l.rlim_cur) + " " + show(l.rlim_max) + line.substr(67);
    }
    ++row;
    out += line + "\n";
  }
  return out;
}

// ----- path classification -----------------------------------------------------------------

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 9) return false;
  for (char ch : s)
    if (ch < '0' || ch > '9') return false;
  return true;
}

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> v;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string c = path.substr(i, j - i);
    if (c == "..") {
      if (!v.empty()) v.pop_back();
    } else if (!c.empty() && c != ".") {
      v.push_back(c);
      // /proc/<pid>/root is every sandbox process's root (chroot is refused): the walk
      // goes on from "/", so /proc/self/root/proc/self/status is /proc/self/status.
      if (v.size() == 3 && v[0] == "proc" && v[2] == "root" &&
          (v[1] == "self" || v[1] == "thread-self" || all_digits(v[1])))
        v.clear();
    }
    i = j + 1;
  }
  return v;
}

const char* const kLeafNames[] = {"cpuinfo", "meminfo", "stat",    "uptime",   "loadavg",  "version",
                                  "cmdline", "swaps",   "uuid",    "boot_id",  "osrelease", "ostype",
                                  "online",  "possible", "present", "statm",   "status",   "cgroup",
                                  "entropy_avail", "poolsize", "limits", "domainname"};

bool maybe_virtual_leaf(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
  for (const char* n : kLeafNames)
    if (leaf == n) return true;
  return false;
}

// The machine-wide files, by their path under /proc: served by the open handler (generate)
// and mounted over the real ones at the start (proc_file_snapshot) from this one list.
struct GlobalFile {
  const char* rel;
  std::string (*content)(Tracer& tr);
};
const GlobalFile kGlobalFiles[] = {
    {"cpuinfo", [](Tracer&) { return cpuinfo(); }},
    {"meminfo", [](Tracer&) { return meminfo(); }},
    {"stat", proc_stat},
    {"uptime", uptime},
    {"loadavg", loadavg},
    {"version",
     [](Tracer&) {
       return fmt("Linux version %s (det@det) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) %s\n",
                  machine::kRelease, machine::kVersion);
     }},
    {"cmdline", [](Tracer&) { return fmt("BOOT_IMAGE=/boot/vmlinuz-%s root=/dev/vda1 ro quiet\n", machine::kRelease); }},
    {"swaps", [](Tracer&) { return std::string("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"); }},
    {"sys/kernel/osrelease", [](Tracer&) { return std::string(machine::kRelease) + "\n"; }},
    {"sys/kernel/ostype", [](Tracer&) { return std::string("Linux\n"); }},
    {"sys/kernel/version", [](Tracer&) { return std::string(machine::kVersion) + "\n"; }},
    {"sys/kernel/domainname", [](Tracer&) { return std::string("(none)\n"); }},  // as uname() reports it (identity.cc)
    {"sys/kernel/random/boot_id", boot_id},
    {"sys/kernel/random/entropy_avail", [](Tracer&) { return std::string("256\n"); }},
    {"sys/kernel/random/poolsize", [](Tracer&) { return std::string("256\n"); }},
};

bool global_file(Tracer& tr, const std::string& rel, std::string* out) {
  for (const GlobalFile& f : kGlobalFiles)
    if (rel == f.rel) {
      *out = f.content(tr);
      return true;
    }
  return false;
}

// The content of the virtual file at `path` (absolute, as the caller sees it); false if
// the path is not virtual (the kernel opens it).
bool generate(SysCtx& c, const std::vector<std::string>& p, std::string* out, std::string* name) {
  Tracer& tr = c.tr;
  size_t n = p.size();
  if (n == 0) return false;
  *name = p.back();
  if (p[0] == "sys") {
    if (n == 5 && p[1] == "devices" && p[2] == "system" && p[3] == "cpu" &&
        (p[4] == "online" || p[4] == "possible" || p[4] == "present")) {
      *out = fmt("0-%d\n", kCpus - 1);
      return true;
    }
    return false;
  }
  if (p[0] != "proc" || n < 2) return false;
  if (n == 5 && p[1] == "sys" && p[2] == "kernel" && p[3] == "random" && p[4] == "uuid") {
    char u[37];
    random_uuid(tr, c.t.proc, u);
    *out = std::string(u) + "\n";
    return true;
  }
  std::string under = p[1];  // the path under /proc
  for (size_t k = 2; k < n; ++k) under += "/" + p[k];
  if (global_file(tr, under, out)) return true;
  if (p[1] == "sys") return false;
  // /proc/<pid>[/task/<tid>]/<file>
  std::string what = p.back();
  if (what != "stat" && what != "statm" && what != "status" && what != "cgroup" && what != "limits") return false;
  if (!(n == 3 || (n == 5 && p[2] == "task" && all_digits(p[3])))) return false;
  Target tg;
  std::string rel;  // the path under the sandbox's /proc, in sandbox pids
  pid_t my_pid = c.t.proc->ns_pid, my_tid = c.t.ns_tid ? c.t.ns_tid : (c.t.is_leader() ? my_pid : 0);
  if (p[1] == "self") {
    if (!my_pid) return false;
    tg.pid = my_pid;
    rel = std::to_string(my_pid);
  } else if (p[1] == "thread-self") {
    if (!my_pid || !my_tid || n != 3) return false;
    tg.pid = my_pid;
    rel = std::to_string(my_pid) + "/task/" + std::to_string(my_tid);
  } else if (all_digits(p[1])) {
    tg.pid = strtol(p[1].c_str(), nullptr, 10);
    rel = p[1];
  } else {
    return false;
  }
  if (n == 5) {
    rel += "/task/" + p[3];
    tg.tid = strtol(p[3].c_str(), nullptr, 10);
  } else if (p[1] == "thread-self") {
    tg.tid = my_tid;
  }
  tg.self = tg.pid == my_pid;
  if (what == "cgroup") {
    *out = "0::/\n";
    return true;
  }
  std::string real;
  if (!read_file("/proc/" + std::to_string(c.t.tid) + "/root/proc/" + rel + "/" + what, &real)) return false;
  if (what == "stat") *out = fix_stat(tr, real, tg);
  else if (what == "statm") *out = fix_statm(real);
  else if (what == "limits") *out = fix_limits(real);
  else *out = fix_status(real, tg);
  return true;
}

// ----- the open interception ----------------------------------------------------------------

std::map<const Thread*, std::string>& pending() {
  static std::map<const Thread*, std::string> m;
  return m;
}

// The content written from offset 0 (the descriptor's offset stays 0), then sealed, also
// when a write failed part way; false then.
bool fill_sealed(int local, const std::string& content) {
  size_t off = 0;
  while (off < content.size()) {
    ssize_t w = pwrite(local, content.data() + off, content.size() - off, static_cast<off_t>(off));
    if (w <= 0) break;
    off += static_cast<size_t>(w);
  }
  fcntl(local, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return off == content.size();
}

ExitVerdict open_exit(SysCtx& c) {
  std::string content;
  auto it = pending().find(&c.t);
  if (it != pending().end()) {
    content.swap(it->second);
    pending().erase(it);
  }
  long fd = c.result();
  for (int i = 0; i < 4; ++i) set_sys_arg(c.regs, i, sys_arg(c.t.entry_regs, i));
  c.regs.orig_rax = c.t.entry_regs.orig_rax;
  c.regs_dirty = true;
  if (fd < 0) return ExitVerdict::Done;
  int local = grab_fd(c.t.proc->pidfd, c.t.tid, static_cast<int>(fd));
  if (local < 0) {
    c.tr.log(1, "virtual file: cannot reach fd %ld of %d", fd, c.t.tid);
    return ExitVerdict::Done;
  }
  fill_sealed(local, content);
  close(local);
  return ExitVerdict::Done;
}

Verdict intercept(SysCtx& c, int dirfd, uint64_t path_addr, uint64_t flags) {
  if ((flags & O_ACCMODE) == O_WRONLY) return Verdict::Pass;  // nothing to read: the kernel decides
  if (flags & (O_CREAT | O_DIRECTORY | O_PATH | __O_TMPFILE)) return Verdict::Pass;
  const std::string* arg = c.path_at(path_addr);
  if (!arg || arg->empty()) return Verdict::Pass;
  std::string path = *arg;
  if (path[0] != '/') {
    if (!maybe_virtual_leaf(path)) return Verdict::Pass;
    char link[64], base[PATH_MAX];
    if (dirfd == AT_FDCWD) snprintf(link, sizeof link, "/proc/%d/cwd", c.t.tid);
    else snprintf(link, sizeof link, "/proc/%d/fd/%d", c.t.tid, dirfd);
    ssize_t len = readlink(link, base, sizeof base - 1);
    if (len <= 0 || base[0] != '/') return Verdict::Pass;
    base[len] = 0;
    path = std::string(base) + "/" + path;
  } else if (path.compare(0, 5, "/proc") != 0 && path.compare(0, 4, "/sys") != 0 && path.find("/.") == std::string::npos &&
             path.find("//") == std::string::npos) {
    return Verdict::Pass;  // the common case: nothing to normalise, not under /proc or /sys
  }
  std::vector<std::string> comps = components(path);
  std::string content, name;
  if (!generate(c, comps, &content, &name)) return Verdict::Pass;
  c.tr.count("proc-files");
  c.tr.log(2, "virtual file %s (%zu bytes)", path.c_str(), content.size());
  return open_as_memfd(c, name, std::move(content), flags);
}

Verdict on_open(SysCtx& c) { return intercept(c, AT_FDCWD, c.arg(0), c.arg(1)); }
Verdict on_openat(SysCtx& c) { return intercept(c, static_cast<int>(c.arg(0)), c.arg(1), c.arg(2)); }
Verdict on_openat2(SysCtx& c) {
  open_how how{};
  uint64_t size = c.arg(3);
  if (size < sizeof(uint64_t)) return Verdict::Pass;
  if (read_mem(c.t.tid, c.arg(2), &how, sizeof(uint64_t)) != sizeof(uint64_t)) return Verdict::Pass;
  return intercept(c, static_cast<int>(c.arg(0)), c.arg(1), how.flags);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> proc_file_snapshot(Tracer& tr) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const GlobalFile& f : kGlobalFiles) files.emplace_back(f.rel, f.content(tr));
  // A fresh UUID per read by the path the handler knows (from the reading process's
  // stream); by any other path, one fixed UUID from the seed.
  files.emplace_back("sys/kernel/random/uuid", seeded_uuid(tr, kDomainUuidSnapshot));
  return files;
}

namespace {

const bool registered = [] {
  register_handler("open", on_open, 50);
  register_handler("openat", on_openat, 50);
  register_handler("openat2", on_openat2, 50);
  register_exec_hook(on_exec);
  return true;
}();

}  // namespace

Verdict open_as_memfd(SysCtx& c, const std::string& name, std::string content, uint64_t open_flags) {
  std::string memfd_name = "det:" + name;
  if (c.notified) {
    // The tracer makes the memfd itself, filled and sealed, and the open returns it: the
    // same file the tracee's memfd_create and the exit stop below make, without the stops.
    int local = static_cast<int>(syscall(SYS_memfd_create, memfd_name.c_str(), MFD_ALLOW_SEALING | MFD_CLOEXEC));
    if (local < 0) return c.emulate(-errno);
    if (!fill_sealed(local, content)) {
      close(local);
      return c.emulate(-EIO);
    }
    return c.emulate_fd(local, open_flags & O_CLOEXEC);
  }
  uint64_t at = tracee_scratch(c.regs, memfd_name.size() + 1);
  if (write_mem(c.t.tid, at, memfd_name.c_str(), memfd_name.size() + 1) != static_cast<ssize_t>(memfd_name.size() + 1))
    return Verdict::Pass;
  pending()[&c.t] = std::move(content);
  c.regs.orig_rax = SYS_memfd_create;
  c.set_arg(0, at);
  c.set_arg(1, MFD_ALLOW_SEALING | ((open_flags & O_CLOEXEC) ? MFD_CLOEXEC : 0));
  return c.allow_exit(open_exit);
}

int64_t process_start_ns(Tracer& tr, Process* p) {
  auto it = starts().find(p);
  if (it != starts().end()) return it->second;
  int64_t now = tr.monotonic_ns();
  starts()[p] = now;
  return now;
}

}  // namespace det
