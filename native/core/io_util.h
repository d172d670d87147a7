// Small I/O helpers shared by the tracer and the processes it starts.
#pragma once
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

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

// Appends what is left to read from fd to *out; false on a read error.
inline bool read_all(int fd, std::string* out) {
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out->append(buf, static_cast<size_t>(n));
  return n == 0;
}

// The whole file at path (a /proc file, typically); false when it cannot be opened or read.
inline bool read_file(const std::string& path, std::string* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->clear();
  bool ok = read_all(fd, out);
  close(fd);
  return ok;
}

// The lines of text, without their '\n' (a last line without one included, no empty line
// after a final '\n'): how the /proc files the tracer reads are walked.
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(i, nl - i));
    i = nl + 1;
  }
  return lines;
}

}  // namespace det
