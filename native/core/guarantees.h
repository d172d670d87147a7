// What each source of nondeterminism gets on this host: "determinized",
// "unavailable-on-host" or "not-handled". Sources are fixed names (SPEC §3 `guarantees`);
// each policy file states what it covers, and the host probe says what the host allows.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/probe.h"

namespace det {

struct Guarantee {
  std::string source;  // e.g. "time", "randomness", "scheduling"
  std::string status;  // determinized | unavailable-on-host | not-handled
  std::string detail;  // one line: how, or why not
};

std::vector<Guarantee> guarantees_for(const HostProbe& host);

}  // namespace det
