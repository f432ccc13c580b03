/* dockercfg.h: docker's config.json, read for where each registry's credentials are kept. */
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

#include "api/creds/dockercfg.h"

static struct dockercfg parse_ok(const char *json)
{
	struct dockercfg c = {0};
	char *err = NULL;
	int rc = dockercfg_parse(json, strlen(json), &c, &err);
	if (rc != 0)
		fail_msg("parse failed: %s", err);
	return c;
}

static void assert_parse_err(const char *json, const char *want)
{
	struct dockercfg c = {0};
	char *err = NULL;
	assert_int_equal(dockercfg_parse(json, strlen(json), &c, &err), -1);
	assert_non_null(err);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	free(err);
	dockercfg_clear(&c);
}

static void test_full_config(void **state)
{
	(void)state;
	struct dockercfg c = parse_ok(
		"{\"auths\": {\"https://127.0.0.1:5001\": {},"
		"             \"reg.example.org\": {\"auth\": \"dTpw\"},"
		"             \"https://index.docker.io/v1/\": {\"identitytoken\": \"t\"},"
		"             \"empty.example.org\": {\"auth\": \"\"}},"
		" \"credsStore\": \"secretservice\","
		" \"credHelpers\": {\"gcr.io\": \"gcloud\", \"https://127.0.0.1:5001/v2/\": \"secretservice\"},"
		" \"psFormat\": \"table\", \"currentContext\": \"lab\"}");
	assert_string_equal(c.creds_store, "secretservice");
	assert_int_equal(c.n_auths, 4);
	assert_string_equal(c.auths[0].key, "127.0.0.1:5001");
	assert_false(c.auths[0].has_secret);
	assert_string_equal(c.auths[1].key, "reg.example.org");
	assert_true(c.auths[1].has_secret);
	assert_string_equal(c.auths[2].key, "https://index.docker.io/v1/");
	assert_true(c.auths[2].has_secret);
	assert_false(c.auths[3].has_secret);
	assert_int_equal(c.n_helpers, 2);
	assert_string_equal(c.helpers[1].key, "127.0.0.1:5001");
	assert_string_equal(c.helpers[1].helper, "secretservice");

	size_t n;
	const char **regs = dockercfg_registries(&c, &n);
	/* auths keys, then credHelpers keys not seen yet. */
	assert_int_equal(n, 5);
	assert_string_equal(regs[0], "127.0.0.1:5001");
	assert_string_equal(regs[4], "gcr.io");
	free(regs);
	dockercfg_clear(&c);
	assert_null(c.path);
}

static void test_store_precedence(void **state)
{
	(void)state;
	const char *helper = NULL;
	/* credHelpers beats credsStore beats auths. */
	struct dockercfg c = parse_ok(
		"{\"auths\": {\"reg.example.org\": {\"auth\": \"dTpw\"}, \"plain.example.org\": {\"auth\": \"dTpw\"}},"
		" \"credsStore\": \"pass\","
		" \"credHelpers\": {\"reg.example.org\": \"secretservice\", \"gcr.io\": \"gcloud\"}}");
	assert_int_equal(dockercfg_store_for(&c, "https://reg.example.org", &helper), DOCKERCFG_SECRETSERVICE);
	assert_string_equal(helper, "secretservice");
	assert_int_equal(dockercfg_store_for(&c, "gcr.io", &helper), DOCKERCFG_OTHER_HELPER);
	assert_string_equal(helper, "gcloud");
	/* With a credsStore, docker never reads the file's passwords. */
	assert_int_equal(dockercfg_store_for(&c, "plain.example.org", &helper), DOCKERCFG_OTHER_HELPER);
	assert_string_equal(helper, "pass");
	dockercfg_clear(&c);

	c = parse_ok("{\"auths\": {\"plain.example.org\": {\"auth\": \"dTpw\"}, \"x.org\": {}}}");
	assert_int_equal(dockercfg_store_for(&c, "plain.example.org", &helper), DOCKERCFG_FILE);
	assert_null(helper);
	assert_int_equal(dockercfg_store_for(&c, "x.org", NULL), DOCKERCFG_NONE);
	assert_int_equal(dockercfg_store_for(&c, "other.org", NULL), DOCKERCFG_NONE);
	assert_int_equal(dockercfg_store_for(&c, "", NULL), DOCKERCFG_NONE);
	dockercfg_clear(&c);

	c = parse_ok("{\"credsStore\": \"secretservice\"}");
	assert_int_equal(dockercfg_store_for(&c, "docker.io", NULL), DOCKERCFG_SECRETSERVICE);
	dockercfg_clear(&c);

	c = parse_ok("{}");
	assert_int_equal(dockercfg_store_for(&c, "docker.io", NULL), DOCKERCFG_NONE);
	size_t n;
	const char **regs = dockercfg_registries(&c, &n);
	assert_int_equal(n, 0);
	free(regs);
	dockercfg_clear(&c);
}

static void test_bad_configs(void **state)
{
	(void)state;
	assert_parse_err("{", "not valid JSON");
	assert_parse_err("[]", "not a JSON object");
	assert_parse_err("{\"credsStore\": 1}", "credsStore");
	assert_parse_err("{\"credHelpers\": []}", "credHelpers");
	assert_parse_err("{\"auths\": \"x\"}", "auths");
	/* Entries of the wrong shape are skipped, not fatal: it is docker's file. */
	struct dockercfg c = parse_ok("{\"credHelpers\": {\"a.org\": 1, \"\": \"x\"}, \"auths\": {\"\": {}, \"b.org\": 3}}");
	assert_int_equal(c.n_helpers, 0);
	assert_int_equal(c.n_auths, 1);
	assert_false(c.auths[0].has_secret);
	dockercfg_clear(&c);
	/* An empty credsStore is none. */
	c = parse_ok("{\"credsStore\": \"\"}");
	assert_null(c.creds_store);
	dockercfg_clear(&c);
}

/* jansson's error text quotes what it stopped in, up to 20 bytes of it: a config.json broken
 * inside a short password or auth value must not put it into the message (which is printed). */
static void test_parse_error_quotes_nothing(void **state)
{
	(void)state;
	static const char *const cut[] = {
		/* jansson: invalid escape near '"c2VjcmV0LXRv\q' */
		"{\"auths\": {\"r.org\": {\"auth\": \"c2VjcmV0LXRv\\q\"}}}",
		/* unable to decode byte 0xff near '"c2VjcmV0LXRv' */
		"{\"auths\": {\"r.org\": {\"password\": \"c2VjcmV0LXRv\xff\"}}}",
		/* invalid token near 'c' (one byte of it) */
		"{\"auths\": {\"r.org\": {\"auth\": c2VjcmV0LXRv}}}",
		"{\"auths\": {\"r.org\": {\"auth\": \"c2VjcmV0LXRv",
	};
	for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		struct dockercfg c = {0};
		char *err = NULL;
		assert_int_equal(dockercfg_parse(cut[i], strlen(cut[i]), &c, &err), -1);
		if (strstr(err, "c2VjcmV0"))
			fail_msg("the error quotes the token: %s", err);
		assert_non_null(strstr(err, "not valid JSON (line 1, column "));
		free(err);
		dockercfg_clear(&c);
	}
}

static void test_paths_and_load(void **state)
{
	(void)state;
	char dir[] = "/tmp/gb-dockercfg-XXXXXX";
	assert_non_null(mkdtemp(dir));
	setenv("DOCKER_CONFIG", dir, 1);
	char *p = dockercfg_path();
	char *want = NULL;
	assert_true(asprintf(&want, "%s/config.json", dir) > 0);
	assert_string_equal(p, want);
	free(p);

	/* Missing: no error, nothing known. */
	struct dockercfg c;
	char *err = NULL;
	assert_int_equal(dockercfg_load(NULL, &c, &err), 0);
	assert_false(c.exists);
	assert_string_equal(c.path, want);
	dockercfg_clear(&c);

	FILE *f = fopen(want, "w");
	assert_non_null(f);
	fputs("{\"auths\": {\"127.0.0.1:5001\": {}}, \"credsStore\": \"secretservice\"}\n", f);
	fclose(f);
	assert_int_equal(dockercfg_load(NULL, &c, &err), 0);
	assert_true(c.exists);
	assert_int_equal(dockercfg_store_for(&c, "127.0.0.1:5001", NULL), DOCKERCFG_SECRETSERVICE);
	dockercfg_clear(&c);

	f = fopen(want, "w");
	fputs("not json", f);
	fclose(f);
	assert_int_equal(dockercfg_load(want, &c, &err), -1);
	assert_non_null(strstr(err, want));
	free(err);
	dockercfg_clear(&c);

	/* Read with read(2) up to 4 MiB; one byte more is refused. */
	f = fopen(want, "w");
	fputs("{\"credsStore\": \"pass\"}", f);
	for (int i = 0; i < (4 << 20) - 22; i++)   /* 4 MiB exactly */
		fputc(' ', f);
	fclose(f);
	assert_int_equal(dockercfg_load(want, &c, &err), 0);
	assert_string_equal(c.creds_store, "pass");
	dockercfg_clear(&c);
	f = fopen(want, "a");
	fputc(' ', f);
	fclose(f);
	assert_int_equal(dockercfg_load(want, &c, &err), -1);
	assert_non_null(strstr(err, "larger than 4 MiB"));
	free(err);
	dockercfg_clear(&c);
	/* A directory where the file should be: an error, not a crash. */
	unlink(want);
	assert_int_equal(mkdir(want, 0700), 0);
	assert_int_equal(dockercfg_load(want, &c, &err), -1);
	assert_non_null(strstr(err, want));
	free(err);
	dockercfg_clear(&c);
	rmdir(want);

	unsetenv("DOCKER_CONFIG");
	setenv("HOME", dir, 1);
	p = dockercfg_path();
	free(want);
	assert_true(asprintf(&want, "%s/.docker/config.json", dir) > 0);
	assert_string_equal(p, want);
	free(p);
	free(want);
	rmdir(dir);
}

static void make_exe(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

/* Without a credsStore, docker's CLI picks pass or secretservice when its helper is installed. */
static void test_detected_store(void **state)
{
	(void)state;
	char dir[] = "/tmp/gb-dockercfg-path-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *old_path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("DOCKER_CONFIG", dir, 1);   /* no config.json there */
	setenv("PATH", dir, 1);
	struct dockercfg c;
	char *err = NULL;
	assert_int_equal(dockercfg_load(NULL, &c, &err), 0);
	assert_null(c.creds_store);
	assert_false(c.store_detected);
	dockercfg_clear(&c);

	make_exe(dir, "docker-credential-secretservice");
	assert_int_equal(dockercfg_load(NULL, &c, &err), 0);
	assert_true(c.store_detected);
	assert_string_equal(c.creds_store, "secretservice");
	assert_int_equal(dockercfg_store_for(&c, "127.0.0.1:5001", NULL), DOCKERCFG_SECRETSERVICE);
	dockercfg_clear(&c);

	/* pass on PATH wins, but only with its helper. */
	make_exe(dir, "pass");
	assert_int_equal(dockercfg_load(NULL, &c, &err), 0);
	assert_null(c.creds_store);
	dockercfg_clear(&c);
	make_exe(dir, "docker-credential-pass");
	assert_int_equal(dockercfg_load(NULL, &c, &err), 0);
	assert_string_equal(c.creds_store, "pass");
	dockercfg_clear(&c);

	/* A credsStore in the file is kept as it is. */
	char cfg[512];
	snprintf(cfg, sizeof cfg, "%s/config.json", dir);
	FILE *f = fopen(cfg, "w");
	fputs("{\"credsStore\": \"desktop\"}", f);
	fclose(f);
	assert_int_equal(dockercfg_load(NULL, &c, &err), 0);
	assert_string_equal(c.creds_store, "desktop");
	assert_false(c.store_detected);
	dockercfg_clear(&c);

	const char *names[] = {"config.json", "docker-credential-secretservice", "pass", "docker-credential-pass"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(cfg, sizeof cfg, "%s/%s", dir, names[i]);
		unlink(cfg);
	}
	rmdir(dir);
	if (old_path) {
		setenv("PATH", old_path, 1);
		free(old_path);
	}
	unsetenv("DOCKER_CONFIG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_store_precedence),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_parse_error_quotes_nothing),
		cmocka_unit_test(test_paths_and_load),
		cmocka_unit_test(test_detected_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
