#include "expr.h"

void lex_init(struct lexer *lx, const char *src) {
  lx->src = src;
  lx->pos = 0;
  lex_next(lx);
}

void lex_next(struct lexer *lx) {
  const char *s = lx->src;
  struct token *t = &lx->cur;
  while (str_is_space((unsigned char)s[lx->pos])) lx->pos++;
  t->text[0] = '\0';
  t->num = 0;
  t->op = 0;
  char c = s[lx->pos];
  if (c == '\0' || c == '#') {
    t->kind = T_END;
    return;
  }
  if (str_is_digit((unsigned char)c)) {
    long long v = 0;
    int base = 10;
    if (c == '0' && (s[lx->pos + 1] == 'x' || s[lx->pos + 1] == 'X')) {
      base = 16;
      lx->pos += 2;
    }
    for (;;) {
      char d = s[lx->pos];
      int dv;
      if (str_is_digit((unsigned char)d)) dv = d - '0';
      else if (base == 16 && d >= 'a' && d <= 'f') dv = d - 'a' + 10;
      else if (base == 16 && d >= 'A' && d <= 'F') dv = d - 'A' + 10;
      else break;
      v = (long long)((unsigned long long)v * (unsigned)base + (unsigned)dv);
      lx->pos++;
    }
    t->kind = T_NUM;
    t->num = v;
    return;
  }
  if (str_is_alpha((unsigned char)c)) {
    size_t n = 0;
    while (str_is_alpha((unsigned char)s[lx->pos]) || str_is_digit((unsigned char)s[lx->pos])) {
      if (n + 1 < sizeof t->text) t->text[n++] = s[lx->pos];
      lx->pos++;
    }
    t->text[n] = '\0';
    t->kind = T_IDENT;
    return;
  }
  lx->pos++;
  char next = s[lx->pos];
  switch (c) {
    case '(': t->kind = T_LPAREN; return;
    case ')': t->kind = T_RPAREN; return;
    case ',': t->kind = T_COMMA; return;
    case '=':
      if (next == '=') {
        lx->pos++;
        t->kind = T_OP;
        t->op = 'E';
      } else {
        t->kind = T_ASSIGN;
      }
      return;
    case '<':
    case '>':
    case '!':
      if (next == '=') {
        lx->pos++;
        t->kind = T_OP;
        t->op = c == '<' ? 'L' : c == '>' ? 'G' : 'N';
        return;
      }
      if (c == '!') break;
      t->kind = T_OP;
      t->op = c;
      return;
    case '+': case '-': case '*': case '/': case '%': case '^': case '&': case '|':
      t->kind = T_OP;
      t->op = c;
      return;
    default: break;
  }
  t->kind = T_ERR;
  t->text[0] = c;
  t->text[1] = '\0';
}
