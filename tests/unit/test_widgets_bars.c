/* Key bar and status line as text, and the help screen's lines, from key tables. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/base/sanitize.h"
#include "widgets/help.h"
#include "widgets/keybar.h"
#include "widgets/statusbar.h"
#include "widgets/table.h"

enum { OP_HELP = 1, OP_SEARCH, OP_FILTER, OP_LOGS, OP_SORT, OP_SCALE, OP_REMOVE, OP_QUIT,
       OP_REFRESH };

static const struct keybinding keys[] = {
	{ KEY_F(1), "F1", "Help", "Show this help", KB_BAR, OP_HELP },
	{ KEY_F(3), "F3", "Search", "Search by name", KB_BAR, OP_SEARCH },
	{ KEY_F(4), "F4", "Filter", "Show only the rows that match a text", KB_BAR, OP_FILTER },
	{ '/', NULL, NULL, NULL, 0, OP_FILTER },
	{ KEY_F(5), "F5", "Logs", "Follow the logs of the selected service", KB_BAR, OP_LOGS },
	{ KEY_F(6), "F6", "SortBy", "Choose the sort column", KB_BAR, OP_SORT },
	{ KEY_F(7), "F7", "Scale", "Change the number of replicas", KB_BAR, OP_SCALE },
	{ KEY_F(9), "F9", "Remove", "Remove the selected service after a confirmation", KB_BAR,
	  OP_REMOVE },
	{ KEY_F(10), "F10", "Quit", "Quit glovebox", KB_BAR, OP_QUIT },
	{ 'R', "R", "Refresh", NULL, 0, OP_REFRESH },
	{ 0, NULL, NULL, NULL, 0, 0 },
};

static struct theme th;

static int setup(void **state)
{
	(void)state;
	theme_init_mono(&th, false);
	return 0;
}

static void test_keybar_80(void **state)
{
	(void)state;
	char buf[256];
	unsigned char is_key[80];
	keybar_render_text(keys, 80, buf, sizeof buf, is_key);
	assert_string_equal(buf, "F1Help F3Search F4Filter F5Logs F6SortBy F7Scale F9Remove F10Quit"
	                         "               ");
	assert_int_equal(text_width(buf), 80);
	assert_true(is_key[0] && is_key[1] && !is_key[2]);
	assert_true(is_key[7] && is_key[8] && !is_key[9]);
	assert_true(is_key[58] && is_key[59] && is_key[60] && !is_key[61]);
	assert_false(is_key[79]);
}

static void test_keybar_narrow(void **state)
{
	(void)state;
	char buf[256];
	/* Labels shortened first. */
	keybar_render_text(keys, 61, buf, sizeof buf, NULL);
	assert_string_equal(buf, "F1Help F3Searc F4Filte F5Logs F6SortB F7Scale F9Remov F10Quit");
	/* Then items dropped from the end (labels no shorter than 4). */
	keybar_render_text(keys, 40, buf, sizeof buf, NULL);
	assert_string_equal(buf, "F1Help F3Sear F4Filt F5Logs F6Sort      ");
	assert_int_equal(text_width(buf), 40);
	keybar_render_text(keys, 6, buf, sizeof buf, NULL);
	assert_string_equal(buf, "F1Help");
	keybar_render_text(keys, 5, buf, sizeof buf, NULL);
	assert_string_equal(buf, "     ");
	keybar_render_text(keys, 0, buf, sizeof buf, NULL);
	assert_string_equal(buf, "");
	/* Nothing flagged for the bar. */
	keybar_render_text(table_keys, 10, buf, sizeof buf, NULL);
	assert_string_equal(buf, "          ");
	keybar_render_text(NULL, 3, buf, sizeof buf, NULL);
	assert_string_equal(buf, "   ");
	/* A buffer too small is cut, never overrun. */
	char small[5];
	keybar_render_text(keys, 80, small, sizeof small, NULL);
	assert_string_equal(small, "F1  ");
}

static void test_statusbar(void **state)
{
	(void)state;
	struct statusbar *sb = statusbar_new(&th);
	char buf[256];
	statusbar_render_text(sb, 10, buf, sizeof buf);
	assert_string_equal(buf, "          ");
	statusbar_set(sb, "prod: 12 services", "updated 3s ago");
	statusbar_render_text(sb, 40, buf, sizeof buf);
	assert_string_equal(buf, "prod: 12 services         updated 3s ago");
	/* The right side goes first, then the left is cut. */
	statusbar_render_text(sb, 31, buf, sizeof buf);
	assert_string_equal(buf, "prod: 12 services              ");
	statusbar_render_text(sb, 32, buf, sizeof buf);
	assert_string_equal(buf, "prod: 12 services updated 3s ago");
	statusbar_render_text(sb, 10, buf, sizeof buf);
	assert_string_equal(buf, "prod: 12 \xE2\x80\xA6");
	/* A message replaces the left side, sanitised. */
	assert_false(statusbar_has_message(sb));
	statusbar_message(sb, STATUS_ERROR, "engine: \x1b[31mno such service\n");
	assert_true(statusbar_has_message(sb));
	statusbar_render_text(sb, 60, buf, sizeof buf);
	assert_string_equal(buf, "engine: ^[[31mno such service^J               updated 3s ago");
	statusbar_message(sb, STATUS_INFO, NULL);
	assert_false(statusbar_has_message(sb));
	statusbar_render_text(sb, 0, buf, sizeof buf);
	assert_string_equal(buf, "");
	struct widget *w = statusbar_widget(sb);
	assert_true(w->dirty);
	widget_free(&w);
	assert_null(w);
}

static void test_help_lines(void **state)
{
	(void)state;
	const struct help_section secs[] = { { "Services", keys }, { "Moving around", table_keys } };
	struct help *h = help_new("glovebox help", secs, 2, &th);
	struct wrap lines = { 0 };
	int *kind;
	help_render_lines(h, 80, &lines, &kind);
	/* Key column: the widest name ("Down/j", "Home/g" ...: 6). */
	assert_string_equal(lines.line[0], "Services");
	assert_int_equal(kind[0], -1);
	assert_string_equal(lines.line[1], "  F1      Show this help");
	assert_int_equal(kind[1], 4);
	assert_string_equal(lines.line[3], "  F4      Show only the rows that match a text");
	assert_string_equal(lines.line[8], "  F10     Quit glovebox");
	assert_int_equal(kind[8], 5);
	/* No help text: the action label. */
	assert_string_equal(lines.line[9], "  R       Refresh");
	assert_string_equal(lines.line[10], "");
	assert_int_equal(kind[10], 0);
	assert_string_equal(lines.line[11], "Moving around");
	assert_string_equal(lines.line[12], "  Up/k    Move the selection up");
	assert_int_equal(lines.n, 12 + 9);
	free(kind);
	wrap_free(&lines);

	/* 40 columns: the long help wraps with a hanging indent. */
	help_render_lines(h, 40, &lines, NULL);
	assert_string_equal(lines.line[3], "  F4      Show only the rows that match");
	assert_string_equal(lines.line[4], "          a text");
	for (size_t i = 0; i < lines.n; i++)
		assert_true(text_width(lines.line[i]) <= 40);
	wrap_free(&lines);

	/* 19 columns: too narrow beside the key, so the text goes under it. */
	help_render_lines(h, 19, &lines, NULL);
	assert_string_equal(lines.line[1], "  F1");
	assert_string_equal(lines.line[2], "    Show this help");
	for (size_t i = 0; i < lines.n; i++)
		assert_true(text_width(lines.line[i]) <= 19);
	wrap_free(&lines);
	help_render_lines(h, 0, &lines, &kind);
	assert_int_equal(lines.n, 0);
	assert_null(kind);
	help_free(&h);
	assert_null(h);
}

/* KB_NOHELP: on the bar, in table order, but not in the help, whose key column it does not
 * widen either. */
static void test_nohelp(void **state)
{
	(void)state;
	static const struct keybinding mixed[] = {
		{ KEY_F(1), "F1", "Help", NULL, KB_BAR | KB_NOHELP, OP_HELP },
		{ 27, "Esc", "Back", "Back to the list", KB_BAR, OP_QUIT },
		{ '>', "<>LongName", "Sort", NULL, KB_BAR | KB_NOHELP, 0 },
		{ 'l', "l", "Logs", "The logs", 0, OP_LOGS },
		{ 0, NULL, NULL, NULL, 0, 0 },
	};
	char buf[256];
	keybar_render_text(mixed, 40, buf, sizeof buf, NULL);
	assert_string_equal(buf, "F1Help EscBack <>LongNameSort           ");
	const struct help_section secs[] = { { "List", mixed } };
	struct help *h = help_new("glovebox help", secs, 1, &th);
	struct wrap lines = { 0 };
	help_render_lines(h, 40, &lines, NULL);
	assert_int_equal(lines.n, 3);
	assert_string_equal(lines.line[1], "  Esc  Back to the list");
	assert_string_equal(lines.line[2], "  l    The logs");
	wrap_free(&lines);
	help_free(&h);
}

static void test_help_keys(void **state)
{
	(void)state;
	const struct help_section secs[] = { { "Services", keys }, { "Moving around", table_keys } };
	struct help *h = help_new("glovebox help", secs, 2, &th);
	help_widget(h)->area = (struct rect){ 0, 0, 10, 80 };   /* 9 body lines of 21 */
	assert_int_equal(help_handle_key(h, 'k'), WR_HANDLED);
	assert_int_equal(help_handle_key(h, 'j'), WR_HANDLED | WR_REDRAW);
	assert_int_equal(help_top(h), 1);
	help_handle_key(h, KEY_NPAGE);
	assert_int_equal(help_top(h), 9);
	help_handle_key(h, ' ');
	assert_int_equal(help_top(h), 12);   /* the last page */
	help_handle_key(h, KEY_HOME);
	assert_int_equal(help_top(h), 0);
	help_handle_key(h, 'G');
	assert_int_equal(help_top(h), 12);
	assert_int_equal(help_handle_key(h, 'x'), WR_HANDLED);
	assert_int_equal(help_handle_key(h, KEY_RESIZE), WR_IGNORED);
	assert_true(help_handle_key(h, 'q') & WR_DONE);
	assert_true(help_handle_key(h, 27) & WR_DONE);
	assert_true(help_handle_key(h, KEY_F(1)) & WR_DONE);
	struct widget *w = help_widget(h);
	widget_free(&w);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keybar_80),
		cmocka_unit_test(test_keybar_narrow),
		cmocka_unit_test(test_nohelp),
		cmocka_unit_test(test_statusbar),
		cmocka_unit_test(test_help_lines),
		cmocka_unit_test(test_help_keys),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
