#include "ht.h"

int ht_get(const struct ht *h, const char *key, long long *out) {
  int found;
  size_t s = ht_find_slot(h, key, &found);
  if (found && out) *out = h->slots[s].value;
  return found;
}
