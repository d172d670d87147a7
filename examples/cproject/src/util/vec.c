#include <stdlib.h>

#include "util.h"

void vec_init(struct vec *v) {
  v->items = NULL;
  v->len = v->cap = 0;
}

void vec_push(struct vec *v, void *item) {
  if (v->len == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 8;
    v->items = xrealloc(v->items, v->cap * sizeof *v->items);
  }
  v->items[v->len++] = item;
}

void *vec_get(const struct vec *v, size_t i) {
  if (i >= v->len) die("vec index %zu out of range (%zu)", i, v->len);
  return v->items[i];
}

void vec_sort(struct vec *v, int (*cmp)(const void *a, const void *b)) {
  if (v->len > 1) qsort(v->items, v->len, sizeof *v->items, cmp);
}

void vec_free(struct vec *v) {
  free(v->items);
  vec_init(v);
}
