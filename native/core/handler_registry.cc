#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "core/handler.h"

namespace det {

namespace {
std::map<std::string, std::vector<std::pair<int, Handler>>>& registry() {
  static std::map<std::string, std::vector<std::pair<int, Handler>>> r;
  return r;
}

// One list per kind of hook, in registration order (static initialisation of the policy
// files). Kind tells apart lists of the same function type: exec (0), stop and resume
// hooks are all void (*)(Tracer&, Thread&).
template <class Hook, int Kind = 0>
std::vector<Hook>& hook_list() {
  static std::vector<Hook> v;
  return v;
}
template <class Hook, int Kind = 0>
bool add_hook(Hook h) {
  hook_list<Hook, Kind>().push_back(h);
  return true;
}
constexpr int kStop = 1, kResume = 2;
}  // namespace

bool register_handler(const char* name, Handler h, int order) {
  auto& v = registry()[name];
  v.emplace_back(order, h);
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return true;
}

std::vector<Handler> find_handlers(const char* name) {
  std::vector<Handler> out;
  auto it = registry().find(name);
  if (it != registry().end())
    for (auto& p : it->second) out.push_back(p.second);
  return out;
}

bool register_exec_hook(ExecHook h) { return add_hook(h); }
bool register_signal_hook(SignalHook h) { return add_hook(h); }
bool register_stop_hook(ThreadHook h) { return add_hook<ThreadHook, kStop>(h); }
bool register_resume_hook(ThreadHook h) { return add_hook<ThreadHook, kResume>(h); }
const std::vector<ExecHook>& exec_hooks() { return hook_list<ExecHook>(); }
const std::vector<SignalHook>& signal_hooks() { return hook_list<SignalHook>(); }
const std::vector<ThreadHook>& stop_hooks() { return hook_list<ThreadHook, kStop>(); }
const std::vector<ThreadHook>& resume_hooks() { return hook_list<ThreadHook, kResume>(); }

}  // namespace det
