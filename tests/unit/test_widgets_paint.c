/* Painting through curses on a SCREEN whose output is /dev/null: what lands in the window,
 * with which attributes, and that nothing lands outside a widget's rectangle at 80x24, 40x10
 * and smaller. Skipped when the xterm-256color terminfo entry is missing. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/support.h"
#include "widgets/dialog.h"
#include "widgets/help.h"
#include "widgets/keybar.h"
#include "widgets/meter.h"
#include "widgets/statusbar.h"
#include "widgets/table.h"

static SCREEN *scr;
static struct theme mono, color;

static int setup(void **state)
{
	(void)state;
	scr = test_curses_begin();
	if (scr) {
		theme_init_mono(&mono, true);
		unsetenv("NO_COLOR");
		theme_init(&color, 0);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_curses_end();
	return 0;
}

/* Colour pair and attributes of a cell; winch() mixes wide characters into the attributes. */
static short pair_at(WINDOW *win, int y, int x)
{
	cchar_t cc;
	wchar_t wch[CCHARW_MAX + 1];
	attr_t attrs;
	short pair;
	assert_int_equal(mvwin_wch(win, y, x, &cc), OK);
	getcchar(&cc, wch, &attrs, &pair, NULL);
	return pair;
}

static attr_t attrs_at(WINDOW *win, int y, int x)
{
	cchar_t cc;
	wchar_t wch[CCHARW_MAX + 1];
	attr_t attrs;
	short pair;
	assert_int_equal(mvwin_wch(win, y, x, &cc), OK);
	getcchar(&cc, wch, &attrs, &pair, NULL);
	return attrs;
}

static const char *line_at(WINDOW *win, int y, int x, int n)
{
	static char buf[512];
	mvwinnstr(win, y, x, buf, n);
	return buf;
}

/* ---- a small table owner with a meter column ---- */

static const struct table_column cols[] = {
	{ "NAME", 10, 0, 3, 100, TABLE_LEFT, true },
	{ "STATE", 8, 0, 0, 50, TABLE_LEFT, true },
	{ "CPU", 8, 16, 1, 40, TABLE_LEFT, true },
	{ "IMAGE", 12, 0, 2, 10, TABLE_LEFT, true },
};

struct row { const char *id, *state; int cpu; };
static const struct row rows[] = {
	{ "web", "running", 52 }, { "db", "failed", 95 }, { "cache", "running", 5 },
};
static const struct theme *cur_theme;

static size_t r_count(void *ctx) { (void)ctx; return 3; }
static const char *r_id(void *ctx, size_t i) { (void)ctx; return rows[i].id; }

static void r_cell(void *ctx, size_t i, int col, char *buf, size_t sz)
{
	(void)ctx;
	switch (col) {
	case 0: snprintf(buf, sz, "%s", rows[i].id); break;
	case 1: snprintf(buf, sz, "%s", rows[i].state); break;
	case 2: snprintf(buf, sz, "%d%%", rows[i].cpu); break;
	default: snprintf(buf, sz, "example/%s:latest", rows[i].id); break;
	}
}

static enum theme_role r_role(void *ctx, size_t i, int col)
{
	(void)ctx;
	(void)col;
	return strcmp(rows[i].state, "failed") == 0 ? THEME_ROW_FAILED : THEME_NORMAL;
}

static bool r_draw(void *ctx, size_t i, int col, WINDOW *win, int y, int x, int width, bool sel)
{
	(void)ctx;
	if (col != 2)
		return false;
	struct meter m = { .total = 100, .value = rows[i].cpu, .known = true };
	meter_draw(win, y, x, width, &m, cur_theme, sel);
	return true;
}

static const struct table_source src = {
	.row_count = r_count, .row_id = r_id, .render_cell = r_cell, .cell_role = r_role,
	.draw_cell = r_draw,
};

static void test_table_80x24(void **state)
{
	(void)state;
	if (!scr)
		skip();
	cur_theme = &mono;
	WINDOW *win = test_canvas(24, 80);
	struct table *t = table_new(cols, 4, &src, NULL, &mono);
	struct rect r = { 1, 0, 20, 80 };
	widget_place(table_widget(t), win, r);
	widget_draw(table_widget(t));
	assert_false(table_widget(t)->dirty);
	test_untouched_outside(win, r);
	char want[256];
	table_render_header_text(t, 80, want, sizeof want);
	assert_string_equal(line_at(win, 1, 0, 80), want);
	assert_true(mvwinch(win, 1, 0) & A_REVERSE);               /* header */
	/* NAME 30, STATE 8, CPU 14, IMAGE 25 columns. Row 0 is selected: reverse video, the
	 * meter included. */
	assert_string_equal(line_at(win, 2, 31, 7), "running");
	assert_string_equal(line_at(win, 2, 40, 14), "[||||||   52%]");
	assert_true(mvwinch(win, 2, 0) & A_REVERSE);
	assert_true(mvwinch(win, 2, 45) & A_REVERSE);
	assert_true(mvwinch(win, 2, 50) & A_REVERSE);
	/* The failed row stands out without colour. */
	assert_false(mvwinch(win, 3, 0) & A_REVERSE);
	assert_true(mvwinch(win, 3, 0) & A_BOLD);
	assert_string_equal(line_at(win, 3, 40, 14), "[|||||||||95%]");
	/* Below the rows: blank. */
	assert_string_equal(line_at(win, 5, 0, 5), "     ");
	table_handle_key(t, KEY_DOWN);
	widget_draw(table_widget(t));
	assert_true(mvwinch(win, 3, 0) & A_REVERSE);
	assert_true(mvwinch(win, 3, 0) & A_BOLD);
	assert_false(mvwinch(win, 2, 0) & A_REVERSE);
	table_free(&t);
	delwin(win);
}

static void test_table_colour_and_small(void **state)
{
	(void)state;
	if (!scr)
		skip();
	if (!color.color)
		skip();
	cur_theme = &color;
	WINDOW *win = test_canvas(10, 40);
	struct table *t = table_new(cols, 4, &src, NULL, &color);
	widget_place(table_widget(t), win, (struct rect){ 0, 0, 10, 40 });
	widget_draw(table_widget(t));
	/* At 40 columns IMAGE is dropped. */
	assert_null(strstr(line_at(win, 0, 0, 40), "IMAGE"));
	assert_int_equal(pair_at(win, 0, 0), THEME_HEADER);
	assert_int_equal(pair_at(win, 1, 0), THEME_SELECTED);
	assert_int_equal(pair_at(win, 2, 0), THEME_ROW_FAILED);
	/* The meter of the failed row: red fill, bold brackets. */
	int mx = 19 + 1 + 8 + 1;   /* NAME 19, STATE 8: the 11 columns of CPU start here */
	assert_int_equal(pair_at(win, 2, mx + 1), THEME_METER_CRIT);
	assert_true(attrs_at(win, 2, mx + 1) & A_BOLD);
	assert_int_equal(pair_at(win, 1, mx + 1), THEME_METER_OK);
	assert_int_equal(pair_at(win, 1, mx + 8), THEME_SELECTED);   /* empty part, selected row */
	assert_int_equal(pair_at(win, 3, mx + 1), THEME_METER_OK);   /* 5% of 9 cells: a half */
	assert_int_equal(pair_at(win, 3, mx + 2), 0);
	assert_int_equal(pair_at(win, 3, mx + 8), THEME_METER_TEXT);
	assert_int_equal(pair_at(win, 2, mx), THEME_METER_BRACKET);
	assert_true(attrs_at(win, 2, mx) & A_BOLD);

	/* A rectangle larger than the window is clipped to it. */
	struct rect r = { 5, 30, 100, 100 };
	WINDOW *w2 = test_canvas(10, 40);
	widget_place(table_widget(t), w2, r);
	assert_int_equal(table_widget(t)->area.h, 5);
	assert_int_equal(table_widget(t)->area.w, 10);
	widget_draw(table_widget(t));
	test_untouched_outside(w2, (struct rect){ 5, 30, 5, 10 });
	assert_string_equal(line_at(w2, 5, 30, 10), "NAME      ");
	table_free(&t);
	delwin(w2);
	delwin(win);
}

static void test_tiny_areas(void **state)
{
	(void)state;
	if (!scr)
		skip();
	cur_theme = &mono;
	static const struct keybinding keys[] = {
		{ KEY_F(1), "F1", "Help", "Show the help", KB_BAR, 1 },
		{ KEY_F(10), "F10", "Quit", "Quit", KB_BAR, 2 },
		{ 0, NULL, NULL, NULL, 0, 0 },
	};
	const struct help_section secs[] = { { "Keys", keys } };
	static const struct rect rects[] = {
		{ 0, 0, 0, 0 }, { 2, 3, 1, 1 }, { 2, 3, 2, 5 }, { 1, 1, 3, 8 }, { 4, 4, 1, 40 },
		{ 9, 39, 5, 5 }, { -3, -3, 5, 6 }, { 20, 50, 3, 3 },
	};
	for (size_t i = 0; i < sizeof rects / sizeof rects[0]; i++) {
		struct widget *ws[] = {
			table_widget(table_new(cols, 4, &src, NULL, &mono)),
			statusbar_widget(statusbar_new(&mono)),
			keybar_widget(keybar_new(keys, &mono)),
			dialog_widget(dialog_new("Title", "A message that is long enough to wrap", NULL,
			                         0, 0, &mono)),
			help_widget(help_new("Help", secs, 1, &mono)),
		};
		for (size_t k = 0; k < sizeof ws / sizeof ws[0]; k++) {
			WINDOW *win = test_canvas(10, 40);
			widget_place(ws[k], win, rects[i]);
			widget_draw(ws[k]);
			struct rect c = rect_clip(win, rects[i]);
			test_untouched_outside(win, c);
			widget_free(&ws[k]);
			delwin(win);
		}
	}
	/* A meter at the right edge is cut, never wrapped onto the next line. */
	WINDOW *win = test_canvas(10, 40);
	struct meter m = { .total = 100, .value = 100, .known = true };
	meter_draw(win, 3, 35, 12, &m, &mono, false);
	test_untouched_outside(win, (struct rect){ 3, 35, 1, 5 });
	assert_string_equal(line_at(win, 3, 35, 5), "[||||");
	meter_draw(win, 10, 0, 12, &m, &mono, false);
	meter_draw(win, -1, 0, 12, &m, &mono, false);
	meter_draw(win, 0, 40, 12, &m, &mono, false);
	test_untouched_outside(win, (struct rect){ 3, 35, 1, 5 });
	/* The bottom-right corner takes one column and no scroll. */
	meter_draw(win, 9, 39, 12, &m, &mono, false);
	assert_string_equal(line_at(win, 9, 38, 2), "#[");
	assert_string_equal(line_at(win, 0, 0, 3), "###");
	delwin(win);
}

static void test_bars_and_dialog_40x10(void **state)
{
	(void)state;
	if (!scr)
		skip();
	static const struct keybinding keys[] = {
		{ KEY_F(1), "F1", "Help", "Show the help", KB_BAR, 1 },
		{ KEY_F(10), "F10", "Quit", "Quit", KB_BAR, 2 },
		{ 0, NULL, NULL, NULL, 0, 0 },
	};
	WINDOW *win = test_canvas(10, 40);
	struct statusbar *sb = statusbar_new(&mono);
	statusbar_set(sb, "prod", "3s ago");
	widget_place(statusbar_widget(sb), win, (struct rect){ 8, 0, 1, 40 });
	widget_draw(statusbar_widget(sb));
	assert_string_equal(line_at(win, 8, 0, 40), "prod                              3s ago");
	assert_true(mvwinch(win, 8, 0) & A_REVERSE);

	struct keybar *kb = keybar_new(keys, &mono);
	widget_place(keybar_widget(kb), win, (struct rect){ 9, 0, 1, 40 });
	widget_draw(keybar_widget(kb));
	assert_string_equal(line_at(win, 9, 0, 12), "F1Help F10Qu");
	assert_false(mvwinch(win, 9, 0) & A_REVERSE);   /* key */
	assert_true(mvwinch(win, 9, 2) & A_REVERSE);    /* label */
	assert_true(mvwinch(win, 9, 39) & A_REVERSE);   /* the rest of the bar */

	static const char *const yn[] = { "Yes", "No" };
	struct dialog *d = dialog_new("Remove", "Remove web?", yn, 2, 1, &mono);
	widget_place(dialog_widget(d), win, (struct rect){ 0, 0, 10, 40 });
	widget_draw(dialog_widget(d));
	/* As wide as the buttons (15) plus border and margins, 5 lines, centred. */
	int y = (10 - 5) / 2, x = (40 - 19) / 2;
	assert_int_equal(mvwinch(win, y, x) & (A_CHARTEXT | A_ALTCHARSET),
	                 ACS_ULCORNER & (A_CHARTEXT | A_ALTCHARSET));
	assert_string_equal(line_at(win, y, x + 2, 8), " Remove ");
	assert_string_equal(line_at(win, y + 1, x + 2, 11), "Remove web?");
	assert_string_equal(line_at(win, y + 3, x + 1, 14), " [ Yes ]  [ No");
	assert_false(mvwinch(win, y + 3, x + 2) & A_REVERSE);
	assert_true(mvwinch(win, y + 3, x + 11) & A_REVERSE);   /* "No" has the focus */
	assert_string_equal(line_at(win, y - 1, x, 3), "###");

	const struct help_section secs[] = { { "Keys", keys } };
	struct help *h = help_new("glovebox help", secs, 1, &mono);
	widget_place(help_widget(h), win, (struct rect){ 0, 0, 10, 40 });
	widget_draw(help_widget(h));
	assert_string_equal(line_at(win, 0, 0, 40), " glovebox help                    1-3/3 ");
	assert_string_equal(line_at(win, 1, 0, 4), "Keys");
	assert_string_equal(line_at(win, 2, 0, 20), "  F1   Show the help");
	assert_true(mvwinch(win, 2, 2) & A_BOLD);
	assert_false(mvwinch(win, 2, 8) & A_BOLD);

	help_free(&h);
	dialog_free(&d);
	keybar_free(&kb);
	statusbar_free(&sb);
	delwin(win);
}

static void test_theme(void **state)
{
	(void)state;
	if (!scr)
		skip();
	struct theme th;
	setenv("NO_COLOR", "1", 1);
	theme_init(&th, 0);
	assert_false(th.color);
	assert_int_equal(theme_attr(&th, THEME_SELECTED), A_REVERSE);
	setenv("NO_COLOR", "", 1);   /* empty: colours allowed */
	theme_init(&th, 0);
	assert_int_equal(th.color, has_colors());
	theme_init(&th, THEME_FORCE_MONO | THEME_FORCE_ASCII);
	assert_false(th.color);
	assert_true(th.ascii);
	unsetenv("NO_COLOR");
	assert_int_equal(theme_attr(&th, (enum theme_role)999), theme_attr(&th, THEME_NORMAL));
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_80x24),
		cmocka_unit_test(test_table_colour_and_small),
		cmocka_unit_test(test_tiny_areas),
		cmocka_unit_test(test_bars_and_dialog_40x10),
		cmocka_unit_test(test_theme),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
