#include "core/proc_maps.h"

#include <cstdio>

#include "core/io_util.h"

namespace det {

bool read_proc_maps(pid_t pid, std::vector<MapLine>* out) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/maps", pid);
  std::string text;
  if (!read_file(path, &text)) return false;
  out->clear();
  for (const std::string& line : split_lines(text)) {
    MapLine m;
    char perms[8], dev[32];
    int name_at = -1;
    unsigned long long s, e, off;
    if (sscanf(line.c_str(), "%llx-%llx %7s %llx %31s %lu %n", &s, &e, perms, &off, dev, &m.ino, &name_at) < 6) continue;
    m.start = s;
    m.end = e;
    m.off = off;
    m.perms = perms;
    m.dev = dev;
    if (name_at > 0 && static_cast<size_t>(name_at) < line.size()) m.path = line.substr(static_cast<size_t>(name_at));
    out->push_back(std::move(m));
  }
  return true;
}

}  // namespace det
