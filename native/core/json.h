// Tiny JSON writing helpers (header-only): string escaping and literal values. Enough to
// emit compact JSON objects by hand; there is no parser here.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace det {

// `s` as a JSON string literal, quotes included. Bytes >= 0x80 pass through unchanged
// (the input is expected to be UTF-8); control characters are \u-escaped.
inline std::string json_str(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += (char)c;
        }
    }
  }
  out += '"';
  return out;
}

inline std::string json_bool(bool b) { return b ? "true" : "false"; }
inline std::string json_int(int64_t v) { return std::to_string(v); }
inline std::string json_uint(uint64_t v) { return std::to_string(v); }

// A finite double with up to 3 decimals (durations in ms); non-finite values become null.
inline std::string json_num(double v) {
  if (!(v == v) || v > 1e300 || v < -1e300) return "null";
  char buf[64];
  snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

}  // namespace det
