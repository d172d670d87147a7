/* str: a tiny string library (no locale, no surprises) and a string builder. */
#ifndef CALC_STR_H
#define CALC_STR_H
#include <stdarg.h>
#include <stddef.h>

size_t str_len(const char *s);
char *str_copy(char *dst, const char *src, size_t cap); /* always terminates */
int str_cmp(const char *a, const char *b);
int str_ncmp(const char *a, const char *b, size_t n);
char *str_dup(const char *s);
char *str_ndup(const char *s, size_t n);
char *str_cat(char *dst, const char *src, size_t cap);
char *str_trim(char *s); /* in place; returns the first non-space */
size_t str_split(char *s, char sep, char **out, size_t max);
int str_from_int(long long v, int base, char *buf, size_t cap); /* returns length or -1 */
int str_to_int(const char *s, long long *out);                  /* 0 ok, -1 not a number */
int str_is_space(int c);
int str_is_digit(int c);
int str_is_alpha(int c);

struct sbuf {
  char *buf;
  size_t len, cap;
};
void sbuf_init(struct sbuf *b);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap);
const char *sbuf_cstr(struct sbuf *b);
void sbuf_reset(struct sbuf *b);
void sbuf_free(struct sbuf *b);
#endif
