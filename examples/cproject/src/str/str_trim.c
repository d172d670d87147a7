#include "str.h"

char *str_trim(char *s) {
  while (str_is_space((unsigned char)*s)) s++;
  size_t n = str_len(s);
  while (n > 0 && str_is_space((unsigned char)s[n - 1])) s[--n] = '\0';
  return s;
}
