#include "str.h"

char *str_cat(char *dst, const char *src, size_t cap) {
  size_t n = str_len(dst);
  if (n < cap) str_copy(dst + n, src, cap - n);
  return dst;
}
