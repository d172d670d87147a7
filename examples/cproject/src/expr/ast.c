#include <stdlib.h>

#include "expr.h"
#include "util.h"

static struct node *alloc_node(enum node_kind k) {
  struct node *n = xcalloc(1, sizeof *n);
  n->kind = k;
  return n;
}

struct node *node_num(long long v) {
  struct node *n = alloc_node(N_NUM);
  n->num = v;
  return n;
}

struct node *node_var(const char *name) {
  struct node *n = alloc_node(N_VAR);
  n->name = str_dup(name);
  return n;
}

struct node *node_unary(int op, struct node *a) {
  struct node *n = alloc_node(N_UNARY);
  n->op = op;
  n->a = a;
  return n;
}

struct node *node_binary(int op, struct node *a, struct node *b) {
  struct node *n = alloc_node(N_BINARY);
  n->op = op;
  n->a = a;
  n->b = b;
  return n;
}

struct node *node_call(const char *name, struct node **args, int nargs) {
  struct node *n = alloc_node(N_CALL);
  n->name = str_dup(name);
  n->args = args;
  n->nargs = nargs;
  return n;
}

struct node *node_assign(const char *name, struct node *value) {
  struct node *n = alloc_node(N_ASSIGN);
  n->name = str_dup(name);
  n->a = value;
  return n;
}

void node_free(struct node *n) {
  if (!n) return;
  node_free(n->a);
  node_free(n->b);
  for (int i = 0; i < n->nargs; i++) node_free(n->args[i]);
  free(n->args);
  free(n->name);
  free(n);
}
