#include <stdlib.h>

#include "ht.h"

int ht_del(struct ht *h, const char *key) {
  int found;
  size_t s = ht_find_slot(h, key, &found);
  if (!found) return 0;
  free(h->slots[s].key);
  h->slots[s].key = HT_TOMB;
  h->count--;
  h->tombs++;
  return 1;
}
