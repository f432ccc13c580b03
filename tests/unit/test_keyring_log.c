/* log.h: redaction of credentials, and the log file itself (mode, levels, one line each). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/log.h"

static void assert_redact(const char *in, const char *want)
{
	char *got = log_redact(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_redact_headers(void **state)
{
	(void)state;
	assert_redact("X-Registry-Auth: eyJ1c2VybmFtZSI6InUifQ==", "X-Registry-Auth: <redacted>");
	assert_redact("x-registry-auth:eyJ1", "x-registry-auth: <redacted>");
	assert_redact("Authorization: Basic dTpw", "Authorization: <redacted>");
	assert_redact("Proxy-Authorization: Bearer abc", "Proxy-Authorization: <redacted>");
	assert_redact("POST /auth: header AUTHORIZATION: x y z", "POST /auth: header AUTHORIZATION: <redacted>");
	assert_redact("Cookie: a=b", "Cookie: <redacted>");
	/* Up to the end of the line only. */
	assert_redact("Authorization: secret\nnext line", "Authorization: <redacted>\nnext line");
	/* Other headers and text stay. */
	assert_redact("Content-Type: application/json", "Content-Type: application/json");
	assert_redact("GET /v1.41/services -> 200 in 3 ms", "GET /v1.41/services -> 200 in 3 ms");
	assert_redact("", "");
	assert_redact("authorization", "authorization");
}

static void test_redact_json(void **state)
{
	(void)state;
	assert_redact("{\"username\":\"u\",\"password\":\"hunter2\",\"serveraddress\":\"r\"}",
	              "{\"username\":\"u\",\"password\":\"<redacted>\",\"serveraddress\":\"r\"}");
	assert_redact("{\"Password\" : \"a\\\"b\\\\\", \"x\": 1}", "{\"Password\" : \"<redacted>\", \"x\": 1}");
	assert_redact("{\"identitytoken\":\"t\",\"registrytoken\":\"r\",\"auth\":\"dTpw\",\"Secret\":\"s\"}",
	              "{\"identitytoken\":\"<redacted>\",\"registrytoken\":\"<redacted>\",\"auth\":\"<redacted>\",\"Secret\":\"<redacted>\"}");
	/* Not a member with a string value: unchanged. */
	assert_redact("{\"password\": null}", "{\"password\": null}");
	assert_redact("the word \"password\" alone", "the word \"password\" alone");
	assert_redact("{\"authors\":\"x\"}", "{\"authors\":\"x\"}");
	/* An unterminated value is redacted to the end. */
	assert_redact("{\"password\":\"abc", "{\"password\":\"<redacted>");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_log_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/gb-log-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/state/glovebox/log", dir);

	log_open_at(path, LOG_INFO);
	assert_true(log_enabled(LOG_INFO));
	assert_false(log_enabled(LOG_DEBUG));
	log_msg(LOG_DEBUG, "not written");
	log_msg(LOG_INFO, "sent X-Registry-Auth: %s", "eyJwYXNzd29yZCI6ImNhbmFyeSJ9");
	log_msg(LOG_ERROR, "engine said: %s", "line one\nforged entry\033[31m");
	char *text = slurp(path);
	assert_non_null(text);
	assert_null(strstr(text, "not written"));
	assert_null(strstr(text, "eyJwYXNzd29yZCI6ImNhbmFyeSJ9"));
	assert_non_null(strstr(text, " info sent X-Registry-Auth: <redacted>\n"));
	/* One entry, one line. */
	assert_non_null(strstr(text, " error engine said: line one forged entry [31m\n"));
	int lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 2);

	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof path, "%s/state/glovebox", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	snprintf(path, sizeof path, "%s/state/glovebox/log", dir);
	log_open_at(path, LOG_DEBUG);
	log_msg(LOG_DEBUG, "debug now");
	text = slurp(path);
	assert_non_null(strstr(text, " debug debug now\n"));

	log_open_at(NULL, LOG_DEBUG);
	assert_false(log_enabled(LOG_ERROR));
	log_msg(LOG_ERROR, "nowhere");

	unlink(path);
	snprintf(path, sizeof path, "%s/state/glovebox", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/state", dir);
	rmdir(path);
	rmdir(dir);
}

static void test_default_path(void **state)
{
	(void)state;
	setenv("XDG_STATE_HOME", "/x/state", 1);
	char *p = log_default_path();
	assert_string_equal(p, "/x/state/glovebox/log");
	free(p);
	/* A relative XDG_STATE_HOME is invalid by the spec: fall back to HOME. */
	setenv("XDG_STATE_HOME", "rel", 1);
	setenv("HOME", "/home/alice", 1);
	p = log_default_path();
	assert_string_equal(p, "/home/alice/.local/state/glovebox/log");
	free(p);
	unsetenv("XDG_STATE_HOME");
	p = log_default_path();
	assert_string_equal(p, "/home/alice/.local/state/glovebox/log");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact_headers),
		cmocka_unit_test(test_redact_json),
		cmocka_unit_test(test_log_file),
		cmocka_unit_test(test_default_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
