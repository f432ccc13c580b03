/* xbuf, the growing string buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"

static void test_xbuf_empty(void **state)
{
	(void)state;
	struct xbuf b = {0};
	char *s = xbuf_take(&b);
	assert_string_equal(s, "");
	free(s);
	xbuf_add(&b, "", 0);   /* an empty add still gives a terminated string */
	assert_non_null(b.p);
	assert_string_equal(b.p, "");
	s = xbuf_take(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	free(s);
}

static void test_xbuf_grows(void **state)
{
	(void)state;
	struct xbuf b = {0};
	char chunk[100];
	memset(chunk, 'x', sizeof chunk);
	for (int i = 0; i < 1000; i++)
		xbuf_add(&b, chunk, sizeof chunk);
	xbuf_adds(&b, "end");
	assert_int_equal(b.len, 100003);
	assert_true(b.cap > b.len);
	assert_int_equal(strlen(b.p), 100003);
	assert_string_equal(b.p + 100000, "end");
	char *s = xbuf_take(&b);
	assert_int_equal(strlen(s), 100003);
	free(s);
}

static void test_xbuf_exact_fit(void **state)
{
	(void)state;
	struct xbuf b = {0};
	char big[255];
	memset(big, 'a', sizeof big);
	xbuf_add(&b, big, sizeof big);       /* 255 bytes and the NUL fill 256 exactly */
	assert_int_equal(b.cap, 256);
	xbuf_add(&b, "b", 1);                 /* one more must grow, not overrun */
	assert_int_equal(b.len, 256);
	assert_true(b.cap > 256);
	assert_int_equal(b.p[255], 'b');
	assert_int_equal(b.p[256], '\0');
	free(xbuf_take(&b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xbuf_empty),
		cmocka_unit_test(test_xbuf_grows),
		cmocka_unit_test(test_xbuf_exact_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
