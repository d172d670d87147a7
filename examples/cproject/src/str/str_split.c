#include "str.h"

/* Splits s in place at every sep; returns the number of fields (at most max). */
size_t str_split(char *s, char sep, char **out, size_t max) {
  size_t n = 0;
  if (max == 0) return 0;
  out[n++] = s;
  for (char *p = s; *p; p++) {
    if (*p == sep) {
      *p = '\0';
      if (n == max) break;
      out[n++] = p + 1;
    }
  }
  return n;
}
