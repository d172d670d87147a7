/* ht: an open-addressing hash table from strings to 64-bit integers (FNV-1a, linear
 * probing, tombstones, doubling). */
#ifndef CALC_HT_H
#define CALC_HT_H
#include <stddef.h>
#include <stdint.h>

struct ht_entry {
  char *key; /* NULL: empty; HT_TOMB: deleted */
  long long value;
};
struct ht {
  struct ht_entry *slots;
  size_t cap, count, tombs;
};
extern char ht_tomb_marker;
#define HT_TOMB (&ht_tomb_marker)

uint64_t hash_fnv1a(const char *s);
struct ht *ht_new(size_t cap_hint);
void ht_free(struct ht *h);
void ht_put(struct ht *h, const char *key, long long value);
int ht_get(const struct ht *h, const char *key, long long *out);
int ht_del(struct ht *h, const char *key);
size_t ht_count(const struct ht *h);
/* calls fn for every entry, in key order (sorted), so the output never depends on hashing */
void ht_each_sorted(const struct ht *h, void (*fn)(const char *key, long long value, void *ctx), void *ctx);
/* internal */
size_t ht_find_slot(const struct ht *h, const char *key, int *found);
void ht_grow(struct ht *h);
#endif
