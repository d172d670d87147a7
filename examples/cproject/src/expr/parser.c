#include <stdio.h>

#include "expr.h"
#include "util.h"

struct parser {
  struct lexer lx;
  char *err;
  size_t errcap;
  int failed;
};

static void fail(struct parser *p, const char *msg) {
  if (p->failed) return;
  p->failed = 1;
  if (p->lx.cur.kind == T_END) snprintf(p->err, p->errcap, "%s at end of input", msg);
  else snprintf(p->err, p->errcap, "%s at column %zu", msg, p->lx.pos);
}

static struct node *expr(struct parser *p);
static struct node *unary(struct parser *p);

static struct node *primary(struct parser *p) {
  struct token t = p->lx.cur;
  if (t.kind == T_NUM) {
    lex_next(&p->lx);
    return node_num(t.num);
  }
  if (t.kind == T_IDENT) {
    lex_next(&p->lx);
    if (p->lx.cur.kind != T_LPAREN) return node_var(t.text);
    lex_next(&p->lx);
    struct vec args;
    vec_init(&args);
    if (p->lx.cur.kind != T_RPAREN) {
      for (;;) {
        struct node *a = expr(p);
        if (!a) break;
        vec_push(&args, a);
        if (p->lx.cur.kind != T_COMMA) break;
        lex_next(&p->lx);
      }
    }
    if (p->lx.cur.kind != T_RPAREN) fail(p, "expected ')' after arguments");
    else lex_next(&p->lx);
    struct node **arr = NULL;
    if (args.len) {
      arr = xmalloc(args.len * sizeof *arr);
      for (size_t i = 0; i < args.len; i++) arr[i] = vec_get(&args, i);
    }
    int n = (int)args.len;
    vec_free(&args);
    return node_call(t.text, arr, n);
  }
  if (t.kind == T_LPAREN) {
    lex_next(&p->lx);
    struct node *e = expr(p);
    if (p->lx.cur.kind != T_RPAREN) {
      fail(p, "expected ')'");
      return e;
    }
    lex_next(&p->lx);
    return e;
  }
  if (t.kind == T_ERR) fail(p, "unexpected character");
  else fail(p, "expected a number, a name or '('");
  return NULL;
}

static struct node *power(struct parser *p) {
  struct node *base = primary(p);
  if (base && p->lx.cur.kind == T_OP && p->lx.cur.op == '^') {
    lex_next(&p->lx);
    struct node *e = unary(p); /* right associative */
    return node_binary('^', base, e);
  }
  return base;
}

static struct node *unary(struct parser *p) {
  if (p->lx.cur.kind == T_OP && p->lx.cur.op == '-') {
    lex_next(&p->lx);
    return node_unary('-', unary(p));
  }
  if (p->lx.cur.kind == T_OP && p->lx.cur.op == '+') {
    lex_next(&p->lx);
    return unary(p);
  }
  return power(p);
}

typedef struct node *(*level_fn)(struct parser *);

static struct node *binary_level(struct parser *p, level_fn next, const char *ops) {
  struct node *a = next(p);
  while (a && p->lx.cur.kind == T_OP) {
    int op = p->lx.cur.op, match = 0;
    for (const char *o = ops; *o; o++)
      if (*o == op) match = 1;
    if (!match) break;
    lex_next(&p->lx);
    a = node_binary(op, a, next(p));
  }
  return a;
}

static struct node *mul(struct parser *p) { return binary_level(p, unary, "*/%"); }
static struct node *add(struct parser *p) { return binary_level(p, mul, "+-"); }
static struct node *cmp(struct parser *p) { return binary_level(p, add, "<>LGEN"); }
static struct node *band(struct parser *p) { return binary_level(p, cmp, "&"); }
static struct node *expr(struct parser *p) { return binary_level(p, band, "|"); }

int parse(const char *src, struct node **out, char *err, size_t errcap) {
  struct parser p = {.err = err, .errcap = errcap, .failed = 0};
  lex_init(&p.lx, src);
  struct node *n;
  /* assignment: IDENT '=' expr (look ahead without a token buffer: re-lex) */
  if (p.lx.cur.kind == T_IDENT) {
    struct lexer save = p.lx;
    char name[64];
    str_copy(name, p.lx.cur.text, sizeof name);
    lex_next(&p.lx);
    if (p.lx.cur.kind == T_ASSIGN) {
      lex_next(&p.lx);
      n = node_assign(name, expr(&p));
    } else {
      p.lx = save;
      n = expr(&p);
    }
  } else {
    n = expr(&p);
  }
  if (!p.failed && p.lx.cur.kind != T_END) fail(&p, "unexpected input");
  if (!p.failed && n && n->kind == N_ASSIGN && !n->a) fail(&p, "missing value");
  if (p.failed || !n) {
    if (!p.failed) fail(&p, "empty expression");
    node_free(n);
    *out = NULL;
    return -1;
  }
  *out = n;
  return 0;
}
