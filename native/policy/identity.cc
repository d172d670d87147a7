// The machine identity the sandbox shows: a fixed uname whatever the host's kernel is
// (the same kernel /proc/version and /proc/sys/kernel/os* show, see procfs.cc), and an
// address layout that stays fixed.
#include <cstring>
#include <sys/personality.h>
#include <sys/utsname.h>

#include "core/tracer.h"
#include "policy/machine.h"

namespace det {
namespace {

Verdict on_uname(SysCtx& c) {
  struct utsname u;
  memset(&u, 0, sizeof u);
  strncpy(u.sysname, "Linux", sizeof u.sysname - 1);
  strncpy(u.nodename, c.tr.config().hostname.c_str(), sizeof u.nodename - 1);
  // A release new enough for every glibc and tool that checks it; never the host's.
  strncpy(u.release, machine::kRelease, sizeof u.release - 1);
  strncpy(u.version, machine::kVersion, sizeof u.version - 1);
  strncpy(u.machine, "x86_64", sizeof u.machine - 1);
  strncpy(u.domainname, "(none)", sizeof u.domainname - 1);
  if (write_mem(c.t.tid, c.arg(0), &u, sizeof u) != sizeof u) return c.emulate(-EFAULT);
  return c.emulate(0);
}

// personality: the command starts with ADDR_NO_RANDOMIZE (sandbox_init.cc), so every run
// maps the same addresses. A program that sets a persona without it (`setarch x86_64 CMD`
// does, for CMD) would turn address randomization back on for what it runs: the flag is
// kept in every persona set. A query (0xffffffff) runs as is.
Verdict on_personality(SysCtx& c) {
  uint64_t persona = c.arg(0) & 0xffffffffu;
  if (persona != 0xffffffffu && !(persona & ADDR_NO_RANDOMIZE)) c.set_arg(0, persona | ADDR_NO_RANDOMIZE);
  return Verdict::Allow;
}

const bool registered = [] {
  register_handler("uname", on_uname);
  register_handler("personality", on_personality);
  return true;
}();

}  // namespace
}  // namespace det
