/* timefmt: the one way glovebox writes and reads UTC times. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api/base/timefmt.h"

static void test_seconds(void **state)
{
	(void)state;
	char buf[TIME_ISO8601_SIZE];
	assert_int_equal(time_iso8601(0, buf), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(time_iso8601(1795335104, buf), 0);
	assert_string_equal(buf, "2026-11-22T08:11:44Z");
	assert_int_equal(time_iso8601(TIME_ISO8601_MAX, buf), 0);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	/* A fifth digit of year does not fit: nothing half-written. */
	assert_int_equal(time_iso8601(TIME_ISO8601_MAX + 1, buf), -1);
	assert_string_equal(buf, "");
}

static void test_parse(void **state)
{
	(void)state;
	int64_t t = -1;
	assert_int_equal(time_iso8601_parse("2026-11-22T08:11:44Z", &t), 0);
	assert_int_equal(t, 1795335104);
	assert_int_equal(time_iso8601_parse("9999-12-31T23:59:59Z", &t), 0);
	assert_int_equal(t, TIME_ISO8601_MAX);
	static const char *const bad[] = {
		"", "2026-11-22T08:11:44", "2026-11-22 08:11:44Z", "2026-11-22T08:11:44.5Z",
		"2026-02-30T00:00:00Z", "2026-12-31T23:59:60Z", "1969-12-31T23:59:59Z",
		"2026-11-22T08:11:44+00:00", "+026-11-22T08:11:44Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t = 42;
		assert_int_equal(time_iso8601_parse(bad[i], &t), -1);
		assert_int_equal(t, 42);
	}
}

static void test_fraction(void **state)
{
	(void)state;
	char buf[TIME_ISO8601_NS_SIZE];
	time_iso8601_ns(1795335104123456789LL, 9, buf);
	assert_string_equal(buf, "2026-11-22T08:11:44.123456789Z");
	time_iso8601_ns(1795335104123456789LL, 3, buf);
	assert_string_equal(buf, "2026-11-22T08:11:44.123Z");
	time_iso8601_ns(1, 9, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.000000001Z");
	time_iso8601_ns(INT64_MAX, 9, buf);
	assert_string_equal(buf, "2262-04-11T23:47:16.854775807Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_fraction),
	};
	return cmocka_run_group_tests_name("timefmt", tests, NULL, NULL);
}
