/* calc: an integer calculator. Reads statements (separated by newlines or ';') from the
 * files named on the command line, or from -e arguments, or from stdin, and prints each
 * result. Statements: EXPR, NAME = EXPR, :vars, :unset NAME, :ast EXPR, :hex EXPR, :help.
 * Exit status: 0; 1 if a statement failed (unless -k); 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>

#include "expr.h"
#include "str.h"
#include "util.h"
#include "vars.h"

#define CALC_VERSION "1.0.0"

static int errors;
static int keep_going;

static void run_statement(struct ht *vars, char *stmt, const char *where, struct sbuf *out) {
  char err[160];
  stmt = str_trim(stmt);
  if (!*stmt || *stmt == '#') return;
  if (stmt[0] == ':') {
    if (str_cmp(stmt, ":vars") == 0) {
      vars_dump(vars, out);
    } else if (str_cmp(stmt, ":help") == 0) {
      for (int i = 0; i < builtin_count; i++)
        sbuf_printf(out, "%s/%d: %s\n", builtin_table[i].name, builtin_table[i].arity, builtin_table[i].help);
    } else if (str_ncmp(stmt, ":unset ", 7) == 0) {
      char *name = str_trim(stmt + 7);
      sbuf_printf(out, "%s %s\n", vars_unset(vars, name) ? "unset" : "no such variable", name);
    } else if (str_ncmp(stmt, ":ast ", 5) == 0 || str_ncmp(stmt, ":hex ", 5) == 0) {
      struct node *n;
      if (parse(stmt + 5, &n, err, sizeof err) != 0) {
        sbuf_printf(out, "%s: error: %s\n", where, err);
        errors++;
        return;
      }
      if (stmt[1] == 'a') {
        node_print(n, out);
        sbuf_putc(out, '\n');
      } else {
        long long v;
        char num[72];
        if (eval(n, vars, &v, err, sizeof err) != 0) {
          sbuf_printf(out, "%s: error: %s\n", where, err);
          errors++;
        } else {
          str_from_int(v, 16, num, sizeof num);
          sbuf_printf(out, "0x%s\n", num);
        }
      }
      node_free(n);
    } else {
      sbuf_printf(out, "%s: error: unknown command %s\n", where, stmt);
      errors++;
    }
    return;
  }
  struct node *n;
  if (parse(stmt, &n, err, sizeof err) != 0) {
    sbuf_printf(out, "%s: error: %s\n", where, err);
    errors++;
    return;
  }
  long long v;
  if (eval(n, vars, &v, err, sizeof err) != 0) {
    sbuf_printf(out, "%s: error: %s\n", where, err);
    errors++;
  } else {
    char num[32];
    str_from_int(v, 10, num, sizeof num);
    if (n->kind == N_ASSIGN) sbuf_printf(out, "%s = %s\n", n->name, num);
    else sbuf_printf(out, "%s\n", num);
    ht_put(vars, "ans", v);
  }
  node_free(n);
}

static void run_line(struct ht *vars, char *line, const char *where, struct sbuf *out) {
  char *parts[64];
  size_t n = str_split(line, ';', parts, 64);
  for (size_t i = 0; i < n; i++) run_statement(vars, parts[i], where, out);
}

static void run_stream(struct ht *vars, FILE *f, const char *name, struct sbuf *out) {
  char line[1024], where[300];
  int lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    snprintf(where, sizeof where, "%s:%d", name, lineno);
    run_line(vars, line, where, out);
    fputs(sbuf_cstr(out), stdout);
    sbuf_reset(out);
  }
}

int main(int argc, char **argv) {
  struct ht *vars = vars_new();
  struct sbuf out;
  sbuf_init(&out);
  int did_something = 0;
  for (int i = 1; i < argc; i++) {
    if (str_cmp(argv[i], "--version") == 0) {
      printf("calc " CALC_VERSION "\n");
      did_something = 1;
    } else if (str_cmp(argv[i], "-k") == 0) {
      keep_going = 1;
    } else if (str_cmp(argv[i], "-e") == 0) {
      if (++i == argc) die("-e needs an expression");
      char *copy = str_dup(argv[i]);
      run_line(vars, copy, "-e", &out);
      free(copy);
      fputs(sbuf_cstr(&out), stdout);
      sbuf_reset(&out);
      did_something = 1;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "usage: calc [-k] [--version] [-e EXPR]... [FILE...]\n");
      return 2;
    } else {
      FILE *f = str_cmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");
      if (!f) die("cannot open %s", argv[i]);
      run_stream(vars, f, argv[i], &out);
      if (f != stdin) fclose(f);
      did_something = 1;
    }
  }
  if (!did_something) run_stream(vars, stdin, "stdin", &out);
  sbuf_free(&out);
  ht_free(vars);
  return errors && !keep_going ? 1 : 0;
}
