/* The generic table without a terminal: layout, row text, selection by id, sort, filter,
 * scrolling. The fake owner below is a list of services like the one tui/ will show. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/base/sanitize.h"
#include "widgets/table.h"

enum { C_NAME, C_OWNER, C_CLASS, C_IMAGE, C_REPL, C_STATE, C_CPU, C_MEM, C_AGE, NCOLS };

static const struct table_column cols[NCOLS] = {
	[C_NAME]  = { "NAME", 10, 0, 3, 100, TABLE_LEFT, true },
	[C_OWNER] = { "OWNER", 8, 0, 1, 30, TABLE_LEFT, true },
	[C_CLASS] = { "CLASS", 6, 0, 0, 20, TABLE_LEFT, true },
	[C_IMAGE] = { "IMAGE", 12, 0, 2, 10, TABLE_LEFT, true },
	[C_REPL]  = { "REPL", 5, 0, 0, 80, TABLE_RIGHT, true },
	[C_STATE] = { "STATE", 8, 0, 0, 70, TABLE_LEFT, true },
	[C_CPU]   = { "CPU", 8, 16, 1, 50, TABLE_LEFT, true },
	[C_MEM]   = { "MEM", 8, 16, 1, 40, TABLE_LEFT, false },
	[C_AGE]   = { "AGE", 4, 0, 0, 60, TABLE_RIGHT, true },
};

struct svc {
	const char *id, *name, *owner, *klass, *image, *repl, *state;
	int cpu, age;
};

struct data {
	struct svc v[128];
	size_t n;
	int compares;
};

static size_t d_count(void *ctx)
{
	return ((struct data *)ctx)->n;
}

static const char *d_id(void *ctx, size_t row)
{
	return ((struct data *)ctx)->v[row].id;
}

static void d_cell(void *ctx, size_t row, int col, char *buf, size_t sz)
{
	const struct svc *s = &((struct data *)ctx)->v[row];
	switch (col) {
	case C_NAME:  snprintf(buf, sz, "%s", s->name); break;
	case C_OWNER: snprintf(buf, sz, "%s", s->owner); break;
	case C_CLASS: snprintf(buf, sz, "%s", s->klass); break;
	case C_IMAGE: snprintf(buf, sz, "%s", s->image); break;
	case C_REPL:  snprintf(buf, sz, "%s", s->repl); break;
	case C_STATE: snprintf(buf, sz, "%s", s->state); break;
	case C_CPU:   snprintf(buf, sz, "%d%%", s->cpu); break;
	case C_MEM:   snprintf(buf, sz, "n/a"); break;
	case C_AGE:   snprintf(buf, sz, "%dd", s->age); break;
	}
}

static int d_compare(void *ctx, size_t a, size_t b, int col)
{
	struct data *d = ctx;
	const struct svc *x = &d->v[a], *y = &d->v[b];
	d->compares++;
	switch (col) {
	case C_CPU: return (x->cpu > y->cpu) - (x->cpu < y->cpu);
	case C_AGE: return (x->age > y->age) - (x->age < y->age);
	default: {
		char p[128], q[128];
		d_cell(ctx, a, col, p, sizeof p);
		d_cell(ctx, b, col, q, sizeof q);
		return strcmp(p, q);
	}
	}
}

static const struct table_source src = {
	.row_count = d_count, .row_id = d_id, .render_cell = d_cell, .compare = d_compare,
};

static const struct svc base[] = {
	{ "a", "web", "alice", "gold", "nginx:1.25", "3/3", "running", 52, 4 },
	{ "b", "db", "bob", "gold", "postgres:16", "1/1", "running", 90, 30 },
	{ "c", "cache", "alice", "bronze", "redis:7", "2/2", "running", 5, 4 },
	{ "d", "queue", "carol", "silver", "rabbitmq:3", "0/1", "pending", 0, 1 },
	{ "e", "api", "bob", "silver", "api:2.1", "4/4", "running", 71, 12 },
};

static struct theme th;

static void load(struct data *d)
{
	memset(d, 0, sizeof *d);
	memcpy(d->v, base, sizeof base);
	d->n = sizeof base / sizeof base[0];
}

static void set_area(struct table *t, int h, int w)
{
	table_widget(t)->area = (struct rect){ 0, 0, h, w };
}

static int setup(void **state)
{
	(void)state;
	theme_init_mono(&th, false);
	return 0;
}

/* ---- layout ---- */

static void test_layout_80(void **state)
{
	(void)state;
	int w[NCOLS];
	assert_int_equal(table_layout(cols, NCOLS, 80, w), 9);
	int want[NCOLS] = { 11, 9, 6, 13, 5, 8, 8, 8, 4 };
	assert_memory_equal(w, want, sizeof want);
}

static void test_layout_60(void **state)
{
	(void)state;
	int w[NCOLS];
	/* IMAGE (priority 10) then CLASS (20) go. */
	assert_int_equal(table_layout(cols, NCOLS, 60, w), 7);
	int want[NCOLS] = { 11, 9, 0, 0, 5, 8, 9, 8, 4 };
	assert_memory_equal(w, want, sizeof want);
}

static void test_layout_40(void **state)
{
	(void)state;
	int w[NCOLS];
	assert_int_equal(table_layout(cols, NCOLS, 40, w), 5);
	int want[NCOLS] = { 11, 0, 0, 0, 5, 8, 8, 0, 4 };
	assert_memory_equal(w, want, sizeof want);
}

static void test_layout_wide_caps_and_tiny(void **state)
{
	(void)state;
	int w[NCOLS];
	/* 200 columns: CPU and MEM stop at 16, the rest goes to NAME, OWNER, IMAGE (3:1:2). */
	table_layout(cols, NCOLS, 200, w);
	int sum = NCOLS - 1;
	for (int i = 0; i < NCOLS; i++)
		sum += w[i];
	assert_int_equal(sum, 200);
	assert_int_equal(w[C_CPU], 16);
	assert_int_equal(w[C_MEM], 16);
	assert_true(w[C_NAME] > w[C_IMAGE] && w[C_IMAGE] > w[C_OWNER]);
	/* Narrower than the last column: it is cut to the width. */
	assert_int_equal(table_layout(cols, NCOLS, 6, w), 1);
	assert_int_equal(w[C_NAME], 6);
	assert_int_equal(table_layout(cols, NCOLS, 0, w), 0);
	assert_int_equal(w[C_NAME], 0);
	/* No weights: the spare stays blank at the end. */
	static const struct table_column fixed[2] = { { "A", 3, 0, 0, 1, TABLE_LEFT, false },
	                                              { "B", 3, 0, 0, 1, TABLE_LEFT, false } };
	assert_int_equal(table_layout(fixed, 2, 20, w), 2);
	assert_int_equal(w[0], 3);
	assert_int_equal(w[1], 3);
}

/* ---- text ---- */

static void test_header_text(void **state)
{
	(void)state;
	struct data d;
	load(&d);
	struct table *t = table_new(cols, NCOLS, &src, &d, &th);
	char buf[512];
	table_render_header_text(t, 40, buf, sizeof buf);
	assert_string_equal(buf, "NAME         REPL STATE    CPU       AGE");
	assert_int_equal(text_width(buf), 40);
	table_sort_by(t, C_CPU, true);
	table_render_header_text(t, 40, buf, sizeof buf);
	assert_string_equal(buf, "NAME         REPL STATE    CPU\xE2\x96\xBC      AGE");
	table_sort_by(t, C_AGE, false);
	table_render_header_text(t, 40, buf, sizeof buf);
	assert_string_equal(buf, "NAME         REPL STATE    CPU      AGE\xE2\x96\xB2");

	struct theme ath;
	theme_init_mono(&ath, true);
	struct table *ta = table_new(cols, NCOLS, &src, &d, &ath);
	table_sort_by(ta, C_NAME, true);
	table_render_header_text(ta, 40, buf, sizeof buf);
	assert_string_equal(buf, "NAMEv        REPL STATE    CPU       AGE");
	table_free(&ta);
	table_free(&t);
	assert_null(t);
}

static void test_row_text_alignment(void **state)
{
	(void)state;
	struct data d;
	load(&d);
	struct table *t = table_new(cols, NCOLS, &src, &d, &th);
	char buf[512];
	table_render_row_text(t, 0, 40, buf, sizeof buf);
	assert_string_equal(buf, "web           3/3 running  52%        4d");
	table_render_row_text(t, 0, 80, buf, sizeof buf);
	assert_string_equal(buf, "web         alice     gold   nginx:1.25      3/3 running  52%      n/a        4d");
	assert_int_equal(text_width(buf), 80);
	table_free(&t);
}

static void test_row_text_truncation(void **state)
{
	(void)state;
	struct data d;
	load(&d);
	d.v[0].name = "web-frontend-production";
	d.v[1].name = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x82\xB5\xE3\x83\xBC\xE3\x83\x93\xE3\x82\xB9"; /* 日本語サービス */
	d.v[2].name = "a\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x82\xB5\xE3\x83\xBC\xE3\x83\x93\xE3\x82\xB9";
	d.v[3].repl = "1000/1000";
	struct table *t = table_new(cols, NCOLS, &src, &d, &th);
	char buf[512];

	table_render_row_text(t, 0, 40, buf, sizeof buf);
	assert_string_equal(buf, "web-fronte\xE2\x80\xA6   3/3 running  52%        4d");
	/* Five double-width characters fill 10 columns, then the ellipsis. */
	table_render_row_text(t, 1, 40, buf, sizeof buf);
	assert_string_equal(buf, "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x82\xB5\xE3\x83\xBC\xE2\x80\xA6"
	                         "   1/1 running  90%       30d");
	assert_int_equal(text_width(buf), 40);
	/* A double-width character is never split: 9 columns, the ellipsis, one blank. */
	table_render_row_text(t, 2, 40, buf, sizeof buf);
	assert_string_equal(buf, "a\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x82\xB5\xE2\x80\xA6"
	                         "    2/2 running  5%         4d");
	assert_int_equal(text_width(buf), 40);
	/* Right-aligned and cut. */
	table_render_row_text(t, 3, 40, buf, sizeof buf);
	assert_string_equal(buf, "queue       1000\xE2\x80\xA6 pending  0%         1d");

	/* ASCII: "~" as the ellipsis. */
	struct theme ath;
	theme_init_mono(&ath, true);
	struct table *ta = table_new(cols, NCOLS, &src, &d, &ath);
	table_render_row_text(ta, 0, 40, buf, sizeof buf);
	assert_string_equal(buf, "web-fronte~   3/3 running  52%        4d");
	/* A small buffer cuts the text but stays terminated. */
	char small[8];
	table_render_row_text(ta, 0, 40, small, sizeof small);
	assert_string_equal(small, "web-fr~");
	table_free(&ta);
	table_free(&t);
}

/* ---- selection ---- */

static void test_selection_survives_refresh(void **state)
{
	(void)state;
	struct data d;
	load(&d);
	struct table *t = table_new(cols, NCOLS, &src, &d, &th);
	set_area(t, 10, 80);
	assert_string_equal(table_selected_id(t), "a");
	assert_true(table_select_id(t, "c"));
	assert_false(table_select_id(t, "zz"));
	size_t row;
	assert_true(table_selected_row(t, &row));
	assert_int_equal(row, 2);

	/* Reordered: c moves to the end. */
	struct svc c = d.v[2];
	memmove(&d.v[2], &d.v[3], 2 * sizeof c);
	d.v[4] = c;
	table_refresh(t);
	assert_string_equal(table_selected_id(t), "c");
	assert_true(table_selected_row(t, &row));
	assert_int_equal(row, 4);

	/* Rows added in front. */
	memmove(&d.v[2], &d.v[0], 5 * sizeof c);
	d.v[0] = (struct svc){ "x", "x", "", "", "", "", "", 0, 0 };
	d.v[1] = (struct svc){ "y", "y", "", "", "", "", "", 0, 0 };
	d.n = 7;
	table_refresh(t);
	assert_string_equal(table_selected_id(t), "c");
	assert_true(table_selected_row(t, &row));
	assert_int_equal(row, 6);

	/* Removed: the row now at its place (the last one) is selected. */
	d.n = 6;
	table_refresh(t);
	assert_string_equal(table_selected_id(t), "e");

	/* Removed from the middle: the next row moves up into its place. */
	assert_true(table_select_id(t, "a"));   /* position 2: x y a b d e */
	memmove(&d.v[2], &d.v[3], 3 * sizeof c);
	d.n = 5;
	table_refresh(t);
	assert_string_equal(table_selected_id(t), "b");

	/* Everything gone, then back: the last selected id is selected again. */
	size_t n = d.n;
	d.n = 0;
	table_refresh(t);
	assert_null(table_selected_id(t));
	assert_false(table_selected_row(t, NULL));
	assert_int_equal(table_view_count(t), 0);
	assert_int_equal(table_do(t, TABLE_OP_DOWN), WR_HANDLED);
	d.n = n;
	table_refresh(t);
	assert_string_equal(table_selected_id(t), "b");
	table_free(&t);
}

static void test_selection_survives_sort(void **state)
{
	(void)state;
	struct data d;
	load(&d);
	struct table *t = table_new(cols, NCOLS, &src, &d, &th);
	set_area(t, 10, 80);
	table_select_id(t, "d");
	table_sort_by(t, C_CPU, true);
	assert_string_equal(table_selected_id(t), "d");
	/* d has the least CPU: last when descending. */
	assert_int_equal(table_view_row(t, 4), 3);
	table_free(&t);
}

/* ---- sort ---- */

static void view_ids(const struct table *t, const struct data *d, char *out)
{
	size_t n = table_view_count(t);
	for (size_t i = 0; i < n; i++)
		out[i] = d->v[table_view_row(t, i)].id[0];
	out[n] = '\0';
}

static void test_sort_each_column(void **state)
{
	(void)state;
	struct data d;
	load(&d);
	struct table *t = table_new(cols, NCOLS, &src, &d, &th);
	char ids[16];
	static const struct { int col; const char *asc, *desc; } want[] = {
		{ C_NAME, "ecbda", "adbce" },
		{ C_OWNER, "acbed", "dbeac" },    /* ties keep the owner's order both ways */
		{ C_CLASS, "cabde", "deabc" },
		{ C_IMAGE, "eabdc", "cdbae" },
		{ C_REPL, "dbcae", "eacbd" },
		{ C_STATE, "dabce", "abced" },
		{ C_CPU, "dcaeb", "beacd" },
		{ C_AGE, "daceb", "beacd" },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		table_sort_by(t, want[i].col, false);
		view_ids(t, &d, ids);
		assert_string_equal(ids, want[i].asc);
		table_sort_by(t, want[i].col, true);
		view_ids(t, &d, ids);
		assert_string_equal(ids, want[i].desc);
	}
	bool desc;
	assert_int_equal(table_sort_col(t, &desc), C_AGE);
	assert_true(desc);

	/* Back to the owner's order. */
	table_sort_by(t, -1, true);
	view_ids(t, &d, ids);
	assert_string_equal(ids, "abcde");
	assert_int_equal(table_sort_col(t, &desc), -1);
	assert_false(desc);
	table_free(&t);
}

static void test_sort_keys(void **state)
{
	(void)state;
	struct data d;
	load(&d);
	struct table *t = table_new(cols, NCOLS, &src, &d, &th);
	bool desc;
	/* 'I' without a sort column does nothing. */
	assert_int_equal(table_handle_key(t, 'I'), WR_HANDLED);
	assert_int_equal(table_handle_key(t, '>'), WR_HANDLED | WR_REDRAW);
	assert_int_equal(table_sort_col(t, &desc), C_NAME);
	assert_false(desc);
	assert_int_equal(table_handle_key(t, 'I'), WR_HANDLED | WR_REDRAW);
	assert_int_equal(table_sort_col(t, &desc), C_NAME);
	assert_true(desc);
	/* The direction stays when the column changes. */
	table_handle_key(t, '<');
	assert_int_equal(table_sort_col(t, &desc), C_AGE);
	assert_true(desc);
	table_handle_key(t, '<');   /* MEM is not sortable */
	assert_int_equal(table_sort_col(t, NULL), C_CPU);

	/* At 40 columns only NAME, REPL, STATE, CPU and AGE are shown: '>' skips the others. */
	set_area(t, 10, 40);
	table_widget(t)->ops->resize(table_widget(t));
	table_sort_by(t, C_NAME, false);
	table_handle_key(t, '>');
	assert_int_equal(table_sort_col(t, NULL), C_REPL);
	table_handle_key(t, '>');
	table_handle_key(t, '>');
	table_handle_key(t, '>');
	assert_int_equal(table_sort_col(t, NULL), C_AGE);
	table_handle_key(t, '>');
	assert_int_equal(table_sort_col(t, NULL), C_NAME);
	assert_int_equal(table_handle_key(t, 'x'), WR_IGNORED);
	table_free(&t);

	/* Without a compare callback nothing sorts. */
	struct table_source nosort = src;
	nosort.compare = NULL;
	t = table_new(cols, NCOLS, &nosort, &d, &th);
	assert_int_equal(table_handle_key(t, '>'), WR_HANDLED);
	table_sort_by(t, C_NAME, true);
	assert_int_equal(table_sort_col(t, &desc), -1);
	assert_false(desc);
	table_free(&t);
}

/* ---- filter ---- */

static bool match_state(void *ctx, size_t row, const char *filter)
{
	return strcmp(((struct data *)ctx)->v[row].state, filter) == 0;
}

static void test_filter(void **state)
{
	(void)state;
	struct data d;
	load(&d);
	struct table *t = table_new(cols, NCOLS, &src, &d, &th);
	char ids[16];
	table_select_id(t, "e");
	table_set_filter(t, "ALICE");   /* default: any cell, case-insensitive */
	view_ids(t, &d, ids);
	assert_string_equal(ids, "ac");
	assert_string_equal(table_filter(t), "ALICE");
	/* e is filtered out: the row at the same position (clamped) is selected. */
	assert_string_equal(table_selected_id(t), "c");
	table_set_filter(t, "gold");
	view_ids(t, &d, ids);
	assert_string_equal(ids, "ab");
	table_set_filter(t, "nothing matches this");
	assert_int_equal(table_view_count(t), 0);
	assert_null(table_selected_id(t));
	table_set_filter(t, "");
	assert_string_equal(table_filter(t), "");
	assert_int_equal(table_view_count(t), 5);
	table_set_filter(t, NULL);
	assert_int_equal(table_view_count(t), 5);

	/* Filter and sort together. */
	table_sort_by(t, C_CPU, true);
	table_set_filter(t, "running");
	view_ids(t, &d, ids);
	assert_string_equal(ids, "beac");

	/* The owner's matcher. */
	struct table_source s2 = src;
	s2.matches = match_state;
	struct table *t2 = table_new(cols, NCOLS, &s2, &d, &th);
	table_set_filter(t2, "pending");
	view_ids(t2, &d, ids);
	assert_string_equal(ids, "d");
	table_set_filter(t2, "runn");
	assert_int_equal(table_view_count(t2), 0);
	table_free(&t2);
	table_free(&t);
}

/* ---- scrolling ---- */

static void test_scroll_keeps_selection_visible(void **state)
{
	(void)state;
	static struct data d;
	static char names[100][16];
	memset(&d, 0, sizeof d);
	for (int i = 0; i < 100; i++) {
		snprintf(names[i], sizeof names[i], "s%02d", i);
		d.v[i] = (struct svc){ names[i], names[i], "", "", "", "", "", i, i };
	}
	d.n = 100;
	struct table *t = table_new(cols, NCOLS, &src, &d, &th);
	set_area(t, 11, 80);   /* header and 10 rows */
	assert_int_equal(table_visible_rows(t), 10);
	for (int i = 0; i < 15; i++)
		assert_int_equal(table_handle_key(t, i % 2 ? 'j' : KEY_DOWN), WR_HANDLED | WR_REDRAW);
	assert_string_equal(table_selected_id(t), "s15");
	assert_int_equal(table_scroll_top(t), 6);
	table_handle_key(t, KEY_NPAGE);
	assert_string_equal(table_selected_id(t), "s25");
	assert_int_equal(table_scroll_top(t), 16);
	table_handle_key(t, KEY_PPAGE);
	table_handle_key(t, KEY_PPAGE);
	assert_string_equal(table_selected_id(t), "s05");
	assert_int_equal(table_scroll_top(t), 5);
	table_handle_key(t, 'G');
	assert_string_equal(table_selected_id(t), "s99");
	assert_int_equal(table_scroll_top(t), 90);
	assert_int_equal(table_handle_key(t, KEY_END), WR_HANDLED);   /* already there */
	table_handle_key(t, KEY_UP);
	assert_int_equal(table_scroll_top(t), 90);
	table_handle_key(t, 'g');
	assert_string_equal(table_selected_id(t), "s00");
	assert_int_equal(table_scroll_top(t), 0);
	assert_int_equal(table_handle_key(t, 'k'), WR_HANDLED);

	/* Sorting moves the selection: still visible. */
	table_select_id(t, "s03");
	table_sort_by(t, C_CPU, true);
	assert_string_equal(table_selected_id(t), "s03");
	size_t top = table_scroll_top(t);
	assert_true(top <= 96 && 96 < top + 10);

	/* The data shrinks below the scroll offset: no blank page. */
	table_select_id(t, "s00");
	d.n = 12;
	table_refresh(t);
	assert_int_equal(table_view_count(t), 12);
	assert_int_equal(table_scroll_top(t), 2);
	assert_string_equal(table_selected_id(t), "s00");

	/* A one-line area shows only the header: the selection still moves. */
	set_area(t, 1, 80);
	assert_int_equal(table_visible_rows(t), 0);
	table_handle_key(t, KEY_HOME);
	assert_string_equal(table_selected_id(t), "s11");
	table_free(&t);
}

static void test_keys_table(void **state)
{
	(void)state;
	/* Every op has a listed entry; aliases are hidden. */
	int listed = 0;
	for (const struct keybinding *k = table_keys; k->key; k++) {
		assert_true(k->op > TABLE_OP_NONE);
		if (k->keyname) {
			assert_non_null(k->help);
			listed++;
		}
	}
	assert_int_equal(listed, 9);
	assert_int_equal(keytable_find(table_keys, 'j')->op, TABLE_OP_DOWN);
	assert_null(keytable_find(table_keys, 'z'));
	assert_null(keytable_find(NULL, 'z'));
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_80),
		cmocka_unit_test(test_layout_60),
		cmocka_unit_test(test_layout_40),
		cmocka_unit_test(test_layout_wide_caps_and_tiny),
		cmocka_unit_test(test_header_text),
		cmocka_unit_test(test_row_text_alignment),
		cmocka_unit_test(test_row_text_truncation),
		cmocka_unit_test(test_selection_survives_refresh),
		cmocka_unit_test(test_selection_survives_sort),
		cmocka_unit_test(test_sort_each_column),
		cmocka_unit_test(test_sort_keys),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_scroll_keeps_selection_visible),
		cmocka_unit_test(test_keys_table),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
