#include <stdio.h>

#include "expr.h"
#include "util.h"

/* Integer arithmetic wraps around (two's complement) instead of being undefined. */
static long long wrap_add(long long a, long long b) { return (long long)((unsigned long long)a + (unsigned long long)b); }
static long long wrap_sub(long long a, long long b) { return (long long)((unsigned long long)a - (unsigned long long)b); }
static long long wrap_mul(long long a, long long b) { return (long long)((unsigned long long)a * (unsigned long long)b); }

static int ipow(long long b, long long e, long long *out, char *err, size_t errcap) {
  if (e < 0) {
    snprintf(err, errcap, "negative exponent");
    return -1;
  }
  long long r = 1;
  while (e) {
    if (e & 1) r = wrap_mul(r, b);
    b = wrap_mul(b, b);
    e >>= 1;
  }
  *out = r;
  return 0;
}

int eval(const struct node *n, struct ht *vars, long long *out, char *err, size_t errcap) {
  long long a, b;
  switch (n->kind) {
    case N_NUM: *out = n->num; return 0;
    case N_VAR:
      if (!ht_get(vars, n->name, out)) {
        snprintf(err, errcap, "unknown variable '%s'", n->name);
        return -1;
      }
      return 0;
    case N_UNARY:
      if (eval(n->a, vars, &a, err, errcap)) return -1;
      *out = wrap_sub(0, a);
      return 0;
    case N_ASSIGN:
      if (eval(n->a, vars, &a, err, errcap)) return -1;
      ht_put(vars, n->name, a);
      *out = a;
      return 0;
    case N_CALL: {
      const struct builtin *bi = builtin_find(n->name);
      if (!bi) {
        snprintf(err, errcap, "unknown function '%s'", n->name);
        return -1;
      }
      if ((bi->arity >= 0 && n->nargs != bi->arity) || (bi->arity < 0 && n->nargs < 1)) {
        snprintf(err, errcap, "%s takes %s%d argument%s, not %d", n->name, bi->arity < 0 ? "at least " : "",
                 bi->arity < 0 ? 1 : bi->arity, bi->arity == 1 || bi->arity < 0 ? "" : "s", n->nargs);
        return -1;
      }
      long long args[16];
      if (n->nargs > 16) {
        snprintf(err, errcap, "too many arguments");
        return -1;
      }
      for (int i = 0; i < n->nargs; i++)
        if (eval(n->args[i], vars, &args[i], err, errcap)) return -1;
      return bi->fn(args, n->nargs, out, err, errcap);
    }
    case N_BINARY:
      if (eval(n->a, vars, &a, err, errcap) || eval(n->b, vars, &b, err, errcap)) return -1;
      switch (n->op) {
        case '+': *out = wrap_add(a, b); return 0;
        case '-': *out = wrap_sub(a, b); return 0;
        case '*': *out = wrap_mul(a, b); return 0;
        case '/':
        case '%':
          if (b == 0) {
            snprintf(err, errcap, "division by zero");
            return -1;
          }
          if (b == -1) *out = n->op == '/' ? wrap_sub(0, a) : 0;
          else *out = n->op == '/' ? a / b : a % b;
          return 0;
        case '^': return ipow(a, b, out, err, errcap);
        case '<': *out = a < b; return 0;
        case '>': *out = a > b; return 0;
        case 'L': *out = a <= b; return 0;
        case 'G': *out = a >= b; return 0;
        case 'E': *out = a == b; return 0;
        case 'N': *out = a != b; return 0;
        case '&': *out = a & b; return 0;
        case '|': *out = a | b; return 0;
        default: break;
      }
      break;
  }
  snprintf(err, errcap, "internal error: bad node");
  return -1;
}
