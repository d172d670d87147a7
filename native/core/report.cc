#include "core/report.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/guarantees.h"
#include "core/json.h"
#include "core/syscall_table.h"
#include "core/tracer.h"

namespace det {

std::string run_report_json(Tracer& tr, const HostProbe& host) {
  const RunStats& s = tr.stats();
  std::string o = "{\"version\":1";
  o += ",\"exitCode\":" + json_int(tr.exit_code());
  o += ",\"signal\":" + (tr.term_signal() ? json_int(tr.term_signal()) : std::string("null"));
  o += ",\"durationMs\":" + json_num(tr.duration_ms());
  o += ",\"host\":" + probe_to_json(host);
  std::vector<Guarantee> gs = guarantees_for(host);
  o += ",\"guarantees\":{";
  bool first = true;
  for (const Guarantee& g : gs) {
    o += (first ? "" : ",") + json_str(g.source) + ":" + json_str(g.status);
    first = false;
  }
  o += "},\"guaranteeDetails\":{";
  first = true;
  for (const Guarantee& g : gs) {
    o += (first ? "" : ",") + json_str(g.source) + ":" + json_str(g.detail);
    first = false;
  }
  o += "},\"intercepted\":{";
  first = true;
  for (auto& kv : s.intercepted) {
    o += (first ? "" : ",") + json_str(kv.first) + ":" + json_uint(kv.second);
    first = false;
  }
  o += "},\"unsupported\":[";
  first = true;
  for (auto& kv : s.unsupported) {
    o += std::string(first ? "" : ",") + "{\"syscall\":" + json_str(kv.first) + ",\"count\":" +
         json_uint(kv.second.count) + ",\"pid\":" + json_int(kv.second.pid) + "}";
    first = false;
  }
  o += "],\"denied\":{";
  first = true;
  for (auto& kv : s.denied) {
    o += (first ? "" : ",") + json_str(kv.first) + ":" + json_uint(kv.second);
    first = false;
  }
  o += "},\"processes\":" + json_uint(s.processes);
  o += ",\"threads\":" + json_uint(s.threads);
  o += ",\"stops\":" + json_uint(s.stops);
  o += ",\"notifiedStops\":" + json_uint(s.notified);
  o += ",\"bouncedStops\":" + json_uint(s.bounced);
  o += ",\"killedAtExit\":" + json_uint(s.killed_at_exit);
  struct rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  o += ",\"tracerMaxRssKb\":" + json_int(ru.ru_maxrss);
  o += ",\"timedOut\":" + json_bool(tr.timed_out());
  o += ",\"deadlock\":" + json_bool(tr.deadlocked());
  o += ",\"interruptedBy\":" + (tr.interrupted_by() ? json_int(tr.interrupted_by()) : std::string("null"));
  o += ",\"failure\":" + (tr.failure().empty() ? std::string("null") : json_str(tr.failure()));
  o += "}";
  return o;
}

bool write_file_atomic(const std::string& path, const std::string& data, std::string* err) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *err = path + ": " + strerror(errno);
    return false;
  }
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = write(fd, data.data() + off, data.size() - off);
    if (w <= 0) {
      *err = path + ": " + strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    off += static_cast<size_t>(w);
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    *err = path + ": " + strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace det
