// The machine identity the sandbox shows: a fixed uname whatever the host's kernel is
// (the same kernel /proc/version and /proc/sys/kernel/os* show, see procfs.cc).
#include <cstring>
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

const bool registered = register_handler("uname", on_uname);

}  // namespace
}  // namespace det
