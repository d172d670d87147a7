#include <stdlib.h>

#include "ht.h"
#include "util.h"

char ht_tomb_marker;

struct ht *ht_new(size_t cap_hint) {
  struct ht *h = xmalloc(sizeof *h);
  size_t cap = 8;
  while (cap < cap_hint * 2) cap *= 2;
  h->slots = xcalloc(cap, sizeof *h->slots);
  h->cap = cap;
  h->count = h->tombs = 0;
  return h;
}

void ht_free(struct ht *h) {
  if (!h) return;
  for (size_t i = 0; i < h->cap; i++)
    if (h->slots[i].key && h->slots[i].key != HT_TOMB) free(h->slots[i].key);
  free(h->slots);
  free(h);
}

size_t ht_count(const struct ht *h) { return h->count; }
