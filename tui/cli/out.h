/* What the command line writes: text from the engine, a registry, a policy or a user made
 * safe for a terminal (api/base/sanitize.h, which turns to ASCII by itself outside a UTF-8
 * locale), tables and JSON documents on stdout. */
#ifndef GB_TUI_CLI_OUT_H
#define GB_TUI_CLI_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Write prefix and s to f, s sanitised for a terminal, then a newline. */
void put_sanitised(FILE *f, const char *prefix, const char *s);

/* Print a table of sanitised cells (row-major, nrows x ncols) under headers, columns
 * separated by two spaces; widths are capped by max_width (NULL or 0 = none). On a terminal
 * (tty) the last column is cut to what is left of the line. */
void table_print(const char *const *headers, const size_t *max_width, size_t ncols,
                 char *const *cells, size_t nrows, bool tty);

/* A JSON document for stdout: pretty, and all non-ASCII escaped when stdout is a terminal
 * (JSON escapes C0 controls but not DEL or C1). Steals j. */
void json_print(json_t *j);

#endif
