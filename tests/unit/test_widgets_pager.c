/* The pager without a terminal (lines as text, scrolling, reaching the end, search) and once
 * on a curses screen whose output is /dev/null (what lands where, match highlighting, nothing
 * outside its rectangle). */
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
#include "widgets/pager.h"

static SCREEN *scr;   /* for test_paint; NULL without terminfo */
static struct theme th;

/* The display lines at width, joined with '|'. */
static const char *lines(struct pager *p, int width)
{
	struct wrap w = { 0 };
	pager_render_lines(p, width, &w);
	return test_joined(&w);
}

static void add(struct pager *p, const char *text)
{
	pager_append(p, text, strlen(text), THEME_NORMAL);
}

static void set_area(struct pager *p, int h, int w)
{
	pager_widget(p)->area = (struct rect){ 0, 0, h, w };
}

static int type(struct pager *p, const char *s)
{
	int r = 0;
	for (; *s; s++)
		r = pager_input(p, (wint_t)(unsigned char)*s, false);
	return r;
}

static void test_lines_and_sanitising(void **state)
{
	(void)state;
	struct pager *p = pager_new(&th);
	assert_string_equal(lines(p, 20), "");
	add(p, "a\tb\r\nc\x1B]0;x\x07\n\nend\xE2\x80\xAE!");
	assert_string_equal(lines(p, 40), "a       b|c^[]0;x^G||end<U+202E>!");
	add(p, "\n");
	assert_string_equal(lines(p, 40), "a       b|c^[]0;x^G||end<U+202E>!|");
	pager_clear(p);
	add(p, "x\n");
	add(p, "y");
	assert_string_equal(lines(p, 40), "x|y");
	pager_free(&p);
	assert_null(p);
	pager_free(&p);
}

static void test_wrapping(void **state)
{
	(void)state;
	struct pager *p = pager_new(&th);
	add(p, "The quick brown fox jumps over the lazy dog\n"
	       "   indented text that wraps\n"
	       "abcdefghijklmnopqrstuvwxyz\n"
	       "- 1. \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE");
	assert_string_equal(lines(p, 10),
	                    "The quick|brown fox|jumps over|the lazy|dog|"
	                    "   indente|d text|that wraps|"
	                    "abcdefghij|klmnopqrst|uvwxyz|"
	                    "- 1.|\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE");
	/* One column: a double-width character goes alone. */
	assert_string_equal(lines(p, 1) + strlen(lines(p, 1)) - 7, "\xE8\xAA\x9E|\xE3\x81\xAE");
	pager_set_wrap(p, false);
	assert_string_equal(lines(p, 10), "The quick brown fox jumps over the lazy dog|"
	                    "   indented text that wraps|abcdefghijklmnopqrstuvwxyz|"
	                    "- 1. \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE");
	pager_free(&p);
}

static void test_scrolling_and_end(void **state)
{
	(void)state;
	struct pager *p = pager_new(&th);
	char buf[64];
	for (int i = 1; i <= 30; i++) {
		snprintf(buf, sizeof buf, "line %d\n", i);
		add(p, buf);
	}
	assert_false(pager_reached_end(p));   /* not placed: nothing seen */
	set_area(p, 10, 20);
	assert_int_equal(pager_line_count(p), 30);
	assert_false(pager_reached_end(p));
	pager_position_text(p, buf, sizeof buf);
	assert_string_equal(buf, "lines 1-10 of 30, 33%");
	assert_int_equal(pager_handle_key(p, KEY_UP), WR_HANDLED);   /* at the top */
	assert_int_equal(pager_handle_key(p, KEY_DOWN), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_handle_key(p, 'j'), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_top(p), 2);
	assert_int_equal(pager_handle_key(p, 'k'), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_handle_key(p, KEY_NPAGE), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_top(p), 10);   /* a page keeps one line of context */
	assert_int_equal(pager_handle_key(p, ' '), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_top(p), 19);
	assert_false(pager_reached_end(p));
	assert_int_equal(pager_handle_key(p, ' '), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_top(p), 20);   /* the last page, no blank lines after the end */
	assert_true(pager_reached_end(p));
	pager_position_text(p, buf, sizeof buf);
	assert_string_equal(buf, "lines 21-30 of 30, end");
	assert_int_equal(pager_handle_key(p, KEY_NPAGE), WR_HANDLED);
	assert_int_equal(pager_handle_key(p, KEY_HOME), WR_HANDLED | WR_REDRAW);
	assert_true(pager_reached_end(p));   /* once reached, it stays reached */
	assert_int_equal(pager_handle_key(p, 'b'), WR_HANDLED);
	assert_int_equal(pager_handle_key(p, 'G'), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_top(p), 20);
	assert_int_equal(pager_handle_key(p, 'g'), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_handle_key(p, KEY_END), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_handle_key(p, KEY_PPAGE), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_top(p), 11);

	/* The owner's keys. */
	assert_int_equal(pager_handle_key(p, 27), WR_IGNORED);
	assert_int_equal(pager_handle_key(p, '\r'), WR_IGNORED);
	assert_int_equal(pager_handle_key(p, 'q'), WR_IGNORED);
	assert_int_equal(pager_handle_key(p, '\t'), WR_IGNORED);
	assert_int_equal(pager_handle_key(p, KEY_F(10)), WR_IGNORED);
	assert_int_equal(pager_input(p, 0x65E5, false), WR_IGNORED);
	assert_int_equal(pager_handle_key(p, KEY_LEFT), WR_IGNORED);   /* wrapped: no sideways */

	/* New text: the end must be reached again. */
	pager_clear(p);
	add(p, "short\n");
	assert_true(pager_reached_end(p));   /* fits the area */
	pager_position_text(p, buf, sizeof buf);
	assert_string_equal(buf, "all 1 line");
	set_area(p, 0, 20);
	pager_clear(p);
	add(p, "x");
	assert_false(pager_reached_end(p));   /* no room: never */
	pager_free(&p);
}

static void test_resize_keeps_place(void **state)
{
	(void)state;
	struct pager *p = pager_new(&th);
	add(p, "aaaa bbbb cccc dddd\n1\n2\n3\n4\n5\n6\n7\n8\nTARGET line here\n9\n10\n11\n12");
	set_area(p, 3, 30);
	for (int i = 0; i < 9; i++)
		pager_handle_key(p, KEY_DOWN);
	assert_int_equal(pager_top(p), 9);
	set_area(p, 3, 5);   /* the first line now takes 4 display lines */
	pager_handle_key(p, KEY_UP);
	pager_handle_key(p, KEY_DOWN);
	struct wrap w = { 0 };
	pager_render_lines(p, 5, &w);
	assert_string_equal(w.line[pager_top(p)], "TARGE");
	wrap_free(&w);
	pager_free(&p);
}

static void test_search(void **state)
{
	(void)state;
	struct pager *p = pager_new(&th);
	char buf[64];
	for (int i = 1; i <= 40; i++) {
		snprintf(buf, sizeof buf, i % 10 == 5 ? "line %d Needle\n" : "line %d\n", i);
		add(p, buf);
	}
	set_area(p, 10, 30);
	assert_false(pager_prompting(p));
	assert_int_equal(pager_handle_key(p, 'n'), WR_HANDLED | WR_REDRAW);   /* no search yet */
	assert_int_equal(pager_handle_key(p, KEY_DOWN), WR_HANDLED | WR_REDRAW | WR_HANDLED);
	pager_handle_key(p, KEY_HOME);
	assert_int_equal(pager_handle_key(p, '/'), WR_HANDLED | WR_REDRAW);
	assert_true(pager_prompting(p));
	/* The prompt takes every key, q and Esc's friends included. */
	assert_int_equal(type(p, "neeq"), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_handle_key(p, KEY_BACKSPACE), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_handle_key(p, KEY_UP), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_top(p), 0);
	type(p, "dle");
	assert_int_equal(pager_handle_key(p, '\r'), WR_HANDLED | WR_REDRAW);
	assert_false(pager_prompting(p));
	assert_int_equal(pager_top(p), 4);    /* "line 5 Needle", case-insensitive */
	pager_handle_key(p, 'n');
	assert_int_equal(pager_top(p), 14);
	pager_handle_key(p, 'n');
	assert_int_equal(pager_top(p), 24);
	pager_handle_key(p, 'n');
	assert_int_equal(pager_top(p), 30);   /* line 35, but the last page starts at 31 */
	pager_handle_key(p, 'N');
	assert_int_equal(pager_top(p), 24);
	pager_handle_key(p, 'N');
	pager_handle_key(p, 'N');
	assert_int_equal(pager_top(p), 4);
	pager_handle_key(p, 'N');             /* wraps around to the last match */
	assert_int_equal(pager_top(p), 30);
	assert_true(pager_search(p, "LINE 1", true));
	assert_false(pager_search(p, "absent", true));
	assert_false(pager_search(p, "", true));

	/* Not found: a message on the last line until the next key, which still acts. */
	pager_handle_key(p, KEY_HOME);
	pager_handle_key(p, '/');
	type(p, "zzz");
	pager_handle_key(p, '\r');
	assert_int_equal(pager_top(p), 0);
	assert_int_equal(pager_handle_key(p, 'q'), WR_HANDLED | WR_REDRAW);   /* message gone */
	assert_int_equal(pager_handle_key(p, 'q'), WR_IGNORED);
	/* Esc closes the prompt without searching. */
	pager_handle_key(p, '/');
	type(p, "Needle");
	assert_int_equal(pager_handle_key(p, 27), WR_HANDLED | WR_REDRAW);
	assert_false(pager_prompting(p));
	assert_int_equal(pager_top(p), 0);
	assert_int_equal(pager_input(p, (wint_t)KEY_RESIZE, true), WR_IGNORED);
	pager_free(&p);
}

static void test_sideways(void **state)
{
	(void)state;
	struct pager *p = pager_new(&th);
	pager_set_wrap(p, false);
	add(p, "0123456789abcdefghij\nshort");
	set_area(p, 5, 10);
	assert_int_equal(pager_handle_key(p, KEY_RIGHT), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_handle_key(p, KEY_LEFT), WR_HANDLED | WR_REDRAW);
	assert_int_equal(pager_handle_key(p, KEY_LEFT), WR_HANDLED | WR_REDRAW);
	pager_free(&p);
}

/* --- on a curses screen --- */

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

static void test_paint(void **state)
{
	(void)state;
	if (!scr)
		skip();
	WINDOW *win = test_canvas(10, 30);
	struct pager *p = pager_new(&th);
	pager_append(p, "+ added line\n", 13, THEME_ROW_OK);
	add(p, "plain text with a word\nmore\nmore\nword again\nlast");
	struct rect r = { 2, 3, 4, 20 };
	widget_place(pager_widget(p), win, r);
	widget_draw(pager_widget(p));
	assert_string_equal(test_row_text(win, 2, 3, 20), "+ added line        ");
	assert_string_equal(test_row_text(win, 3, 3, 20), "plain text with a   ");
	assert_string_equal(test_row_text(win, 5, 3, 20), "more                ");
	assert_false(pager_reached_end(p));
	test_untouched_outside(win, r);
	/* A search: the match in reverse video, the prompt on the last line meanwhile. */
	pager_handle_key(p, '/');
	type(p, "wor");
	widget_draw(pager_widget(p));
	assert_string_equal(test_row_text(win, 5, 3, 5), "/wor ");
	pager_handle_key(p, '\r');
	widget_draw(pager_widget(p));
	assert_string_equal(test_row_text(win, 2, 3, 20), "word                ");
	assert_true(mvwinch(win, 2, 3) & A_REVERSE);
	assert_false(mvwinch(win, 2, 7) & A_REVERSE);
	pager_handle_key(p, 'G');
	widget_draw(pager_widget(p));
	assert_true(pager_reached_end(p));
	assert_string_equal(test_row_text(win, 5, 3, 20), "last                ");
	/* Tiny areas draw what fits and nothing outside. */
	widget_place(pager_widget(p), win, (struct rect){ 9, 29, 5, 5 });
	widget_draw(pager_widget(p));
	widget_place(pager_widget(p), win, (struct rect){ 0, 0, 0, 0 });
	widget_draw(pager_widget(p));
	assert_int_equal(mvwinch(win, 0, 0) & A_CHARTEXT, '#');
	pager_free(&p);
	delwin(win);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	unsetenv("LINES");
	unsetenv("COLUMNS");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_sanitising),
		cmocka_unit_test(test_wrapping),
		cmocka_unit_test(test_scrolling_and_end),
		cmocka_unit_test(test_resize_keeps_place),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_sideways),
		cmocka_unit_test(test_paint),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
