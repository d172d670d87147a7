#ifndef CALC_VARS_H
#define CALC_VARS_H
#include "ht.h"
#include "str.h"

struct ht *vars_new(void);
void vars_dump(const struct ht *v, struct sbuf *out);
int vars_unset(struct ht *v, const char *name);
#endif
