#include <stdlib.h>

#include "ht.h"
#include "str.h"
#include "util.h"

/* Returns the slot holding key (found=1) or the slot where it should go (found=0). */
size_t ht_find_slot(const struct ht *h, const char *key, int *found) {
  size_t mask = h->cap - 1, i = (size_t)hash_fnv1a(key) & mask, first_tomb = (size_t)-1;
  for (;;) {
    const struct ht_entry *e = &h->slots[i];
    if (e->key == NULL) {
      *found = 0;
      return first_tomb != (size_t)-1 ? first_tomb : i;
    }
    if (e->key == HT_TOMB) {
      if (first_tomb == (size_t)-1) first_tomb = i;
    } else if (str_cmp(e->key, key) == 0) {
      *found = 1;
      return i;
    }
    i = (i + 1) & mask;
  }
}

void ht_grow(struct ht *h) {
  struct ht_entry *old = h->slots;
  size_t oldcap = h->cap;
  h->cap *= 2;
  h->slots = xcalloc(h->cap, sizeof *h->slots);
  h->count = h->tombs = 0;
  for (size_t i = 0; i < oldcap; i++) {
    if (old[i].key && old[i].key != HT_TOMB) {
      int found;
      size_t s = ht_find_slot(h, old[i].key, &found);
      h->slots[s] = old[i];
      h->count++;
    }
  }
  free(old);
}

void ht_put(struct ht *h, const char *key, long long value) {
  if ((h->count + h->tombs + 1) * 4 > h->cap * 3) ht_grow(h);
  int found;
  size_t s = ht_find_slot(h, key, &found);
  if (found) {
    h->slots[s].value = value;
    return;
  }
  if (h->slots[s].key == HT_TOMB) h->tombs--;
  h->slots[s].key = str_dup(key);
  h->slots[s].value = value;
  h->count++;
}
