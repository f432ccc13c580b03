/* version_parse and version_negotiate (ENGINE-API-NOTES.md section 1). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/engine/version.h"

static void test_parse_valid(void **state)
{
	(void)state;
	struct { const char *text; int minor; } cases[] = {
		{ "1.41", 41 }, { "1.56", 56 }, { "1.24", 24 }, { "1.5", 5 }, { "1.0", 0 },
		{ "1.100", 100 }, { "1.041", 41 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int m = -1;
		assert_int_equal(version_parse(cases[i].text, &m), 0);
		assert_int_equal(m, cases[i].minor);
	}
}

static void test_parse_invalid(void **state)
{
	(void)state;
	const char *bad[] = {
		NULL, "", "1", "1.", ".41", "41", "2.0", "0.41", "01.41", "11.41", "1.41.0", "1.41 ",
		" 1.41", "1.41-rc1", "1.4a", "v1.41", "1.-1", "1.+1", "1,41", "1.1000", "1.99999999999",
		"1.41\n", "\xff",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int m = 12345;
		if (version_parse(bad[i], &m) != -1)
			fail_msg("version_parse(\"%s\") should fail", bad[i] ? bad[i] : "(null)");
		assert_int_equal(m, 12345); /* untouched */
	}
}

static int negotiate(const char *override, const char *header, int *minor, char **err)
{
	*minor = -1;
	*err = NULL;
	return version_negotiate(override, header, minor, err);
}

static void test_negotiate_takes_min(void **state)
{
	(void)state;
	struct { const char *header; int minor; } cases[] = {
		{ "1.41", 41 }, { "1.43", 43 }, { "1.55", 55 }, { "1.56", 56 }, { "1.57", 56 },
		{ "1.99", 56 }, { "1.999", 56 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int m;
		char *err;
		assert_int_equal(negotiate(NULL, cases[i].header, &m, &err), 0);
		assert_null(err);
		assert_int_equal(m, cases[i].minor);
		/* an empty override means unset */
		assert_int_equal(negotiate("", cases[i].header, &m, &err), 0);
		assert_int_equal(m, cases[i].minor);
	}
}

static void test_negotiate_missing_header(void **state)
{
	(void)state;
	int m;
	char *err;
	assert_int_equal(negotiate(NULL, NULL, &m, &err), 0);
	assert_int_equal(m, API_MAX_MINOR);
	assert_int_equal(m, 56);
	assert_int_equal(negotiate(NULL, "", &m, &err), 0);
	assert_int_equal(m, 56);
}

static void test_negotiate_too_old(void **state)
{
	(void)state;
	int m;
	char *err;
	assert_int_equal(negotiate(NULL, "1.40", &m, &err), -1);
	assert_string_equal(err, "the engine speaks API 1.40 at most; glovebox needs 1.41 "
	                         "(Docker Engine 20.10) or newer");
	free(err);
	assert_int_equal(negotiate(NULL, "1.24", &m, &err), -1);
	assert_non_null(strstr(err, "speaks API 1.24 at most"));
	free(err);
	assert_int_equal(negotiate(NULL, "1.0", &m, &err), -1);
	assert_non_null(strstr(err, "speaks API 1.0 at most"));
	free(err);
}

static void test_negotiate_bad_header(void **state)
{
	(void)state;
	int m;
	char *err;
	assert_int_equal(negotiate(NULL, "2.0", &m, &err), -1);
	assert_non_null(strstr(err, "\"2.0\""));
	assert_non_null(strstr(err, "1.41 to 1.56"));
	free(err);
	/* the header came from the network: nothing unprintable reaches the terminal */
	assert_int_equal(negotiate(NULL, "1.4\x1b[2J", &m, &err), -1);
	assert_null(strchr(err, '\x1b'));
	assert_non_null(strstr(err, "\"1.4?[2J\""));
	free(err);
	char big[300];
	memset(big, '9', sizeof big);
	big[sizeof big - 1] = '\0';
	assert_int_equal(negotiate(NULL, big, &m, &err), -1);
	assert_true(strlen(err) < 200);
	free(err);
}

static void test_override_wins(void **state)
{
	(void)state;
	int m;
	char *err;
	/* negotiation is off: the header does not matter, even a too-old or missing one */
	assert_int_equal(negotiate("1.41", "1.56", &m, &err), 0);
	assert_int_equal(m, 41);
	assert_int_equal(negotiate("1.44", NULL, &m, &err), 0);
	assert_int_equal(m, 44);
	assert_int_equal(negotiate("1.56", "1.30", &m, &err), 0);
	assert_int_equal(m, 56);
	assert_int_equal(negotiate("1.50", "garbage", &m, &err), 0);
	assert_int_equal(m, 50);
	assert_null(err);
}

static void test_override_invalid(void **state)
{
	(void)state;
	const char *bad[] = { "1.41.0", "41", "latest", "1.4x", " 1.41", "2.41" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int m;
		char *err;
		assert_int_equal(negotiate(bad[i], "1.41", &m, &err), -1);
		assert_int_equal(m, -1);
		assert_non_null(strstr(err, "DOCKER_API_VERSION"));
		assert_non_null(strstr(err, "is not an API version"));
		free(err);
	}
	int m;
	char *err;
	assert_int_equal(negotiate("x\x07y", NULL, &m, &err), -1);
	assert_string_equal(err, "DOCKER_API_VERSION=\"x?y\" is not an API version: "
	                         "expected 1.41 to 1.56, e.g. 1.41");
	free(err);
}

static void test_override_out_of_range(void **state)
{
	(void)state;
	const char *bad[] = { "1.40", "1.24", "1.57", "1.99", "1.0" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int m;
		char *err;
		assert_int_equal(negotiate(bad[i], "1.56", &m, &err), -1);
		assert_non_null(strstr(err, "DOCKER_API_VERSION="));
		assert_non_null(strstr(err, bad[i]));
		assert_non_null(strstr(err, "(1.41 to 1.56)"));
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_negotiate_takes_min),
		cmocka_unit_test(test_negotiate_missing_header),
		cmocka_unit_test(test_negotiate_too_old),
		cmocka_unit_test(test_negotiate_bad_header),
		cmocka_unit_test(test_override_wins),
		cmocka_unit_test(test_override_invalid),
		cmocka_unit_test(test_override_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
