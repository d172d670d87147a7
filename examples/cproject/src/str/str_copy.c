#include "str.h"

char *str_copy(char *dst, const char *src, size_t cap) {
  if (cap == 0) return dst;
  size_t i = 0;
  for (; i + 1 < cap && src[i]; i++) dst[i] = src[i];
  dst[i] = '\0';
  return dst;
}
