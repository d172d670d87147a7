#include "core/syscall_table.h"

#include <cstdio>

namespace det {

const std::vector<SyscallEntry>& syscall_table() {
  static const std::vector<SyscallEntry> table = {
#define X(nr, name, action, group, why) {nr, #name, Action::action, group, why},
#include "core/syscall_table.def"
#undef X
  };
  return table;
}

const SyscallEntry* syscall_entry(long nr) {
  static const std::vector<const SyscallEntry*> by_nr = [] {
    std::vector<const SyscallEntry*> v(kSyscallLimit, nullptr);
    for (const SyscallEntry& e : syscall_table()) v[e.nr] = &e;
    return v;
  }();
  if (nr < 0 || nr >= kSyscallLimit) return nullptr;
  return by_nr[nr];
}

const char* syscall_name(long nr, char (&buf)[32]) {
  if (const SyscallEntry* e = syscall_entry(nr)) return e->name;
  snprintf(buf, sizeof buf, "syscall_%ld", nr);
  return buf;
}

const char* action_name(Action a) {
  switch (a) {
    case Action::Allow: return "allow";
    case Action::Trace: return "trace";
    case Action::DenyEPERM: return "deny-eperm";
    case Action::DenyENOSYS: return "deny-enosys";
  }
  return "?";
}

}  // namespace det
