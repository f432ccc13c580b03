/* imageref_parse and friends: docker's reference grammar (distribution/reference). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/core/imageref.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DIGEST "sha256:" HEX64

static const char *or_null(const char *s) { return s ? s : "(null)"; }

static void check_same(const char *what, const char *input, const char *want, const char *got)
{
	if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
		fail_msg("%s of \"%s\": want \"%s\", got \"%s\"", what, input, or_null(want), or_null(got));
}

static void test_parse_good(void **state)
{
	(void)state;
	static const struct { const char *in, *registry, *path, *tag, *digest; } cases[] = {
		/* Docker Hub short names */
		{ "busybox", "docker.io", "library/busybox", "latest", NULL },
		{ "busybox:1.36", "docker.io", "library/busybox", "1.36", NULL },
		{ "lab/analysis", "docker.io", "lab/analysis", "latest", NULL },
		{ "lab/analysis/step-1:v2", "docker.io", "lab/analysis/step-1", "v2", NULL },
		{ "docker.io/busybox", "docker.io", "library/busybox", "latest", NULL },
		{ "docker.io/library/busybox:1", "docker.io", "library/busybox", "1", NULL },
		{ "index.docker.io/lab/x", "docker.io", "lab/x", "latest", NULL },
		/* registries, ports, localhost, IPv6 */
		{ "127.0.0.1:5000/lab/analysis:1.3", "127.0.0.1:5000", "lab/analysis", "1.3", NULL },
		{ "reg.example.org/a/b/c", "reg.example.org", "a/b/c", "latest", NULL },
		{ "Reg.Example.ORG/x", "Reg.Example.ORG", "x", "latest", NULL },
		{ "my-reg.example.org:443/x", "my-reg.example.org:443", "x", "latest", NULL },
		{ "registry:5000/x", "registry:5000", "x", "latest", NULL },
		{ "localhost/foo", "localhost", "foo", "latest", NULL },
		{ "localhost:5000/foo/bar:v1", "localhost:5000", "foo/bar", "v1", NULL },
		{ "[::1]:5000/foo:tag", "[::1]:5000", "foo", "tag", NULL },
		{ "[fe80::1:2]/x", "[fe80::1:2]", "x", "latest", NULL },
		/* "localhost" alone is a repository; then ":5000" is its tag, as docker reads it */
		{ "localhost", "docker.io", "library/localhost", "latest", NULL },
		{ "localhost:5000", "docker.io", "library/localhost", "5000", NULL },
		/* separators */
		{ "lab/a.b_c__d---e/x-y.z", "docker.io", "lab/a.b_c__d---e/x-y.z", "latest", NULL },
		{ "r.io/0/9a", "r.io", "0/9a", "latest", NULL },
		/* tags */
		{ "x:_", "docker.io", "library/x", "_", NULL },
		{ "x:Latest.RC-1_b", "docker.io", "library/x", "Latest.RC-1_b", NULL },
		/* digests */
		{ "busybox@" DIGEST, "docker.io", "library/busybox", NULL, DIGEST },
		{ "busybox:1.36@" DIGEST, "docker.io", "library/busybox", "1.36", DIGEST },
		{ "127.0.0.1:5000/lab/a:1@" DIGEST, "127.0.0.1:5000", "lab/a", "1", DIGEST },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct imageref r = { 0 };
		char *err = NULL;
		if (imageref_parse(cases[i].in, &r, &err) != 0)
			fail_msg("\"%s\" should parse: %s", cases[i].in, or_null(err));
		assert_null(err);
		check_same("registry", cases[i].in, cases[i].registry, r.registry);
		check_same("path", cases[i].in, cases[i].path, r.path);
		check_same("tag", cases[i].in, cases[i].tag, r.tag);
		check_same("digest", cases[i].in, cases[i].digest, r.digest);
		imageref_clear(&r);
		assert_null(r.registry);
		assert_null(r.path);
	}
}

static void test_parse_bad(void **state)
{
	(void)state;
	static const struct { const char *in, *why; } cases[] = {
		{ "", "it is empty" },
		{ "Busybox", "repository name must be lowercase" },
		{ "lab/Analysis:1", "repository name must be lowercase" },
		{ "reg.io/lab/ANALYSIS", "repository name must be lowercase" },
		{ "busybox::latest", "too many ':'" },
		{ "a:b:c", "too many ':'" },
		{ "reg.io:5000/a:b/c", "too many ':'" },
		{ "busybox:", "empty tag" },
		{ "busybox:-x", "tag must start with" },
		{ "busybox:.x", "tag must start with" },
		{ "busybox:a+b", "tag may only hold" },
		{ "busybox@sha512:" HEX64 HEX64, "digest algorithm \"sha512\" is not supported (only sha256)" },
		{ "busybox@md5:0123", "digest algorithm \"md5\" is not supported (only sha256)" },
		{ "busybox@sha256:abc", "64 lowercase hex digits" },
		{ "busybox@sha256:" HEX64 "0", "64 lowercase hex digits" },
		{ "busybox@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		  "64 lowercase hex digits" },
		{ "busybox@", "\"sha256:\" followed by 64 hex digits" },
		{ "busybox@" HEX64, "\"sha256:\" followed by 64 hex digits" },
		{ "busybox@" DIGEST "@" DIGEST, "64 lowercase hex digits" },
		{ "@" DIGEST, "no repository name" },
		{ ":latest", "no repository name" },
		{ "a//b", "empty path component" },
		{ "/a", "empty path component" },
		{ "a/", "empty path component" },
		{ "reg.io/", "empty path component" },
		{ "-a", "path components are lowercase" },
		{ "a-", "path components are lowercase" },
		{ "a..b", "path components are lowercase" },
		{ "a___b", "path components are lowercase" },
		{ "a_-b", "path components are lowercase" },
		{ "busy box", "path components are lowercase" },
		{ "busybox\n", "path components are lowercase" },
		{ "caf\xc3\xa9", "path components are lowercase" },
		{ "reg.io:0/x", "port must be a number" },
		{ "reg.io:65536/x", "port must be a number" },
		{ "reg.io:5o00/x", "port must be a number" },
		{ "reg.io:/x", "port must be a number" },
		{ "-reg.io/x", "registry host" },
		{ "reg-.io/x", "registry host" },
		{ "reg..io/x", "registry host" },
		{ "re_g.io/x", "registry host" },
		{ ".io/x", "registry host" },
		{ "[zz]:5000/x", "IPv6" },
		{ "[]:5000/x", "IPv6" },
		{ "[]/x", "path components are lowercase" },
		{ "[::1/x", "IPv6" },
		{ "[::1]x:1/y", "only \":port\" may follow" },
		{ HEX64, "image ID, not a reference" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct imageref r = { 0 };
		char *err = NULL;
		if (imageref_parse(cases[i].in, &r, &err) != -1)
			fail_msg("\"%s\" should be refused", cases[i].in);
		assert_non_null(err);
		char *prefix = NULL;
		assert_true(asprintf(&prefix, "malformed image reference \"%s\": ", cases[i].in) > 0);
		if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, cases[i].why))
			fail_msg("\"%s\": want \"%s...%s\", got \"%s\"", cases[i].in, prefix, cases[i].why, err);
		assert_null(r.registry);
		assert_null(r.path);
		free(prefix);
		free(err);
	}
}

static void test_parse_null_and_exact_message(void **state)
{
	(void)state;
	struct imageref r = { 0 };
	char *err = NULL;
	assert_int_equal(imageref_parse(NULL, &r, &err), -1);
	assert_string_equal(err, "malformed image reference \"\": it is empty");
	free(err);
	assert_int_equal(imageref_parse("lab/Tool", &r, &err), -1);
	assert_string_equal(err, "malformed image reference \"lab/Tool\": repository name must be lowercase");
	free(err);
	/* err may be NULL when the caller only wants a yes or no */
	assert_int_equal(imageref_parse("a::b", &r, NULL), -1);
}

/* NameTotalLengthMax is 255 over the normalised "registry/path"; tags have their own 128. */
static void test_lengths(void **state)
{
	(void)state;
	char buf[600];
	struct imageref r = { 0 };
	char *err = NULL;
	const size_t hub = strlen("docker.io/library/");

	memset(buf, 'a', 255 - hub);
	buf[255 - hub] = '\0';
	assert_int_equal(imageref_parse(buf, &r, &err), 0);
	imageref_clear(&r);
	memset(buf, 'a', 256 - hub);
	buf[256 - hub] = '\0';
	assert_int_equal(imageref_parse(buf, &r, &err), -1);
	assert_non_null(strstr(err, "longer than 255 characters"));
	free(err);

	/* an explicit registry counts too */
	snprintf(buf, sizeof buf, "reg.io/%0*d", 248, 0);
	assert_int_equal(imageref_parse(buf, &r, &err), 0);
	imageref_clear(&r);
	snprintf(buf, sizeof buf, "reg.io/%0*d", 249, 0);
	assert_int_equal(imageref_parse(buf, &r, &err), -1);
	assert_non_null(strstr(err, "longer than 255"));
	free(err);

	memset(buf, 'x', 300);
	memcpy(buf, "x/y:", 4);
	buf[4 + 128] = '\0';
	assert_int_equal(imageref_parse(buf, &r, &err), 0);
	assert_int_equal(strlen(r.tag), 128);
	imageref_clear(&r);
	buf[4 + 128] = 'x';
	buf[4 + 129] = '\0';
	assert_int_equal(imageref_parse(buf, &r, &err), -1);
	assert_non_null(strstr(err, "longer than 128"));
	free(err);

	/* a very long first component that is not a host is still a path */
	memset(buf, 'b', 590);
	buf[590] = '\0';
	assert_int_equal(imageref_parse(buf, &r, &err), -1);
	assert_non_null(strstr(err, "longer than 255"));
	free(err);
}

static void test_name_tag_and_pinned(void **state)
{
	(void)state;
	static const struct { const char *in, *name_tag, *pinned_new, *pinned_own; } cases[] = {
		{ "busybox", "docker.io/library/busybox:latest",
		  "docker.io/library/busybox:latest@" DIGEST, "docker.io/library/busybox:latest" },
		{ "127.0.0.1:5000/lab/a:1.3", "127.0.0.1:5000/lab/a:1.3",
		  "127.0.0.1:5000/lab/a:1.3@" DIGEST, "127.0.0.1:5000/lab/a:1.3" },
		{ "lab/a@" DIGEST, "docker.io/lab/a@" DIGEST,
		  "docker.io/lab/a@" DIGEST, "docker.io/lab/a@" DIGEST },
		{ "[::1]:5000/a:2@" DIGEST, "[::1]:5000/a:2",
		  "[::1]:5000/a:2@" DIGEST, "[::1]:5000/a:2@" DIGEST },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct imageref r = { 0 };
		assert_int_equal(imageref_parse(cases[i].in, &r, NULL), 0);
		char *nt = imageref_name_tag(&r);
		char *pn = imageref_pinned(&r, DIGEST);
		char *po = imageref_pinned(&r, NULL);
		check_same("name_tag", cases[i].in, cases[i].name_tag, nt);
		check_same("pinned", cases[i].in, cases[i].pinned_new, pn);
		check_same("pinned (own digest)", cases[i].in, cases[i].pinned_own, po);
		/* what we print must parse back to the same reference */
		struct imageref again = { 0 };
		assert_int_equal(imageref_parse(pn, &again, NULL), 0);
		assert_string_equal(again.registry, r.registry);
		assert_string_equal(again.path, r.path);
		imageref_clear(&again);
		free(nt);
		free(pn);
		free(po);
		imageref_clear(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_null_and_exact_message),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_name_tag_and_pinned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
