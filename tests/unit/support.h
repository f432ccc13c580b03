/* Shared by the cmocka unit tests (linked into every tests/unit/test_*.c binary). */
#ifndef GB_TESTS_SUPPORT_H
#define GB_TESTS_SUPPORT_H

#include <curses.h>
#include <stddef.h>

#include "widgets/widget.h"
#include "widgets/wrap.h"

/* Read tests/fixtures/<name> (relative to the repository root, where tests/run.sh runs the
 * binaries; $GB_ROOT overrides). Returns a malloc'd NUL-terminated buffer and its length in
 * *len (may be NULL); aborts the test program when the file is missing. */
char *fixture_read(const char *name, size_t *len);

/* For the widget tests that paint. A curses SCREEN of 80x24 whose output is /dev/null
 * (LINES and COLUMNS unset first), made current; NULL when the xterm-256color terminfo entry
 * is missing (the tests that paint then skip). test_curses_end() undoes it. */
SCREEN *test_curses_begin(void);
void test_curses_end(void);
/* A window of h x w at the origin filled with '#', so that writes outside a rectangle show. */
WINDOW *test_canvas(int h, int w);
/* Fails the test when a cell of win outside r is no longer '#'. */
void test_untouched_outside(WINDOW *win, struct rect r);
/* n characters of win from (y, x) as text (ASCII; a static buffer). */
const char *test_row_text(WINDOW *win, int y, int x, int n);
/* The lines of w joined with '|' (a static buffer); frees the lines. */
const char *test_joined(struct wrap *w);

#endif
