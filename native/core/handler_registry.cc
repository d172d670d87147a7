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
std::vector<ExecHook>& exec_hook_list() {
  static std::vector<ExecHook> v;
  return v;
}
std::vector<SignalHook>& signal_hook_list() {
  static std::vector<SignalHook> v;
  return v;
}
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

bool register_exec_hook(ExecHook h) {
  exec_hook_list().push_back(h);
  return true;
}
bool register_signal_hook(SignalHook h) {
  signal_hook_list().push_back(h);
  return true;
}
std::vector<ThreadHook>& stop_hook_list() {
  static std::vector<ThreadHook> v;
  return v;
}
std::vector<ThreadHook>& resume_hook_list() {
  static std::vector<ThreadHook> v;
  return v;
}
bool register_stop_hook(ThreadHook h) {
  stop_hook_list().push_back(h);
  return true;
}
bool register_resume_hook(ThreadHook h) {
  resume_hook_list().push_back(h);
  return true;
}
const std::vector<ThreadHook>& stop_hooks() { return stop_hook_list(); }
const std::vector<ThreadHook>& resume_hooks() { return resume_hook_list(); }
const std::vector<ExecHook>& exec_hooks() { return exec_hook_list(); }
const std::vector<SignalHook>& signal_hooks() { return signal_hook_list(); }

}  // namespace det
