/* The one-line text field without a terminal: editing keys, UTF-8 and wide characters, what
 * it refuses, sideways scrolling, and the rendered line with its cursor column. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "widgets/field.h"

#define CTRL(c) ((c) & 0x1f)

static struct theme th, th_ascii;

static int setup(void **state)
{
	(void)state;
	theme_init_mono(&th, false);
	theme_init_mono(&th_ascii, true);
	return 0;
}

static void type(struct field *f, const char *s)
{
	/* s is UTF-8; feed it as get_wch() would, one character at a time. */
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = strlen(s);
	while (n > 0) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &st);
		assert_true(k > 0 && k <= n);
		field_input(f, (wint_t)wc, false);
		s += k;
		n -= k;
	}
}

static int key(struct field *f, int code)
{
	return field_input(f, (wint_t)code, true);
}

static int ctl(struct field *f, int c)
{
	return field_input(f, (wint_t)c, false);
}

/* The rendered line, with the cursor's column marked by '|' inserted before it. */
static const char *shown(struct field *f, int width)
{
	static char out[512];
	char buf[400];
	int cc = -1;
	field_render(f, width, buf, sizeof buf, &cc);
	/* Find the byte where column cc starts. */
	size_t i = 0;
	int col = 0;
	while (buf[i] && col < cc) {
		int cw;
		i += text_next_char(buf + i, &cw);
		col += cw;
	}
	snprintf(out, sizeof out, "%.*s|%s", (int)i, buf, buf + i);
	return out;
}

static void test_typing_and_moving(void **state)
{
	(void)state;
	struct field *f = field_new(&th, 0);
	assert_string_equal(field_text(f), "");
	assert_string_equal(shown(f, 8), "|        ");
	type(f, "hello");
	assert_string_equal(field_text(f), "hello");
	assert_int_equal(field_cursor(f), 5);
	assert_string_equal(shown(f, 8), "hello|   ");
	assert_int_equal(key(f, KEY_LEFT), WR_HANDLED | WR_REDRAW);
	assert_int_equal(key(f, KEY_LEFT), WR_HANDLED | WR_REDRAW);
	assert_string_equal(shown(f, 8), "hel|lo   ");
	type(f, "X");
	assert_string_equal(field_text(f), "helXlo");
	assert_int_equal(key(f, KEY_HOME), WR_HANDLED | WR_REDRAW);
	assert_int_equal(key(f, KEY_HOME), WR_HANDLED);     /* nowhere to go */
	assert_int_equal(key(f, KEY_LEFT), WR_HANDLED);
	assert_int_equal(field_cursor(f), 0);
	assert_int_equal(key(f, KEY_END), WR_HANDLED | WR_REDRAW);
	assert_int_equal(key(f, KEY_RIGHT), WR_HANDLED);
	assert_int_equal(ctl(f, CTRL('A')), WR_HANDLED | WR_REDRAW);
	assert_int_equal(field_cursor(f), 0);
	assert_int_equal(ctl(f, CTRL('E')), WR_HANDLED | WR_REDRAW);
	assert_int_equal(field_cursor(f), 6);
	ctl(f, CTRL('B'));
	assert_int_equal(field_cursor(f), 5);
	ctl(f, CTRL('F'));
	assert_int_equal(field_cursor(f), 6);
	field_free(&f);
	assert_null(f);
	field_free(&f);
}

static void test_deleting(void **state)
{
	(void)state;
	struct field *f = field_new(&th, 0);
	type(f, "one two three");
	assert_int_equal(key(f, KEY_BACKSPACE), WR_HANDLED | WR_REDRAW);
	assert_string_equal(field_text(f), "one two thre");
	assert_int_equal(ctl(f, 0x7F), WR_HANDLED | WR_REDRAW);   /* DEL from the terminal */
	assert_int_equal(ctl(f, CTRL('H')), WR_HANDLED | WR_REDRAW);
	assert_string_equal(field_text(f), "one two th");
	assert_int_equal(ctl(f, CTRL('W')), WR_HANDLED | WR_REDRAW);
	assert_string_equal(field_text(f), "one two ");
	assert_int_equal(ctl(f, CTRL('W')), WR_HANDLED | WR_REDRAW);   /* blanks, then the word */
	assert_string_equal(field_text(f), "one ");
	key(f, KEY_HOME);
	assert_int_equal(key(f, KEY_DC), WR_HANDLED | WR_REDRAW);
	assert_string_equal(field_text(f), "ne ");
	assert_int_equal(ctl(f, CTRL('D')), WR_HANDLED | WR_REDRAW);
	assert_string_equal(field_text(f), "e ");
	assert_int_equal(key(f, KEY_BACKSPACE), WR_HANDLED);   /* at the start: nothing */
	assert_int_equal(ctl(f, CTRL('U')), WR_HANDLED);
	key(f, KEY_RIGHT);
	assert_int_equal(ctl(f, CTRL('K')), WR_HANDLED | WR_REDRAW);
	assert_string_equal(field_text(f), "e");
	assert_int_equal(ctl(f, CTRL('K')), WR_HANDLED);
	type(f, "xyz");
	key(f, KEY_LEFT);
	assert_int_equal(ctl(f, CTRL('U')), WR_HANDLED | WR_REDRAW);
	assert_string_equal(field_text(f), "z");
	assert_int_equal(field_cursor(f), 0);
	key(f, KEY_END);
	assert_int_equal(key(f, KEY_DC), WR_HANDLED);
	field_free(&f);
}

static void test_owner_keys_ignored(void **state)
{
	(void)state;
	struct field *f = field_new(&th, 0);
	type(f, "a");
	assert_int_equal(ctl(f, '\r'), WR_IGNORED);
	assert_int_equal(ctl(f, '\n'), WR_IGNORED);
	assert_int_equal(ctl(f, '\t'), WR_IGNORED);
	assert_int_equal(ctl(f, 27), WR_IGNORED);
	assert_int_equal(key(f, KEY_UP), WR_IGNORED);
	assert_int_equal(key(f, KEY_DOWN), WR_IGNORED);
	assert_int_equal(key(f, KEY_BTAB), WR_IGNORED);
	assert_int_equal(key(f, KEY_ENTER), WR_IGNORED);
	assert_int_equal(key(f, KEY_F(10)), WR_IGNORED);
	assert_int_equal(key(f, KEY_RESIZE), WR_IGNORED);
	/* The widget contract's int key: codes and ASCII. */
	assert_int_equal(widget_handle_key(field_widget(f), 'b'), WR_HANDLED | WR_REDRAW);
	assert_int_equal(widget_handle_key(field_widget(f), KEY_LEFT), WR_HANDLED | WR_REDRAW);
	assert_int_equal(widget_handle_key(field_widget(f), '\t'), WR_IGNORED);
	assert_string_equal(field_text(f), "ab");
	field_free(&f);
}

static void test_utf8_and_wide(void **state)
{
	(void)state;
	struct field *f = field_new(&th, 0);
	type(f, "caf\xC3\xA9");                                   /* café */
	assert_int_equal(strlen(field_text(f)), 5);
	assert_string_equal(shown(f, 6), "caf\xC3\xA9|  ");
	key(f, KEY_LEFT);
	assert_int_equal(field_cursor(f), 3);                    /* before the é, whole */
	key(f, KEY_END);
	key(f, KEY_BACKSPACE);
	assert_string_equal(field_text(f), "caf");
	ctl(f, CTRL('U'));
	type(f, "\xE6\x97\xA5\xE6\x9C\xAC");                      /* 日本: two columns each */
	assert_string_equal(shown(f, 6), "\xE6\x97\xA5\xE6\x9C\xAC|  ");
	key(f, KEY_LEFT);
	assert_string_equal(shown(f, 6), "\xE6\x97\xA5|\xE6\x9C\xAC  ");
	key(f, KEY_BACKSPACE);
	assert_string_equal(field_text(f), "\xE6\x9C\xAC");
	field_free(&f);
}

static void test_refused(void **state)
{
	(void)state;
	struct field *f = field_new(&th, 0);
	static const wint_t bad[] = {
		0x01, 0x1B, 0x85, 0x9B,               /* C0 (not editing keys), C1 */
		0x202E, 0x2066, 0x200E, 0x061C,       /* bidi */
		0x200B, 0xFEFF, 0x00AD, 0x2060,       /* invisible */
		0x0301,                               /* a combining mark: zero width */
		0xD800, 0x110000,                     /* not characters */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(field_accepts(f, bad[i]));
		if (bad[i] >= 0x20)
			assert_int_equal(field_input(f, bad[i], false), WR_HANDLED);
	}
	assert_string_equal(field_text(f), "");
	assert_true(field_accepts(f, 'a'));
	assert_true(field_accepts(f, 0xE9));
	assert_true(field_accepts(f, 0x65E5));
	struct field *a = field_new(&th_ascii, 0);
	assert_false(field_accepts(a, 0xE9));
	type(a, "a\xC3\xA9z");
	assert_string_equal(field_text(a), "az");
	field_free(&a);
	field_free(&f);
}

static void test_max_and_set_text(void **state)
{
	(void)state;
	struct field *f = field_new(&th, 5);
	type(f, "abcdefgh");
	assert_string_equal(field_text(f), "abcde");
	key(f, KEY_BACKSPACE);
	type(f, "\xC3\xA9");                                      /* 2 bytes do not fit in 1 */
	assert_string_equal(field_text(f), "abcd");
	field_set_text(f, "x\x1B[31my\xE2\x80\xAEz");             /* ESC and U+202E dropped */
	assert_string_equal(field_text(f), "x[31m");
	field_free(&f);

	f = field_new(&th, 0);
	field_set_text(f, "ok\xFF\xC3\x28\xE0\x80\xAF\xED\xA0\x80!\xC3\xA9");   /* invalid UTF-8 dropped */
	assert_string_equal(field_text(f), "ok(!\xC3\xA9");
	assert_int_equal(field_cursor(f), strlen(field_text(f)));
	field_set_text(f, NULL);
	assert_string_equal(field_text(f), "");
	assert_int_equal(field_cursor(f), 0);
	field_free(&f);
}

static void test_scrolling(void **state)
{
	(void)state;
	struct field *f = field_new(&th, 0);
	type(f, "abcdefghijklmnopqrstuvwxyz");
	/* The end in view, the cursor on the blank after it. */
	assert_string_equal(shown(f, 10), "rstuvwxyz| ");
	key(f, KEY_HOME);
	assert_string_equal(shown(f, 10), "|abcdefghij");
	for (int i = 0; i < 12; i++)
		key(f, KEY_RIGHT);
	assert_string_equal(shown(f, 10), "defghijkl|m");
	key(f, KEY_END);
	assert_string_equal(shown(f, 10), "rstuvwxyz| ");
	/* Deleting lets the text slide back: no blank wasted while text is hidden. */
	for (int i = 0; i < 20; i++)
		key(f, KEY_BACKSPACE);
	assert_string_equal(shown(f, 10), "abcdef|    ");
	field_free(&f);

	/* A wide character cut by the left edge leaves a blank. */
	f = field_new(&th, 0);
	type(f, "a\xE6\x97\xA5" "bcdefgh");
	assert_string_equal(shown(f, 5), "efgh| ");
	key(f, KEY_HOME);
	assert_string_equal(shown(f, 5), "|a\xE6\x97\xA5" "bc");
	for (int i = 0; i < 5; i++)
		key(f, KEY_RIGHT);
	assert_string_equal(shown(f, 5), " bcd|e");
	key(f, KEY_RIGHT);
	assert_string_equal(shown(f, 5), "bcde|f");
	field_free(&f);
}

static void test_placeholder_and_focus(void **state)
{
	(void)state;
	struct field *f = field_new(&th, 0);
	field_set_placeholder(f, "default \x1B[1m1");
	assert_string_equal(shown(f, 14), "|default ^[[1m1");
	assert_string_equal(shown(f, 6), "|defau\xE2\x80\xA6");
	type(f, "2");
	assert_string_equal(shown(f, 4), "2|   ");
	field_set_placeholder(f, NULL);
	key(f, KEY_BACKSPACE);
	assert_string_equal(shown(f, 3), "|   ");
	assert_false(field_focused(f));
	field_set_focus(f, true);
	assert_true(field_focused(f));
	char buf[4];
	int cc = 7;
	assert_int_equal(field_render(f, 0, buf, sizeof buf, &cc), 0);
	assert_int_equal(cc, 0);
	type(f, "abcdef");
	field_render(f, 8, buf, sizeof buf, &cc);   /* cut to the buffer, still a string */
	assert_string_equal(buf, "abc");
	field_free(&f);
}

/* Alt-B, Alt-F, Alt-D and Alt-Backspace (the prompt's emacs keys), and moving the cursor. */
static void test_meta_words(void **state)
{
	(void)state;
	struct field *f = field_new(&th, 0);
	type(f, "tasks  gbt-été x");
	assert_int_equal(field_input_meta(f, 'b', false), WR_HANDLED | WR_REDRAW);
	assert_string_equal(shown(f, 30), "tasks  gbt-été |x              ");
	field_input_meta(f, 'b', false);
	assert_int_equal(field_cursor(f), 7);
	field_input_meta(f, 'b', false);
	assert_int_equal(field_cursor(f), 0);
	assert_int_equal(field_input_meta(f, 'b', false), WR_HANDLED);   /* nowhere to go */
	assert_int_equal(field_input_meta(f, 'f', false), WR_HANDLED | WR_REDRAW);
	assert_int_equal(field_cursor(f), 5);
	assert_int_equal(field_input_meta(f, 'd', false), WR_HANDLED | WR_REDRAW);
	assert_string_equal(field_text(f), "tasks x");
	assert_int_equal(field_input_meta(f, KEY_BACKSPACE, true), WR_HANDLED | WR_REDRAW);
	assert_string_equal(field_text(f), " x");
	assert_int_equal(field_cursor(f), 0);
	assert_int_equal(field_input_meta(f, 'z', false), WR_IGNORED);
	assert_int_equal(field_input_meta(f, KEY_LEFT, true), WR_IGNORED);
	field_input_meta(f, 'f', false);
	assert_int_equal(field_cursor(f), 2);
	assert_int_equal(field_input_meta(f, 'f', false), WR_HANDLED);
	assert_int_equal(field_input_meta(f, 'd', false), WR_HANDLED);

	field_set_text(f, "aéb");
	field_set_cursor(f, 2);   /* inside the two bytes of é: back to its start */
	assert_int_equal(field_cursor(f), 1);
	field_set_cursor(f, 99);
	assert_int_equal(field_cursor(f), 4);
	field_free(&f);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typing_and_moving),
		cmocka_unit_test(test_deleting),
		cmocka_unit_test(test_owner_keys_ignored),
		cmocka_unit_test(test_utf8_and_wide),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_max_and_set_text),
		cmocka_unit_test(test_scrolling),
		cmocka_unit_test(test_placeholder_and_focus),
		cmocka_unit_test(test_meta_words),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
