/* The log view without a terminal (rows as text: following, scrolling, wrapping, lines that
 * come and go, a hundred thousand lines costing only what is in view) and once on a curses
 * screen whose output is /dev/null (matches in reverse video, nothing outside its area). */
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
#include "widgets/logview.h"

static SCREEN *scr;   /* for test_paint; NULL without terminfo */
static struct theme th;

/* Lines first..end-1: "line N", or fixed[N] for the first few. */
struct fake {
	uint64_t first, end;
	const char *fixed[8];
	const char *prefix, *suffix;
	size_t calls;
	char buf[64];
};

static uint64_t f_first(void *ctx) { return ((struct fake *)ctx)->first; }
static uint64_t f_end(void *ctx) { return ((struct fake *)ctx)->end; }

static void f_line(void *ctx, uint64_t seq, struct logview_line *out)
{
	struct fake *f = ctx;
	f->calls++;
	assert_true(seq >= f->first && seq < f->end);
	if (seq < 8 && f->fixed[seq]) {
		out->text = f->fixed[seq];
	} else {
		snprintf(f->buf, sizeof f->buf, "line %llu", (unsigned long long)seq);
		out->text = f->buf;
	}
	out->len = strlen(out->text);
	out->prefix = f->prefix;
	out->suffix = f->suffix;
}

static const struct logview_source src = { f_first, f_end, f_line };

/* The rows in view, joined with '|'. */
static const char *rows(struct logview *v)
{
	struct wrap w = { 0 };
	logview_render_rows(v, &w);
	return test_joined(&w);
}

/* Press key (0: none); then the rows must be want. */
static void after(struct logview *v, int key, const char *want)
{
	if (key)
		logview_handle_key(v, key);
	assert_string_equal(rows(v), want);
}

static struct logview *view(struct fake *f, int h, int w)
{
	struct logview *v = logview_new(&src, f, &th);
	logview_widget(v)->area = (struct rect){ 0, 0, h, w };
	return v;
}

static void test_follow_and_scroll(void **state)
{
	(void)state;
	struct fake f = { .first = 0, .end = 0 };
	struct logview *v = view(&f, 3, 20);
	after(v, 0, "");
	uint64_t top, bottom;
	assert_false(logview_visible(v, &top, &bottom));
	f.end = 2;
	after(v, 0, "line 0|line 1");   /* fewer lines than rows */
	f.end = 10;
	assert_true(logview_following(v));
	after(v, 0, "line 7|line 8|line 9");
	assert_true(logview_visible(v, &top, &bottom));
	assert_int_equal(top, 7);
	assert_int_equal(bottom, 9);
	/* Up stops following: new lines no longer move the view. */
	assert_int_equal(logview_handle_key(v, 'k'), WR_HANDLED | WR_REDRAW);
	assert_false(logview_following(v));
	f.end = 20;
	after(v, 0, "line 6|line 7|line 8");
	after(v, KEY_NPAGE, "line 8|line 9|line 10");
	logview_handle_key(v, KEY_PPAGE);
	after(v, KEY_PPAGE, "line 4|line 5|line 6");
	after(v, 'g', "line 0|line 1|line 2");
	after(v, KEY_UP, "line 0|line 1|line 2");
	/* Old lines dropping away under the top: the view moves to the oldest kept. */
	f.first = 5;
	after(v, 0, "line 5|line 6|line 7");
	/* Down never goes past the end. */
	for (int i = 0; i < 40; i++)
		logview_handle_key(v, 'j');
	after(v, 0, "line 17|line 18|line 19");
	assert_false(logview_following(v));
	/* End follows again. */
	logview_handle_key(v, 'G');
	assert_true(logview_following(v));
	f.end = 25;
	after(v, 0, "line 22|line 23|line 24");
	logview_goto(v, 12);
	assert_false(logview_following(v));
	after(v, 0, "line 12|line 13|line 14");
	logview_goto(v, 24);   /* near the end: the screen stays full */
	after(v, 0, "line 22|line 23|line 24");
	assert_int_equal(logview_handle_key(v, 'x'), WR_IGNORED);
	logview_free(&v);
	assert_null(v);
}

static void test_sanitising_and_parts(void **state)
{
	(void)state;
	struct fake f = { .end = 4, .fixed = { "\033[2J\033]0;title\acls", "a\tb", "\xc2\x9b x\r", "\xe2\x80\xae!" } };
	f.prefix = "12:00";
	f.suffix = " [cut]";
	struct logview *v = view(&f, 4, 60);
	assert_string_equal(rows(v), "12:00 cls [cut]|12:00 a       b [cut]|"
	                             "12:00 <U+009B> x [cut]|12:00 <U+202E>! [cut]");
	/* The owner changed the text (a time hidden): only after invalidate. */
	f.prefix = NULL;
	f.suffix = NULL;
	assert_string_equal(rows(v), "12:00 cls [cut]|12:00 a       b [cut]|"
	                             "12:00 <U+009B> x [cut]|12:00 <U+202E>! [cut]");
	logview_invalidate(v);
	assert_string_equal(rows(v), "cls|a       b|<U+009B> x|<U+202E>!");
	logview_free(&v);
}

static void test_wrapping(void **state)
{
	(void)state;
	struct fake f = { .end = 3, .fixed = { "short", "the quick brown fox jumps over", "end" } };
	struct logview *v = view(&f, 3, 10);
	assert_true(logview_wrapping(v));
	after(v, 0, "brown fox|jumps over|end");   /* following: the bottom */
	after(v, 'g', "short|the quick|brown fox");
	after(v, 'j', "the quick|brown fox|jumps over");
	logview_handle_key(v, 'j');   /* inside a wrapped line */
	after(v, 0, "brown fox|jumps over|end");
	logview_handle_key(v, 'j');   /* already at the end */
	after(v, 0, "brown fox|jumps over|end");
	logview_handle_key(v, 'k');
	after(v, 'k', "short|the quick|brown fox");
	/* Off: one row a line, cut at the edge, Left/Right scroll. */
	logview_set_wrap(v, false);
	assert_false(logview_wrapping(v));
	assert_int_equal(logview_handle_key(v, 'g'), WR_HANDLED | WR_REDRAW);
	after(v, 0, "short|the quick brown fox jumps over|end");
	after(v, KEY_RIGHT, "|k brown fox jumps over|");
	logview_handle_key(v, KEY_LEFT);
	after(v, KEY_LEFT, "short|the quick brown fox jumps over|end");
	logview_set_wrap(v, true);
	assert_int_equal(logview_handle_key(v, KEY_RIGHT), WR_IGNORED);
	/* A line longer than the screen: its last rows at the bottom. */
	static char longline[2001];
	memset(longline, 'x', 2000);
	f.fixed[2] = longline;
	logview_invalidate(v);
	after(v, 'G', "xxxxxxxxxx|xxxxxxxxxx|xxxxxxxxxx");
	logview_free(&v);
}

/* A hundred thousand lines: moving to the end, paging and following cost the lines in view. */
static void test_cost_is_what_is_in_view(void **state)
{
	(void)state;
	struct fake f = { .first = 0, .end = 100000 };
	struct logview *v = view(&f, 20, 80);
	assert_string_equal(strrchr(rows(v), '|') + 1, "line 99999");
	assert_true(f.calls <= 40);
	f.calls = 0;
	for (int i = 0; i < 100; i++) {
		f.end += 1000;
		f.first += 1000;
		rows(v);
	}
	assert_true(f.calls <= 100 * 40);
	f.calls = 0;
	logview_handle_key(v, 'g');
	logview_handle_key(v, KEY_NPAGE);
	rows(v);
	assert_true(f.calls <= 80);
	logview_free(&v);
}

static void test_paint(void **state)
{
	(void)state;
	if (!scr)
		skip();
	WINDOW *win = test_canvas(10, 30);
	struct fake f = { .end = 3, .fixed = { "error: disk full", "ok", "Error again \033[31m" } };
	struct logview *v = logview_new(&src, &f, &th);
	struct rect r = { 2, 3, 4, 20 };
	logview_set_highlight(v, "ERROR");
	widget_place(logview_widget(v), win, r);
	widget_draw(logview_widget(v));
	assert_string_equal(test_row_text(win, 2, 3, 20), "error: disk full    ");
	assert_string_equal(test_row_text(win, 4, 3, 20), "Error again         ");
	assert_string_equal(test_row_text(win, 5, 3, 20), "                    ");
	assert_true(mvwinch(win, 2, 3) & A_REVERSE);
	assert_true(mvwinch(win, 4, 7) & A_REVERSE);
	assert_false(mvwinch(win, 4, 8) & A_REVERSE);
	assert_false(mvwinch(win, 3, 3) & A_REVERSE);
	test_untouched_outside(win, r);
	/* Tiny and empty areas draw nothing outside. */
	widget_place(logview_widget(v), win, (struct rect){ 9, 29, 5, 5 });
	widget_draw(logview_widget(v));
	widget_place(logview_widget(v), win, (struct rect){ 0, 0, 0, 0 });
	widget_draw(logview_widget(v));
	assert_int_equal(mvwinch(win, 0, 0) & A_CHARTEXT, '#');
	logview_free(&v);
	delwin(win);
}

static int setup(void **state)
{
	(void)state;
	theme_init_mono(&th, false);
	scr = test_curses_begin();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_curses_end();
	return 0;
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_follow_and_scroll),
		cmocka_unit_test(test_sanitising_and_parts),
		cmocka_unit_test(test_wrapping),
		cmocka_unit_test(test_cost_is_what_is_in_view),
		cmocka_unit_test(test_paint),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
