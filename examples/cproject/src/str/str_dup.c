#include "str.h"
#include "util.h"

char *str_dup(const char *s) { return str_ndup(s, str_len(s)); }

char *str_ndup(const char *s, size_t n) {
  size_t len = 0;
  while (len < n && s[len]) len++;
  char *d = xmalloc(len + 1);
  for (size_t i = 0; i < len; i++) d[i] = s[i];
  d[len] = '\0';
  return d;
}
