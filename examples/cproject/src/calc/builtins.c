#include <stdio.h>

#include "expr.h"
#include "optab.h"

#define BI(name) int bi_##name(const long long *a, int n, long long *out, char *err, size_t errcap)
#define UNUSED_BI (void)a, (void)n, (void)err, (void)errcap

BI(abs) {
  UNUSED_BI;
  *out = a[0] < 0 ? (long long)(0ULL - (unsigned long long)a[0]) : a[0];
  return 0;
}

BI(min) {
  UNUSED_BI;
  long long m = a[0];
  for (int i = 1; i < n; i++)
    if (a[i] < m) m = a[i];
  *out = m;
  return 0;
}

BI(max) {
  UNUSED_BI;
  long long m = a[0];
  for (int i = 1; i < n; i++)
    if (a[i] > m) m = a[i];
  *out = m;
  return 0;
}

BI(sum) {
  UNUSED_BI;
  unsigned long long s = 0;
  for (int i = 0; i < n; i++) s += (unsigned long long)a[i];
  *out = (long long)s;
  return 0;
}

static long long gcd(long long x, long long y) {
  if (x < 0) x = -x;
  if (y < 0) y = -y;
  while (y) {
    long long t = x % y;
    x = y;
    y = t;
  }
  return x;
}

BI(gcd) {
  UNUSED_BI;
  *out = gcd(a[0], a[1]);
  return 0;
}

BI(lcm) {
  UNUSED_BI;
  long long g = gcd(a[0], a[1]);
  *out = g ? (a[0] / g) * a[1] : 0;
  if (*out < 0) *out = -*out;
  return 0;
}

BI(fact) {
  UNUSED_BI;
  if (a[0] < 0 || a[0] > 20) {
    snprintf(err, errcap, "fact: argument out of range (0..20)");
    return -1;
  }
  long long r = 1;
  for (long long i = 2; i <= a[0]; i++) r *= i;
  *out = r;
  return 0;
}

BI(fib) {
  UNUSED_BI;
  if (a[0] < 0 || a[0] > 92) {
    snprintf(err, errcap, "fib: argument out of range (0..92)");
    return -1;
  }
  long long x = 0, y = 1;
  for (long long i = 0; i < a[0]; i++) {
    long long t = x + y;
    x = y;
    y = t;
  }
  *out = x;
  return 0;
}

BI(isqrt) {
  UNUSED_BI;
  if (a[0] < 0) {
    snprintf(err, errcap, "isqrt: negative argument");
    return -1;
  }
  unsigned long long v = (unsigned long long)a[0], r = 0, bit = 1ULL << 62;
  while (bit > v) bit >>= 2;
  while (bit) {
    if (v >= r + bit) {
      v -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
    bit >>= 2;
  }
  *out = (long long)r;
  return 0;
}

BI(pow) {
  UNUSED_BI;
  if (a[1] < 0) {
    snprintf(err, errcap, "pow: negative exponent");
    return -1;
  }
  unsigned long long r = 1, b = (unsigned long long)a[0];
  for (long long e = a[1]; e; e >>= 1) {
    if (e & 1) r *= b;
    b *= b;
  }
  *out = (long long)r;
  return 0;
}

BI(bits) {
  UNUSED_BI;
  unsigned long long v = (unsigned long long)a[0];
  int c = 0;
  for (; v; v &= v - 1) c++;
  *out = c;
  return 0;
}

BI(sign) {
  UNUSED_BI;
  *out = (a[0] > 0) - (a[0] < 0);
  return 0;
}

/* builtin_table is sorted by name (gentab sorts it): binary search */
const struct builtin *builtin_find(const char *name) {
  int lo = 0, hi = builtin_count - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    int c = str_cmp(name, builtin_table[mid].name);
    if (c == 0) return &builtin_table[mid];
    if (c < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return NULL;
}
