#include "expr.h"

static const char *op_text(int op) {
  switch (op) {
    case 'L': return "<=";
    case 'G': return ">=";
    case 'E': return "==";
    case 'N': return "!=";
    case '+': return "+";
    case '-': return "-";
    case '*': return "*";
    case '/': return "/";
    case '%': return "%";
    case '^': return "^";
    case '<': return "<";
    case '>': return ">";
    case '&': return "&";
    case '|': return "|";
    default: return "?";
  }
}

/* Fully parenthesized form: shows how the parser grouped things. */
void node_print(const struct node *n, struct sbuf *out) {
  char num[32];
  switch (n->kind) {
    case N_NUM:
      str_from_int(n->num, 10, num, sizeof num);
      sbuf_puts(out, num);
      break;
    case N_VAR: sbuf_puts(out, n->name); break;
    case N_UNARY:
      sbuf_puts(out, "(-");
      node_print(n->a, out);
      sbuf_putc(out, ')');
      break;
    case N_BINARY:
      sbuf_putc(out, '(');
      node_print(n->a, out);
      sbuf_printf(out, " %s ", op_text(n->op));
      node_print(n->b, out);
      sbuf_putc(out, ')');
      break;
    case N_CALL:
      sbuf_puts(out, n->name);
      sbuf_putc(out, '(');
      for (int i = 0; i < n->nargs; i++) {
        if (i) sbuf_puts(out, ", ");
        node_print(n->args[i], out);
      }
      sbuf_putc(out, ')');
      break;
    case N_ASSIGN:
      sbuf_printf(out, "%s = ", n->name);
      node_print(n->a, out);
      break;
  }
}
