// The in-process clock: clock_gettime of the common clocks answered in the tracee, without
// a stop, from a page the tracer keeps in step with the logical clock.
//
// time.cc patches the vDSO at every exec so that every clock read is a syscall and a stop.
// Reading CLOCK_MONOTONIC is the commonest traced call of many programs (Python reads it
// about 30 times per import: 3,400 of the 5,700 stops of importing 116 modules), and a stop
// costs 12-14 us here. So when a process reads CLOCK_REALTIME, MONOTONIC, MONOTONIC_RAW,
// BOOTTIME or TAI through the vDSO for the 16th time, that call becomes an mmap of one page
// (read, write, execute; the call's answer is given at its exit stop), which receives the
// code below and the clock state, and the vDSO's clock_gettime jumps to it from then on.
//
// Each read in the page advances the logical clock by one stop's worth (1 us), as a traced
// read does, so loops waiting for time to pass end: the value is
//     base + (count - count_at_base) * 1 us   (+ the realtime offset for the wall clocks)
// where `count` counts the process's reads (the tracee increments it), and `base` and
// `count_at_base` are written by the tracer whenever a thread of the process is resumed
// (the resume hook), so no read in the page is ever behind a value the tracer gave out. At
// every stop of one of its threads the tracer folds the reads made since the last stop
// into the logical clock (the stop hook), so no later value anywhere is behind them. Every
// 64th read since the last resume makes the real syscall anyway: the thread stops, the
// scheduler's quantum and the busy-wait detection of time.cc (note_clock_read) still see
// a thread that spins on the clock. All of it is a function of the program's own steps:
// the same values in every run. A process that never reads these clocks gets no page;
// fork copies the page with the memory; exec drops it.
//
// What the page answers: exactly what the syscall would (time.cc, clock_ns) with the reads
// counted as stops. Coarse and CPU-time clocks, clock_getres, gettimeofday and time stay
// syscalls. A bad timespec pointer faults in the tracee, as in the real vDSO.
#include <cerrno>
#include <climits>
#include <cstring>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <vector>
#include <time.h>

#include "core/tracer.h"
#include "policy/clock.h"

namespace det {

namespace {

// The page: the state first, the code at kCodeAt.
struct State {
  int64_t base;           // +0   logical CLOCK_MONOTONIC (ns) when last resumed  [tracer]
  uint64_t count_at_base; // +8   `count` then                                     [tracer]
  uint64_t count;         // +16  reads in the page, ever                          [tracee]
  int64_t real_offset;    // +24  CLOCK_REALTIME - CLOCK_MONOTONIC                 [tracer]
  uint64_t count_folded;  // +32  `count` as far as folded into the logical clock  [tracer]
};
static_assert(sizeof(State) == 40, "layout the code below uses");
constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kCodeAt = 64;
constexpr uint64_t kEvery = 64;  // the code's `cmp rdx, 64`
constexpr uint32_t kReadsBeforePage = 16;

// clock_gettime(edi = clockid, rsi = struct timespec*), assembled from:
//       cmp edi, 1 / je mono / cmp edi, 4 / je mono / cmp edi, 7 / je mono    MONOTONIC, _RAW, BOOTTIME
//       test edi, edi / je real / cmp edi, 11 / je real                      REALTIME, TAI
// slow: mov eax, 228 / syscall / ret                                           clock_gettime, traced
// real: mov ecx, 1 / jmp go
// mono: xor ecx, ecx
// go:   movabs r11, PAGE
//       mov rax, [r11+16] / inc rax                                          count + 1
//       mov rdx, rax / sub rdx, [r11+8] / cmp rdx, 64 / jae slow             reads since the resume
//       mov [r11+16], rax
//       imul rdx, rdx, 1000 / add rdx, [r11] / test ecx, ecx / jz 1f / add rdx, [r11+24]
//   1:  mov rax, rdx / xor edx, edx / mov r8d, 1000000000 / div r8           (values are >= 0)
//       mov [rsi], rax / mov [rsi+8], rdx / xor eax, eax / ret
constexpr uint8_t kCode[] = {
    0x83, 0xff, 0x01, 0x74, 0x22, 0x83, 0xff, 0x04, 0x74, 0x1d, 0x83, 0xff, 0x07, 0x74, 0x18, 0x85, 0xff, 0x74,
    0x0d, 0x83, 0xff, 0x0b, 0x74, 0x08, 0xb8, 0xe4, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3, 0xb9, 0x01, 0x00, 0x00,
    0x00, 0xeb, 0x02, 0x31, 0xc9, 0x49, 0xbb, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x49, 0x8b, 0x43,
    0x10, 0x48, 0xff, 0xc0, 0x48, 0x89, 0xc2, 0x49, 0x2b, 0x53, 0x08, 0x48, 0x83, 0xfa, 0x40, 0x73, 0xd1, 0x49,
    0x89, 0x43, 0x10, 0x48, 0x69, 0xd2, 0xe8, 0x03, 0x00, 0x00, 0x49, 0x03, 0x13, 0x85, 0xc9, 0x74, 0x04, 0x49,
    0x03, 0x53, 0x18, 0x48, 0x89, 0xd0, 0x31, 0xd2, 0x41, 0xb8, 0x00, 0xca, 0x9a, 0x3b, 0x49, 0xf7, 0xf0, 0x48,
    0x89, 0x06, 0x48, 0x89, 0x56, 0x08, 0x31, 0xc0, 0xc3};
constexpr size_t kPageImmAt = 43;  // the imm64 of `movabs r11, PAGE`
static_assert(kCode[kPageImmAt - 2] == 0x49 && kCode[kPageImmAt - 1] == 0xbb, "movabs r11");
static_assert(kCode[68] == kEvery, "cmp rdx, kEvery");
static_assert(Scheduler::kNsPerStop == 1000, "the code's imul 1000");

bool fast_clock(int clk) {
  return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC || clk == CLOCK_MONOTONIC_RAW || clk == CLOCK_BOOTTIME ||
         clk == CLOCK_TAI;
}

// Stop hook: the reads made in the page since the last fold advance the logical clock, as
// many stops would have (a tracee-written count: bounded, it cannot stall the tracer).
void fold(Tracer& tr, Thread& t) {
  note_clock_fold(0);
  uint64_t page = t.proc ? t.proc->clock.page : 0;
  if (!page) return;
  uint64_t v[3];  // count, real_offset, count_folded
  t.proc->clock.count_known = false;
  if (!get_user(t.tid, page + offsetof(State, count), v, sizeof v)) return;
  t.proc->clock.count = v[0];  // for the resume, unless memory is shared (see sync)
  t.proc->clock.count_known = !t.proc->clock.shares_vm;
  uint64_t reads = v[0] - v[2];
  if (reads == 0) return;
  if (reads > (1u << 16)) reads = 1u << 16;
  for (uint64_t i = 0; i < reads; ++i) tr.tick(&t);
  note_clock_fold(static_cast<int64_t>(reads) * Scheduler::kNsPerStop);
  put_user(t.tid, page + offsetof(State, count_folded), &v[0], sizeof v[0]);
}

// Resume hook: the page's base is the logical clock now.
void sync(Tracer& tr, Thread& t) {
  uint64_t page = t.proc ? t.proc->clock.page : 0;
  if (!page) return;
  // The count the fold at the thread's stop read, when nothing can have changed it since:
  // threads of the process run only after their own stop's fold, but a process sharing
  // the memory without being a thread (vfork, CLONE_VM) may have run in between.
  uint64_t count = t.proc->clock.count;
  if (!t.proc->clock.count_known && !get_user(t.tid, page + offsetof(State, count), &count, sizeof count)) return;
  t.proc->clock.count_known = false;
  uint64_t head[2] = {static_cast<uint64_t>(tr.monotonic_ns()), count};
  put_user(t.tid, page, head, sizeof head);
}

// The first fast-clock read through the vDSO: became mmap at its seccomp stop; now the
// page gets its state and code, the vDSO entry jumps there, and the read is answered.
ExitVerdict setup_exit(SysCtx& c) {
  const Regs& e = c.t.entry_regs;
  long addr = c.result();
  Process& p = *c.t.proc;
  bool ok = addr > 0 && (addr & (kPageSize - 1)) == 0;
  if (ok) {
    uint64_t page = static_cast<uint64_t>(addr);
    std::vector<uint8_t> img(kCodeAt + sizeof kCode, 0);
    State st{c.tr.monotonic_ns(), 0, 0, c.tr.realtime_ns() - c.tr.monotonic_ns(), 0};
    memcpy(img.data(), &st, sizeof st);
    memcpy(img.data() + kCodeAt, kCode, sizeof kCode);
    memcpy(img.data() + kCodeAt + kPageImmAt, &page, sizeof page);
    uint8_t jump[12] = {0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xe0};  // movabs rax, CODE / jmp rax
    uint64_t code = page + kCodeAt;
    memcpy(jump + 2, &code, sizeof code);
    ok = put_user(c.t.tid, page, img.data(), img.size()) &&
         write_mem(c.t.tid, p.clock.vdso_entry, jump, sizeof jump) == static_cast<ssize_t>(sizeof jump);
    if (ok) {
      p.clock.page = page;
      c.tr.count("vclock-pages");
    }
  }
  if (!ok) {
    p.clock.refused = true;
    c.tr.log(1, "vclock: no clock page for %d (mmap: %ld): its clock reads stay syscalls", c.t.tid, addr);
  }
  // The read itself, as the syscall's handler answers it.
  long ret = clock_gettime_result(c, static_cast<int>(sys_arg(e, 0)), sys_arg(e, 1));
  for (int i = 0; i < 6; ++i) set_sys_arg(c.regs, i, sys_arg(e, i));
  c.regs.rax = static_cast<unsigned long long>(ret);
  if (ok) {
    // The thread would return into the stub the jump has just overwritten (its `ret` is
    // now part of the jump's address): do the stub's `ret` here.
    uint64_t back = 0;
    if (get_user(c.t.tid, c.regs.rsp, &back, sizeof back)) {
      c.regs.rip = back;
      c.regs.rsp += 8;
    }
  }
  c.regs_dirty = true;
  return ExitVerdict::Done;
}

Verdict on_clock_gettime(SysCtx& c) {
  Process& p = *c.t.proc;
  // Only a read through the vDSO's syscall stub (mov eax, 228 / syscall: 7 bytes), of a
  // clock the page answers, by a process without a page, with non-negative wall times.
  if (p.clock.page || p.clock.refused || !p.clock.vdso_entry || c.regs.rip != p.clock.vdso_entry + 7 ||
      !fast_clock(static_cast<int>(c.arg(0))) || c.tr.realtime_ns() < 0)
    return Verdict::Pass;
  // A page costs every later stop of the process two small memory transfers: worth it only
  // for a program that reads the clock again and again (tar reads it once, Python
  // thousands of times).
  if (++p.clock.syscalls < kReadsBeforePage) return Verdict::Pass;
  c.regs.orig_rax = SYS_mmap;
  c.set_arg(0, 0);
  c.set_arg(1, kPageSize);
  c.set_arg(2, PROT_READ | PROT_WRITE | PROT_EXEC);
  c.set_arg(3, MAP_PRIVATE | MAP_ANONYMOUS);
  c.set_arg(4, static_cast<uint64_t>(-1));
  c.set_arg(5, 0);
  return c.allow_exit(setup_exit);
}

const bool registered = [] {
  register_handler("clock_gettime", on_clock_gettime, 50);
  register_stop_hook(fold);
  register_resume_hook(sync);
  return true;
}();

}  // namespace
}  // namespace det
