// The declarative syscall table (syscall_table.def) as data. See the .def file for the
// meaning of each column; everything else in det derives its view of syscalls from here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace det {

enum class Action : uint8_t { Allow, Trace, Notify, DenyEPERM, DenyENOSYS };
// Whether the tracer handles calls of this action (Trace and Notify: the handlers decide).
inline bool handled(Action a) { return a == Action::Trace || a == Action::Notify; }

struct SyscallEntry {
  int nr;
  const char* name;
  Action action;
  const char* group;
  const char* why;
};

constexpr int kSyscallLimit = 512;  // x86-64 numbers are below this; larger ones are unknown

// The table, sorted by number.
const std::vector<SyscallEntry>& syscall_table();
// The entry for a number, or nullptr for a number the table does not know.
const SyscallEntry* syscall_entry(long nr);
// Name for messages: the table's name, or "syscall_<nr>".
const char* syscall_name(long nr, char (&buf)[32]);
const char* action_name(Action a);

// When a Trace entry needs its stop (syscall_stops.def); absent: always.
struct StopCondition {
  const char* name;
  int arg = -1;          // ARG_IN: the argument compared
  uint32_t values[2] = {0, 0};
  const char* value_names = "";  // "F_SETLKW, F_OFD_SETLKW"
  int fail_errno = 0;            // FAIL: the error the filter returns (arg is -1)
  const char* why;
};
const std::vector<StopCondition>& stop_conditions();
// The condition for a number, or nullptr.
const StopCondition* stop_condition(long nr);
// For the docs: "only if arg1 is F_SETLKW or F_OFD_SETLKW", "never: ENOSYS from the filter", or "".
std::string stop_condition_text(long nr);

}  // namespace det
