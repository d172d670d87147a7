// A tracee's memory map as /proc/<pid>/maps lists it. Read once per exec (Process::
// exec_maps), where time.cc (the vDSO) and cpu_tsc.cc (the loader) both look, and reused
// later for what exec put in place and nothing moves (the vDSO, the dynamic loader).
#pragma once
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace det {

struct MapLine {
  uint64_t start = 0, end = 0, off = 0;
  unsigned long ino = 0;
  std::string perms;  // "r-xp"
  std::string dev;    // "maj:min"
  std::string path;   // "" for anonymous mappings; "[vdso]", "[stack]"...
};

// False if the file cannot be read (the process is gone).
bool read_proc_maps(pid_t pid, std::vector<MapLine>* out);

}  // namespace det
