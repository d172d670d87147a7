#include "vars.h"

#include "str.h"

struct ht *vars_new(void) {
  struct ht *v = ht_new(16);
  ht_put(v, "answer", 42);
  ht_put(v, "kilo", 1000);
  ht_put(v, "mega", 1000000);
  return v;
}

static void dump_one(const char *key, long long value, void *ctx) {
  struct sbuf *out = ctx;
  char num[32];
  str_from_int(value, 10, num, sizeof num);
  sbuf_printf(out, "%s = %s\n", key, num);
}

void vars_dump(const struct ht *v, struct sbuf *out) { ht_each_sorted(v, dump_one, out); }

int vars_unset(struct ht *v, const char *name) { return ht_del(v, name); }
