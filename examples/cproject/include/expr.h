/* expr: lexer, recursive-descent parser, AST and evaluator for integer expressions with
 * variables, assignment and builtin function calls. */
#ifndef CALC_EXPR_H
#define CALC_EXPR_H
#include "ht.h"
#include "str.h"

enum tok_kind { T_END, T_NUM, T_IDENT, T_OP, T_LPAREN, T_RPAREN, T_COMMA, T_ASSIGN, T_ERR };
struct token {
  enum tok_kind kind;
  long long num;
  char text[64];
  int op; /* for T_OP: the operator character, or 'L' <=, 'G' >=, 'E' ==, 'N' != */
};
struct lexer {
  const char *src;
  size_t pos;
  struct token cur;
};
void lex_init(struct lexer *lx, const char *src);
void lex_next(struct lexer *lx);

enum node_kind { N_NUM, N_VAR, N_UNARY, N_BINARY, N_CALL, N_ASSIGN };
struct node {
  enum node_kind kind;
  long long num;
  char *name;
  int op;
  struct node *a, *b;
  struct node **args;
  int nargs;
};
struct node *node_num(long long v);
struct node *node_var(const char *name);
struct node *node_unary(int op, struct node *a);
struct node *node_binary(int op, struct node *a, struct node *b);
struct node *node_call(const char *name, struct node **args, int nargs);
struct node *node_assign(const char *name, struct node *value);
void node_free(struct node *n);
void node_print(const struct node *n, struct sbuf *out);

/* 0 on success; on error, a message in err */
int parse(const char *src, struct node **out, char *err, size_t errcap);

struct builtin {
  const char *name;
  int arity; /* -1: one or more */
  int (*fn)(const long long *args, int n, long long *out, char *err, size_t errcap);
  const char *help;
};
extern const struct builtin builtin_table[];
extern const int builtin_count;
const struct builtin *builtin_find(const char *name);

int eval(const struct node *n, struct ht *vars, long long *out, char *err, size_t errcap);
#endif
