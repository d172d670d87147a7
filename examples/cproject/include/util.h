/* util: allocation that cannot fail, fatal errors, a growable pointer vector. */
#ifndef CALC_UTIL_H
#define CALC_UTIL_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

struct vec {
  void **items;
  size_t len, cap;
};
void vec_init(struct vec *v);
void vec_push(struct vec *v, void *item);
void *vec_get(const struct vec *v, size_t i);
void vec_sort(struct vec *v, int (*cmp)(const void *a, const void *b));
void vec_free(struct vec *v);
#endif
