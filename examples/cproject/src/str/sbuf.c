#include <stdio.h>
#include <stdlib.h>

#include "str.h"
#include "util.h"

void sbuf_init(struct sbuf *b) {
  b->cap = 64;
  b->len = 0;
  b->buf = xmalloc(b->cap);
  b->buf[0] = '\0';
}

static void reserve(struct sbuf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  while (b->len + extra + 1 > b->cap) b->cap *= 2;
  b->buf = xrealloc(b->buf, b->cap);
}

void sbuf_putc(struct sbuf *b, char c) {
  reserve(b, 1);
  b->buf[b->len++] = c;
  b->buf[b->len] = '\0';
}

void sbuf_puts(struct sbuf *b, const char *s) {
  size_t n = str_len(s);
  reserve(b, n);
  str_copy(b->buf + b->len, s, n + 1);
  b->len += n;
}

void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return;
  reserve(b, (size_t)n);
  vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sbuf_vprintf(b, fmt, ap);
  va_end(ap);
}

const char *sbuf_cstr(struct sbuf *b) { return b->buf; }

void sbuf_reset(struct sbuf *b) {
  b->len = 0;
  b->buf[0] = '\0';
}

void sbuf_free(struct sbuf *b) {
  free(b->buf);
  b->buf = NULL;
  b->len = b->cap = 0;
}
