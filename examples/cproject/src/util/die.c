#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("calc: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}
