// The N-API addon: what the JavaScript side asks the native core without running a trace
// (host probe, syscall table, version). Traces run in the dettrace-tracer executable (see
// native/README.md for why a separate process).
#include <napi.h>

#include "core/guarantees.h"
#include "core/json.h"
#include "core/probe.h"
#include "core/syscall_table.h"

namespace {

Napi::Value Probe(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), det::probe_to_json(det::probe_host()));
}

// [{source, status, detail}] for this host: what `dettrace run` determinizes here.
Napi::Value Guarantees(const Napi::CallbackInfo& info) {
  std::string out = "[";
  bool first = true;
  for (const det::Guarantee& g : det::guarantees_for(det::probe_host())) {
    out += std::string(first ? "" : ",") + "{\"source\":" + det::json_str(g.source) +
           ",\"status\":" + det::json_str(g.status) + ",\"detail\":" + det::json_str(g.detail) + "}";
    first = false;
  }
  return Napi::String::New(info.Env(), out + "]");
}

Napi::Value SyscallTable(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto& table = det::syscall_table();
  Napi::Array out = Napi::Array::New(env, table.size());
  uint32_t i = 0;
  for (const det::SyscallEntry& e : table) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("nr", e.nr);
    o.Set("name", e.name);
    o.Set("action", det::action_name(e.action));
    o.Set("group", e.group);
    o.Set("why", e.why);
    out.Set(i++, o);
  }
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("probe", Napi::Function::New(env, Probe));
  exports.Set("guarantees", Napi::Function::New(env, Guarantees));
  exports.Set("syscallTable", Napi::Function::New(env, SyscallTable));
  exports.Set("version", Napi::String::New(env, "1"));
  return exports;
}

}  // namespace

NODE_API_MODULE(dettrace, Init)
