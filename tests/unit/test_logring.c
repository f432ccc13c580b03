/* logring.h: the bounded ring of log lines (caps by count and bytes, drop counts, sequence
 * numbers across growth and wrap-around) and its search. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/swarm/logring.h"

static void push_text(struct logring *r, const char *text)
{
	struct log_line l = {.text = text, .len = strlen(text)};
	logring_push(r, &l);
}

static void push_num(struct logring *r, unsigned long i)
{
	char buf[32];
	snprintf(buf, sizeof buf, "line %lu", i);
	push_text(r, buf);
}

static void test_push_and_get(void **state)
{
	(void)state;
	struct logring *r = logring_new(0, 0);
	assert_int_equal(logring_count(r), 0);
	assert_null(logring_get(r, 0));
	assert_int_equal(logring_first_seq(r), 0);
	struct log_line l = {.text = "a\0b", .len = 3, .cut = 7, .ts_ns = 42, .stream = LOG_STDERR,
	                     .partial = true};
	logring_push(r, &l);
	push_text(r, "second");
	assert_int_equal(logring_count(r), 2);
	const struct logring_line *x = logring_get(r, 0);
	assert_int_equal(x->len, 3);
	assert_memory_equal(x->text, "a\0b", 4);   /* NUL-terminated as well */
	assert_int_equal(x->cut, 7);
	assert_int_equal(x->ts_ns, 42);
	assert_int_equal(x->stream, LOG_STDERR);
	assert_true(x->partial);
	assert_string_equal(logring_get(r, 1)->text, "second");
	assert_false(logring_get(r, 1)->partial);
	assert_null(logring_get(r, 2));
	assert_int_equal(logring_bytes(r), logring_line_size(3) + logring_line_size(6));
	assert_int_equal(logring_next_seq(r), 2);
	assert_int_equal(logring_dropped(r), 0);
	logring_free(&r);
	assert_null(r);
	logring_free(&r);
}

static void test_line_cap(void **state)
{
	(void)state;
	struct logring *r = logring_new(3, 0);
	for (unsigned long i = 0; i < 10; i++)
		push_num(r, i);
	assert_int_equal(logring_count(r), 3);
	assert_int_equal(logring_dropped(r), 7);
	assert_int_equal(logring_first_seq(r), 7);
	assert_int_equal(logring_next_seq(r), 10);
	assert_string_equal(logring_get(r, 0)->text, "line 7");
	assert_string_equal(logring_get(r, 2)->text, "line 9");
	logring_free(&r);
	/* A ring of one. */
	r = logring_new(1, 0);
	push_text(r, "a");
	push_text(r, "b");
	assert_int_equal(logring_count(r), 1);
	assert_string_equal(logring_get(r, 0)->text, "b");
	logring_free(&r);
}

/* Growth (doubling from 64) and wrap-around keep the order, at every fill level. */
static void test_growth_and_wrap(void **state)
{
	(void)state;
	struct logring *r = logring_new(100, 0);
	for (unsigned long i = 0; i < 1000; i++) {
		push_num(r, i);
		size_t n = logring_count(r);
		assert_int_equal(n, i + 1 < 100 ? i + 1 : 100);
		assert_int_equal(logring_first_seq(r), i + 1 - n);
		for (size_t k = 0; k < n; k++) {
			char want[32];
			snprintf(want, sizeof want, "line %lu", (unsigned long)(logring_first_seq(r) + k));
			assert_string_equal(logring_get(r, k)->text, want);
		}
	}
	logring_free(&r);
}

static void test_byte_cap(void **state)
{
	(void)state;
	char text[1000];
	memset(text, 'b', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	size_t one = logring_line_size(999);
	struct logring *r = logring_new(0, one * 10 + one / 2);   /* room for 10 such lines */
	for (int i = 0; i < 25; i++) {
		push_text(r, text);
		assert_true(logring_bytes(r) <= one * 10 + one / 2);
	}
	assert_int_equal(logring_count(r), 10);
	assert_int_equal(logring_dropped(r), 15);
	assert_int_equal(logring_bytes(r), one * 10);
	/* A short line fits in the room left; the next long one makes one long one go. */
	push_text(r, "x");
	assert_int_equal(logring_count(r), 11);
	assert_int_equal(logring_dropped(r), 15);
	push_text(r, text);
	assert_int_equal(logring_count(r), 11);
	assert_int_equal(logring_dropped(r), 16);
	assert_string_equal(logring_get(r, 9)->text, "x");
	assert_true(logring_bytes(r) <= one * 10 + one / 2);
	logring_free(&r);
}

static void test_newest_line_always_kept(void **state)
{
	(void)state;
	struct logring *r = logring_new(0, 100);
	char big[500];
	memset(big, 'z', sizeof big);
	struct log_line l = {.text = big, .len = sizeof big};
	push_text(r, "small");
	logring_push(r, &l);
	assert_int_equal(logring_count(r), 1);
	assert_int_equal(logring_get(r, 0)->len, 500);
	assert_int_equal(logring_dropped(r), 1);
	push_text(r, "after");
	assert_int_equal(logring_count(r), 1);
	assert_string_equal(logring_get(r, 0)->text, "after");
	logring_free(&r);
}

static void test_clear(void **state)
{
	(void)state;
	struct logring *r = logring_new(4, 0);
	for (unsigned long i = 0; i < 6; i++)
		push_num(r, i);
	logring_clear(r);
	assert_int_equal(logring_count(r), 0);
	assert_int_equal(logring_bytes(r), 0);
	assert_int_equal(logring_dropped(r), 2);
	assert_int_equal(logring_first_seq(r), 6);
	push_num(r, 6);
	assert_int_equal(logring_first_seq(r), 6);
	assert_string_equal(logring_get(r, 0)->text, "line 6");
	logring_free(&r);
}

/* A million lines through the default ring: bounded by count and bytes, and fast. */
static void test_million_lines(void **state)
{
	(void)state;
	struct logring *r = logring_new(0, 0);
	for (unsigned long i = 1; i <= 1000000; i++)
		push_num(r, i);
	assert_int_equal(logring_count(r), LOGRING_MAX_LINES);
	assert_int_equal(logring_dropped(r), 1000000 - LOGRING_MAX_LINES);
	assert_true(logring_bytes(r) <= LOGRING_MAX_BYTES);
	assert_string_equal(logring_get(r, LOGRING_MAX_LINES - 1)->text, "line 1000000");
	logring_free(&r);
	/* 64 KiB lines: the byte cap is what binds. */
	r = logring_new(0, 0);
	static char big[65536];
	memset(big, 'q', sizeof big);
	struct log_line l = {.text = big, .len = sizeof big};
	for (int i = 0; i < 1000; i++)
		logring_push(r, &l);
	assert_true(logring_bytes(r) <= LOGRING_MAX_BYTES);
	assert_int_equal(logring_count(r), LOGRING_MAX_BYTES / logring_line_size(sizeof big));
	logring_free(&r);
}

static void test_find_ci(void **state)
{
	(void)state;
	assert_int_equal(log_find_ci("Hello World", 11, "world", 5), 6);
	assert_int_equal(log_find_ci("Hello World", 11, "HELLO", 5), 0);
	assert_int_equal(log_find_ci("Hello World", 11, "", 0), 0);
	assert_int_equal(log_find_ci("Hello", 5, "Hello!", 6), -1);
	assert_int_equal(log_find_ci("aaab", 4, "aab", 3), 1);
	assert_int_equal(log_find_ci("abc", 3, "abd", 3), -1);
	/* Bytes, not C strings: a NUL in the text, bytes beyond len never looked at. */
	assert_int_equal(log_find_ci("a\0Error", 7, "error", 5), 2);
	assert_int_equal(log_find_ci("ab error", 2, "error", 5), -1);
	/* Non-ASCII bytes compare exactly. */
	assert_int_equal(log_find_ci("Zo\xc3\xab", 4, "O\xc3\xab", 3), 1);
	assert_int_equal(log_find_ci("\xc3\xab", 2, "\xc3\x8b", 2), -1);
}

static void test_search(void **state)
{
	(void)state;
	struct logring *r = logring_new(0, 0);
	const char *lines[] = {"start", "ERROR one", "ok", "an error two", "ok", "Error three", "end"};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		push_text(r, lines[i]);
	assert_int_equal(logring_next_match(r, 0, "error", false), 1);
	assert_int_equal(logring_next_match(r, 1, "error", false), 1);
	assert_int_equal(logring_next_match(r, 2, "error", false), 3);
	assert_int_equal(logring_next_match(r, 6, "error", false), -1);
	assert_int_equal(logring_next_match(r, 6, "error", true), 1);
	assert_int_equal(logring_next_match(r, 100, "error", false), -1);
	assert_int_equal(logring_next_match(r, 100, "error", true), 1);
	assert_int_equal(logring_prev_match(r, 6, "error", false), 5);
	assert_int_equal(logring_prev_match(r, 4, "error", false), 3);
	assert_int_equal(logring_prev_match(r, 0, "error", false), -1);
	assert_int_equal(logring_prev_match(r, 0, "error", true), 5);
	assert_int_equal(logring_prev_match(r, 100, "error", false), 5);
	assert_int_equal(logring_next_match(r, 0, "missing", true), -1);
	assert_int_equal(logring_prev_match(r, 3, "missing", true), -1);
	assert_int_equal(logring_next_match(r, 0, "", false), 0);
	/* Indexes follow the drops: after two lines go, "ERROR one" is gone. */
	struct logring *small = logring_new(5, 0);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		push_text(small, lines[i]);
	assert_int_equal(logring_next_match(small, 0, "error", false), 1);   /* "an error two" */
	assert_string_equal(logring_get(small, 1)->text, "an error two");
	logring_free(&small);
	logring_free(&r);
	/* An empty ring. */
	r = logring_new(0, 0);
	assert_int_equal(logring_next_match(r, 0, "x", true), -1);
	assert_int_equal(logring_prev_match(r, 0, "x", true), -1);
	logring_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_and_get),
		cmocka_unit_test(test_line_cap),
		cmocka_unit_test(test_growth_and_wrap),
		cmocka_unit_test(test_byte_cap),
		cmocka_unit_test(test_newest_line_always_kept),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_million_lines),
		cmocka_unit_test(test_find_ci),
		cmocka_unit_test(test_search),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
