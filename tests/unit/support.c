#include "tests/unit/support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

char *fixture_read(const char *name, size_t *len)
{
	const char *root = getenv("GB_ROOT");
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/fixtures/%s", root && *root ? root : ".", name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fixture %s: cannot open (run from the repository root)\n", path);
		abort();
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	fclose(f);
	if (!buf)
		abort();
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static SCREEN *test_scr;
static FILE *test_out, *test_in;

SCREEN *test_curses_begin(void)
{
	unsetenv("LINES");
	unsetenv("COLUMNS");
	test_out = fopen("/dev/null", "w");
	test_in = fopen("/dev/null", "r");
	if (!test_out || !test_in)
		abort();
	test_scr = newterm("xterm-256color", test_out, test_in);
	if (test_scr) {
		set_term(test_scr);
		resizeterm(24, 80);
	}
	return test_scr;
}

void test_curses_end(void)
{
	if (test_scr) {
		endwin();
		delscreen(test_scr);
		test_scr = NULL;
	}
	if (test_out)
		fclose(test_out);
	if (test_in)
		fclose(test_in);
	test_out = test_in = NULL;
}

WINDOW *test_canvas(int h, int w)
{
	WINDOW *win = newwin(h, w, 0, 0);
	assert_non_null(win);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			mvwaddch(win, y, x, '#');
	return win;
}

void test_untouched_outside(WINDOW *win, struct rect r)
{
	int h, w;
	getmaxyx(win, h, w);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			bool inside = y >= r.y && y < r.y + r.h && x >= r.x && x < r.x + r.w;
			if (!inside && (mvwinch(win, y, x) & A_CHARTEXT) != '#')
				fail_msg("wrote at %d,%d outside %d,%d %dx%d", y, x, r.y, r.x, r.h, r.w);
		}
}

const char *test_row_text(WINDOW *win, int y, int x, int n)
{
	static char out[512];
	int i;
	for (i = 0; i < n && i < (int)sizeof out - 1; i++)
		out[i] = (char)(mvwinch(win, y, x + i) & A_CHARTEXT);
	out[i] = '\0';
	return out;
}

const char *test_joined(struct wrap *w)
{
	static char out[16384];
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < w->n && len < sizeof out; i++)
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", i ? "|" : "", w->line[i]);
	wrap_free(w);
	return out;
}
