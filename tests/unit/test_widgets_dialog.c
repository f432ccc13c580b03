/* Word wrap and the dialog box without a terminal: geometry, buttons, keys. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/base/sanitize.h"
#include "tests/unit/support.h"
#include "widgets/dialog.h"
#include "widgets/wrap.h"

static struct theme th;

static int setup(void **state)
{
	(void)state;
	theme_init_mono(&th, false);
	return 0;
}

/* The wrapped lines joined with '|'. */
static const char *wrapped(const char *text, int width)
{
	struct wrap w = { 0 };
	wrap_text(&w, text, width);
	return test_joined(&w);
}

static void test_wrap_words(void **state)
{
	(void)state;
	assert_string_equal(wrapped("The quick brown fox jumps over the lazy dog", 10),
	                    "The quick|brown fox|jumps over|the lazy|dog");
	assert_string_equal(wrapped("The quick brown fox", 80), "The quick brown fox");
	assert_string_equal(wrapped("a   b  ", 10), "a b");
	assert_string_equal(wrapped("  indented", 10), "indented");
	assert_string_equal(wrapped("abcdefghijklmnop", 5), "abcde|fghij|klmno|p");
	assert_string_equal(wrapped("hi abcdefghij xy", 4), "hi|abcd|efgh|ij|xy");
	assert_string_equal(wrapped("exactly ten", 11), "exactly ten");
	assert_string_equal(wrapped("exactly ten", 10), "exactly|ten");
}

static void test_wrap_paragraphs(void **state)
{
	(void)state;
	assert_string_equal(wrapped("a\n\nb", 10), "a||b");
	assert_string_equal(wrapped("abc\n", 10), "abc|");
	assert_string_equal(wrapped("", 10), "");
	assert_string_equal(wrapped("   ", 10), "");
	struct wrap w = { 0 };
	wrap_text(&w, "", 10);
	assert_int_equal(w.n, 1);
	wrap_text(&w, "x", 0);
	wrap_text(&w, NULL, 10);
	assert_int_equal(w.n, 1);
	wrap_free(&w);
	assert_int_equal(w.n, 0);
	assert_null(w.line);
}

static void test_wrap_wide(void **state)
{
	(void)state;
	/* 日本語のテキスト: eight double-width characters. */
	const char *jp = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE"
	                 "\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88";
	assert_string_equal(wrapped(jp, 5), "\xE6\x97\xA5\xE6\x9C\xAC|\xE8\xAA\x9E\xE3\x81\xAE|"
	                                    "\xE3\x83\x86\xE3\x82\xAD|\xE3\x82\xB9\xE3\x83\x88");
	/* Wider than the line: alone on it, whole. */
	assert_string_equal(wrapped("\xE6\x97\xA5\xE6\x9C\xAC", 1), "\xE6\x97\xA5|\xE6\x9C\xAC");
	/* Combining marks stay with their base: "e\u0301" is one column. */
	assert_string_equal(wrapped("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 2),
	                    "e\xCC\x81" "e\xCC\x81|e\xCC\x81");
	struct wrap w = { 0 };
	wrap_text(&w, "ab cdef\n\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 80);
	assert_int_equal(wrap_max_width(&w), 7);
	wrap_free(&w);
}

static const char *const yes_no[] = { "Yes", "No" };

static void test_dialog_geometry(void **state)
{
	(void)state;
	struct dialog *d = dialog_new("Remove service", "Remove web? This stops 3 tasks.", yes_no, 2,
	                              1, &th);
	struct wrap lines = { 0 };
	struct dialog_geom g = dialog_layout(d, 24, 80, &lines);
	assert_int_equal(lines.n, 1);
	assert_int_equal(g.w, 35);
	assert_int_equal(g.h, 5);
	assert_int_equal(g.y, 9);
	assert_int_equal(g.x, 22);
	assert_int_equal(g.text_rows, 1);
	wrap_free(&lines);

	/* Too small for anything. */
	g = dialog_layout(d, 2, 80, &lines);
	assert_int_equal(g.w, 0);
	g = dialog_layout(d, 24, 7, &lines);
	assert_int_equal(g.w, 0);
	assert_int_equal(lines.n, 0);

	/* At 40 columns the text wraps at 36. */
	g = dialog_layout(d, 10, 40, &lines);
	assert_int_equal(g.w, 35);
	wrap_free(&lines);
	g = dialog_layout(d, 10, 20, &lines);
	assert_int_equal(g.w, 20);
	assert_string_equal(lines.line[0], "Remove web? This");
	assert_string_equal(lines.line[1], "stops 3 tasks.");
	assert_int_equal(g.h, 6);
	assert_int_equal(g.text_rows, 2);
	wrap_free(&lines);
	/* Short of lines: the blank line goes, then the text scrolls. */
	g = dialog_layout(d, 5, 20, &lines);
	assert_int_equal(g.h, 5);
	assert_int_equal(g.text_rows, 2);
	wrap_free(&lines);
	g = dialog_layout(d, 4, 20, &lines);
	assert_int_equal(g.text_rows, 1);
	wrap_free(&lines);
	g = dialog_layout(d, 3, 20, &lines);
	assert_int_equal(g.h, 3);
	assert_int_equal(g.text_rows, 0);
	wrap_free(&lines);
	dialog_free(&d);
	assert_null(d);
}

static void test_dialog_long_message(void **state)
{
	(void)state;
	char text[600] = "";
	for (int i = 0; i < 30; i++)
		strcat(text, "error lorem ");
	strcat(text, "\x1b]0;evil\x07");
	struct dialog *d = dialog_new(NULL, text, NULL, 0, 0, &th);
	struct wrap lines = { 0 };
	struct dialog_geom g = dialog_layout(d, 24, 80, &lines);
	assert_int_equal(g.w, 63);   /* the longest wrapped line is 59 */
	for (size_t i = 0; i < lines.n; i++)
		assert_true(text_width(lines.line[i]) <= 60);
	/* The escape sequence arrives defused. */
	assert_non_null(strstr(lines.line[lines.n - 1], "^[]0;evil^G"));
	wrap_free(&lines);

	g = dialog_layout(d, 10, 40, &lines);
	assert_int_equal(g.h, 10);
	assert_int_equal(g.text_rows, 7);   /* no blank line above the buttons */
	assert_true(lines.n > 7);
	int max_top = (int)lines.n - 7;
	wrap_free(&lines);

	/* Up/Down scroll within the message. */
	dialog_widget(d)->area = (struct rect){ 0, 0, 10, 40 };
	assert_int_equal(dialog_handle_key(d, KEY_UP), WR_HANDLED);
	assert_int_equal(dialog_handle_key(d, KEY_DOWN), WR_HANDLED | WR_REDRAW);
	for (int i = 0; i < 100; i++)
		dialog_handle_key(d, 'j');
	assert_int_equal(dialog_handle_key(d, KEY_NPAGE), WR_HANDLED);
	for (int i = 0; i < max_top - 1; i++)
		assert_int_equal(dialog_handle_key(d, KEY_UP), WR_HANDLED | WR_REDRAW);
	assert_int_equal(dialog_handle_key(d, KEY_PPAGE), WR_HANDLED | WR_REDRAW);
	assert_int_equal(dialog_handle_key(d, 'k'), WR_HANDLED);

	/* The one button is "OK". */
	char buf[64];
	dialog_buttons_text(d, 40, buf, sizeof buf);
	assert_string_equal(buf, "[ OK ]");
	assert_int_equal(dialog_result(d), DIALOG_PENDING);
	assert_int_equal(dialog_handle_key(d, '\n'), WR_HANDLED | WR_REDRAW | WR_DONE);
	assert_int_equal(dialog_result(d), 0);
	struct widget *w = dialog_widget(d);
	widget_free(&w);
}

static void test_dialog_keys(void **state)
{
	(void)state;
	struct dialog *d = dialog_new("Remove", "Sure?", yes_no, 2, 1, &th);
	char buf[64];
	dialog_buttons_text(d, 40, buf, sizeof buf);
	assert_string_equal(buf, "[ Yes ]  [ No ]");
	dialog_buttons_text(d, 14, buf, sizeof buf);
	assert_string_equal(buf, "[Yes] [No]");
	dialog_buttons_text(d, 14, buf, 7);
	assert_string_equal(buf, "[Yes]");

	assert_int_equal(dialog_focus(d), 1);
	assert_int_equal(dialog_handle_key(d, 'x'), WR_HANDLED);   /* swallowed */
	assert_int_equal(dialog_handle_key(d, KEY_RESIZE), WR_IGNORED);
	assert_int_equal(dialog_result(d), DIALOG_PENDING);
	assert_int_equal(dialog_handle_key(d, '\t'), WR_HANDLED | WR_REDRAW);
	assert_int_equal(dialog_focus(d), 0);
	dialog_handle_key(d, KEY_LEFT);
	assert_int_equal(dialog_focus(d), 1);
	dialog_handle_key(d, KEY_RIGHT);
	assert_int_equal(dialog_focus(d), 0);
	assert_true(dialog_handle_key(d, KEY_ENTER) & WR_DONE);
	assert_int_equal(dialog_result(d), 0);
	assert_true(dialog_handle_key(d, 'N') & WR_DONE);
	assert_int_equal(dialog_result(d), 1);
	assert_true(dialog_handle_key(d, 'y') & WR_DONE);
	assert_int_equal(dialog_result(d), 0);
	assert_true(dialog_handle_key(d, 27) & WR_DONE);
	assert_int_equal(dialog_result(d), DIALOG_CANCEL);
	dialog_free(&d);

	/* Two buttons with the same first letter: no hotkey. */
	static const char *const ss[] = { "Stop", "Start", "Cancel" };
	d = dialog_new("Service", "Stop or start?", ss, 3, 7, &th);
	assert_int_equal(dialog_focus(d), 0);
	assert_int_equal(dialog_handle_key(d, 's'), WR_HANDLED);
	assert_int_equal(dialog_result(d), DIALOG_PENDING);
	assert_true(dialog_handle_key(d, 'c') & WR_DONE);
	assert_int_equal(dialog_result(d), 2);
	dialog_handle_key(d, KEY_BTAB);
	assert_int_equal(dialog_focus(d), 2);
	dialog_free(&d);
	dialog_free(&d);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_words),
		cmocka_unit_test(test_wrap_paragraphs),
		cmocka_unit_test(test_wrap_wide),
		cmocka_unit_test(test_dialog_geometry),
		cmocka_unit_test(test_dialog_long_message),
		cmocka_unit_test(test_dialog_keys),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
