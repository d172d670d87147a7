#include "core/syscall_table.h"

#include <cstdio>
#include <cstring>
#include <cerrno>
#include <fcntl.h>
#include <sys/prctl.h>

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
    case Action::Notify: return "notify";
    case Action::DenyEPERM: return "deny-eperm";
    case Action::DenyENOSYS: return "deny-enosys";
  }
  return "?";
}

const std::vector<StopCondition>& stop_conditions() {
  static const std::vector<StopCondition> conds = {
#define ARG_IN(name, arg, a, b, why) {#name, arg, {static_cast<uint32_t>(a), static_cast<uint32_t>(b)}, #a ", " #b, 0, why},
#define FAIL(name, err, why) {#name, -1, {0, 0}, #err, err, why},
#include "core/syscall_stops.def"
#undef ARG_IN
#undef FAIL
  };
  return conds;
}

const StopCondition* stop_condition(long nr) {
  const SyscallEntry* e = syscall_entry(nr);
  if (!e) return nullptr;
  for (const StopCondition& c : stop_conditions())
    if (strcmp(c.name, e->name) == 0) return &c;
  return nullptr;
}

std::string stop_condition_text(long nr) {
  const StopCondition* c = stop_condition(nr);
  if (!c) return "";
  if (c->fail_errno) return std::string("never: ") + c->value_names + " from the filter";
  std::string names = c->value_names;
  size_t comma = names.find(", ");
  return "only if arg" + std::to_string(c->arg) + " is " + names.substr(0, comma) + " or " + names.substr(comma + 2);
}

}  // namespace det
