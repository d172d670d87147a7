// Small I/O helpers shared by the tracer and the processes it starts.
#pragma once
#include <string>
#include <unistd.h>

namespace det {

// Writes all of s to fd (async-signal-safe: only write(2)); gives up on an error.
inline void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  size_t n = s.size();
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace det
