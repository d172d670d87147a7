#include "str.h"

size_t str_len(const char *s) {
  const char *p = s;
  while (*p) p++;
  return (size_t)(p - s);
}

int str_is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
int str_is_digit(int c) { return c >= '0' && c <= '9'; }
int str_is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
