#include "ht.h"
#include "str.h"
#include "util.h"

static int by_key(const void *a, const void *b) {
  const struct ht_entry *x = *(const struct ht_entry *const *)a, *y = *(const struct ht_entry *const *)b;
  return str_cmp(x->key, y->key);
}

void ht_each_sorted(const struct ht *h, void (*fn)(const char *key, long long value, void *ctx), void *ctx) {
  struct vec v;
  vec_init(&v);
  for (size_t i = 0; i < h->cap; i++)
    if (h->slots[i].key && h->slots[i].key != HT_TOMB) vec_push(&v, &h->slots[i]);
  vec_sort(&v, by_key);
  for (size_t i = 0; i < v.len; i++) {
    const struct ht_entry *e = vec_get(&v, i);
    fn(e->key, e->value, ctx);
  }
  vec_free(&v);
}
