// The fixed machine every run sees, shared by the policy files that present it:
// random.cc (the seeded PRNG), cpu_identity.cc (affinity, getcpu, sysinfo, rlimits,
// priorities), procfs.cc (/proc and /sys files), net.cc (ephemeral ports), identity.cc
// (uname). Change a value here and every view of it changes together.
#pragma once
#include <cstddef>
#include <cstdint>
#include <sys/resource.h>
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace det {

class Tracer;
struct Process;
namespace machine {

constexpr int kCpus = 4;                                  // CPUs 0-3, all online
constexpr uint64_t kMemTotal = 8ULL << 30;                // 8 GiB
constexpr uint64_t kMemFree = 6ULL << 30;                 // free as sysinfo/meminfo report it
constexpr uint64_t kMemBuffers = 128ULL << 20;
constexpr uint64_t kMemCached = 1ULL << 30;
constexpr uint64_t kMemShared = 64ULL << 20;
constexpr long kClockTicks = 100;                         // USER_HZ
constexpr const char* kRelease = "6.1.0-det";             // uname -r
constexpr const char* kVersion = "#1 SMP PREEMPT_DYNAMIC det";  // uname -v

// Resource limits of the fixed machine (soft, hard), RLIMIT_* order. sandbox.cc applies
// them to the sandbox's init before the command is forked, as far as the host allows;
// cpu_identity.cc reports them even where the host did not allow setting them.
struct Limit {
  rlim_t cur, max;
};
extern const Limit kLimits[RLIM_NLIMITS];
// Sets the calling process's limits to kLimits (lowering a hard limit the host does not
// let us raise). Called in the sandbox's init, inherited by the command.
void apply_rlimits();

}  // namespace machine

// The seeded randomness (random.cc). One ChaCha20 stream per process of the run, keyed by
// --seed and the process's sandbox pid (and how many processes had that pid before), and
// consumed in schedule order: the same bytes every run, whatever else the run does.
void random_fill(Tracer& tr, Process* p, void* buf, size_t len);
// Per-run values: 16 bytes that depend on the seed only (e.g. boot_id), by domain.
void seed_bytes(uint64_t seed, uint32_t domain, void* buf, size_t len);
// An RFC 4122 version-4 UUID string from the process's stream.
void random_uuid(Tracer& tr, Process* p, char out[37]);
void format_uuid(const uint8_t b[16], char out[37]);

// Logical process start time (procfs.cc): monotonic ns when the run first saw the process
// (its exec, or its first look at /proc); the same every run.
int64_t process_start_ns(Tracer& tr, Process* p);

// The machine-wide files of /proc det shows (procfs.cc), as they read at the start: the
// sandbox mounts them over the real ones, so that a path the open handler does not
// recognise (a symlink to /proc/cpuinfo, /proc/self/root/proc/uptime, a link to /proc
// itself) shows det's content too, never the host's; the handler serves the paths it
// recognises with the current values. Pairs (path under /proc, content).
std::vector<std::pair<std::string, std::string>> proc_file_snapshot(Tracer& tr);

// The virtual nice value (cpu_identity.cc): the host's nice of the command is "0".
int virtual_nice_offset();
// A real limit of a tracee as the fixed machine reports it (cpu_identity.cc).
void rlimit_to_virtual(int resource, struct rlimit* l);

}  // namespace det
