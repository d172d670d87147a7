#include "str.h"

int str_from_int(long long v, int base, char *buf, size_t cap) {
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  char tmp[72];
  size_t n = 0;
  if (base < 2 || base > 36 || cap == 0) return -1;
  unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
  do {
    tmp[n++] = digits[u % (unsigned)base];
    u /= (unsigned)base;
  } while (u);
  if (v < 0) tmp[n++] = '-';
  if (n + 1 > cap) return -1;
  for (size_t i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  buf[n] = '\0';
  return (int)n;
}

int str_to_int(const char *s, long long *out) {
  int neg = 0;
  unsigned long long v = 0;
  if (*s == '-' || *s == '+') neg = *s++ == '-';
  if (!str_is_digit((unsigned char)*s)) return -1;
  for (; str_is_digit((unsigned char)*s); s++) v = v * 10 + (unsigned)(*s - '0');
  if (*s) return -1;
  *out = neg ? (long long)(0ULL - v) : (long long)v;
  return 0;
}
