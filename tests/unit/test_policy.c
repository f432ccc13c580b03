/* policy.h: the example policy read back value by value, sizes and durations, and policy files
 * loaded with their terms. One failing case per validation rule and the checks jobs use are in
 * test_policy_rules.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/xalloc.h"
#include "api/core/policy.h"
#include "api/swarm/policy_fetch.h"
#include "tests/unit/policy_cases.h"
#include "tests/unit/support.h"

/* ---- the example ---- */

static void check_example(const struct policy *p)
{
	static const char *const names[] = {"default", "highram", "highcpu", "gpu"};

	assert_int_equal(p->n_classes, 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(p->classes[i].name, names[i]);

	const struct policy_class *c = policy_class_find(p, "default");
	assert_ptr_equal(c, &p->classes[0]);
	assert_string_equal(c->description, "1 CPU and 256 MiB; up to 2 CPUs and 1 GiB");
	assert_int_equal(c->n_constraints, 1);
	assert_string_equal(c->constraints[0], "node.labels.glovebox.class==default");
	assert_true(c->cpus == 1.0);
	assert_true(c->max_cpus == 2.0);
	assert_int_equal(c->memory, 256 * MiB);
	assert_int_equal(c->max_memory, 1 * GiB);
	assert_int_equal(c->gpus, 0);

	c = policy_class_find(p, "highram");
	assert_true(c->cpus == 2.0 && c->max_cpus == 4.0);
	assert_int_equal(c->memory, 16 * GiB);
	assert_int_equal(c->max_memory, 64 * GiB);
	assert_string_equal(c->constraints[0], "node.labels.glovebox.class==highram");

	c = policy_class_find(p, "highcpu");
	assert_true(c->cpus == 8.0 && c->max_cpus == 32.0);
	assert_int_equal(c->memory, 8 * GiB);
	assert_int_equal(c->max_memory, 32 * GiB);

	c = policy_class_find(p, "gpu");
	assert_ptr_equal(c, &p->classes[3]);
	assert_true(c->cpus == 4.0 && c->max_cpus == 8.0);
	assert_int_equal(c->memory, 16 * GiB);
	assert_int_equal(c->max_memory, 32 * GiB);
	assert_int_equal(c->gpus, 1);
	assert_string_equal(c->constraints[0], "node.labels.glovebox.class==gpu");

	assert_null(policy_class_find(p, "GPU"));
	assert_null(policy_class_find(p, "nope"));
	assert_null(policy_class_find(p, NULL));

	assert_int_equal(p->n_datasets, 3);
	assert_string_equal(p->datasets[0].name, "ct-2018");
	assert_string_equal(p->datasets[1].name, "mri-open");
	assert_string_equal(p->datasets[2].name, "genomics-restricted");

	const struct policy_dataset *d = policy_dataset_find(p, "ct-2018");
	assert_ptr_equal(d, &p->datasets[0]);
	assert_string_equal(d->description, "Chest CT scans, 2018 cohort (pseudonymised)");
	assert_string_equal(d->source, "/srv/glovebox/data/ct-2018");
	assert_string_equal(d->target, "/data/ct-2018");
	assert_int_equal(d->n_groups, 1);
	assert_string_equal(d->groups[0], "oncology");

	d = policy_dataset_find(p, "mri-open");
	assert_string_equal(d->source, "/srv/glovebox/data/mri-open");
	assert_string_equal(d->target, "/data/mri-open");
	assert_int_equal(d->n_groups, 0);
	assert_null(d->groups);

	d = policy_dataset_find(p, "genomics-restricted");
	assert_string_equal(d->source, "/srv/glovebox/data/genomics-restricted");
	assert_string_equal(d->target, "/data/genomics-restricted");
	assert_int_equal(d->n_groups, 1);
	assert_string_equal(d->groups[0], "genomics");
	assert_null(policy_dataset_find(p, "ct"));

	assert_string_equal(p->results_source, "/srv/glovebox/results/{user}");
	assert_string_equal(p->results_target, "/results");
	assert_string_equal(p->terms_version, "2026-11");
	assert_int_equal(p->n_registries, 1);
	assert_string_equal(p->registries[0], "127.0.0.1:5000");
	assert_int_equal(p->max_lifetime, 86400);
	assert_string_equal(p->admin_group, "glovebox-admins");
	assert_int_equal(p->researcher_logs, LOGS_FULL);
	assert_int_equal(p->log_max_size, 10 * MiB);
	assert_int_equal(p->log_max_files, 3);
	assert_int_equal(p->nofile.soft, 1024);
	assert_int_equal(p->nofile.hard, 4096);
	assert_int_equal(p->nproc.soft, 2048);
	assert_int_equal(p->nproc.hard, 2048);
	assert_false(p->encrypted_network);
}

static void test_example_parses(void **state)
{
	(void)state;
	char *path = repo_path("docs/examples/policy.json");
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char buf[16384];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';

	struct policy p;
	parse_ok(buf, "docs/examples", &p);
	check_example(&p);
	assert_string_equal(p.terms_file, "docs/examples/terms.md");
	assert_null(p.terms_text);      /* policy_parse does not read it */
	assert_null(p.origin);
	policy_clear(&p);
	assert_int_equal(p.n_classes, 0);
	assert_null(p.classes);
	policy_clear(&p);               /* twice is harmless */
	free(path);
}

static void test_load_example_file(void **state)
{
	(void)state;
	char *path = repo_path("docs/examples/policy.json");
	char *terms_path = repo_real_path("docs/examples/terms.md");
	struct policy p;
	char *err = NULL;

	if (policy_load_file(path, &p, &err) != 0)
		fail_msg("%s", err);
	check_example(&p);
	assert_string_equal(p.origin, path);
	assert_string_equal(p.terms_file, terms_path);

	FILE *f = fopen(terms_path, "rb");
	assert_non_null(f);
	char buf[16384];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_non_null(p.terms_text);
	assert_string_equal(p.terms_text, buf);
	assert_non_null(strstr(p.terms_text, "re-identification"));
	policy_clear(&p);
	free(terms_path);
	free(path);
}

/* Defaults: max_* = the defaults, no datasets, any registry, logs full. */
static void test_minimal_defaults(void **state)
{
	(void)state;
	char *json = fixture_read("policy/good-minimal.json", NULL);
	struct policy p;
	parse_ok(json, NULL, &p);
	assert_int_equal(p.n_classes, 1);
	const struct policy_class *c = &p.classes[0];
	assert_string_equal(c->description, "");
	assert_int_equal(c->n_constraints, 0);
	assert_true(c->cpus == 0.5 && c->max_cpus == 0.5);
	assert_int_equal(c->memory, 512 * MiB);
	assert_int_equal(c->max_memory, 512 * MiB);
	assert_int_equal(c->gpus, 0);
	assert_int_equal(p.n_datasets, 0);
	assert_int_equal(p.n_registries, 0);
	assert_true(policy_registry_allowed(&p, "docker.io"));
	assert_true(policy_registry_allowed(&p, "ghcr.io"));
	assert_int_equal(p.max_lifetime, 5400);
	assert_int_equal(p.researcher_logs, LOGS_FULL);
	/* the hardening fields' defaults */
	assert_int_equal(p.log_max_size, 10 * MiB);
	assert_int_equal(p.log_max_files, 3);
	assert_int_equal(p.nofile.soft, 1024);
	assert_int_equal(p.nofile.hard, 4096);
	assert_int_equal(p.nproc.soft, 2048);
	assert_int_equal(p.nproc.hard, 2048);
	assert_false(p.encrypted_network);
	assert_string_equal(p.terms_file, "terms.md");   /* no base_dir: the current directory */
	policy_clear(&p);
	free(json);
}

/* Every hardening field set, and the smallest class memory the engine takes. */
static void test_hardening_fixture(void **state)
{
	(void)state;
	char *json = fixture_read("policy/good-hardening.json", NULL);
	struct policy p;
	parse_ok(json, NULL, &p);
	assert_int_equal(p.classes[0].memory, 6 * MiB);
	assert_int_equal(p.log_max_size, 50 * MiB);
	assert_int_equal(p.log_max_files, 2);
	assert_int_equal(p.nofile.soft, 2048);
	assert_int_equal(p.nofile.hard, 16384);
	assert_int_equal(p.nproc.soft, 1024);
	assert_int_equal(p.nproc.hard, 1024);
	assert_true(p.encrypted_network);
	policy_clear(&p);
	free(json);
}

/* Many names in an order a hash table would scramble come back in the file's order. */
static void test_order_is_the_files(void **state)
{
	(void)state;
	static const char *const names[] = {"zeta", "alpha", "mid", "b", "aa", "q", "c", "x9", "y", "k.1", "k_2", "0"};
	size_t n = sizeof names / sizeof names[0];
	char *classes = xstrdup(""), *datasets = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *c = xasprintf("%s%s\"%s\": {\"cpus\": 1, \"memory\": \"1GiB\"}", classes, i ? "," : "", names[i]);
		char *d = xasprintf("%s%s\"%s\": {\"source\": \"/srv/%s\", \"target\": \"/data/%s\"}", datasets,
		                    i ? "," : "", names[i], names[i], names[i]);
		free(classes);
		free(datasets);
		classes = c;
		datasets = d;
	}
	char *json = xasprintf("{\"classes\": {%s}, \"datasets\": {%s},"
	                       "\"results\": {\"source\": \"/r/{user}\", \"target\": \"/results\"},"
	                       "\"terms\": {\"file\": \"t.md\", \"version\": \"1\"},"
	                       "\"max_lifetime\": \"1h\", \"admin_group\": \"adm\"}", classes, datasets);
	struct policy p;
	parse_ok(json, NULL, &p);
	assert_int_equal(p.n_classes, n);
	assert_int_equal(p.n_datasets, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(p.classes[i].name, names[i]);
		assert_string_equal(p.datasets[i].name, names[i]);
	}
	policy_clear(&p);
	free(json);
	free(classes);
	free(datasets);
}

/* ---- sizes and durations ---- */

static void test_parse_size_good(void **state)
{
	(void)state;
	static const struct { const char *s; int64_t want; } cases[] = {
		{"0", 0},
		{"512", 512},
		{"1073741824", GiB},
		{"512B", 512},
		{"512b", 512},
		{"1K", KiB}, {"1k", KiB}, {"1Ki", KiB}, {"1KiB", KiB}, {"1kib", KiB},
		{"1KB", 1000}, {"1kb", 1000},
		{"64M", 64 * MiB}, {"64m", 64 * MiB}, {"512MiB", 512 * MiB}, {"2MB", 2000000},
		{"2GiB", 2 * GiB}, {"2gib", 2 * GiB}, {"2G", 2 * GiB}, {"2Gi", 2 * GiB}, {"2GB", 2000000000},
		{"1.5G", 1610612736}, {"0.5GiB", 512 * MiB}, {"1.25KiB", 1280},
		{"0.1K", 102},                           /* cut to whole bytes, as docker does */
		{"1T", TiB}, {"1TiB", TiB}, {"1TB", 1000000000000},
		{"007M", 7 * MiB},
		{"8388607T", 8388607 * TiB},
		{"9223372036854775807", INT64_MAX},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t got = -1;
		char *err = NULL;
		if (parse_size(cases[i].s, &got, &err) != 0)
			fail_msg("%s: %s", cases[i].s, err);
		if (got != cases[i].want)
			fail_msg("%s: got %lld, want %lld", cases[i].s, (long long)got, (long long)cases[i].want);
	}
}

#define NOT_SIZE(s, q) {s, q " is not a size (e.g. 512MiB, 2GiB, 1.5G)"}

static void test_parse_size_bad(void **state)
{
	(void)state;
	static const struct { const char *s, *err; } cases[] = {
		NOT_SIZE("", "\"\""), NOT_SIZE("G", "\"G\""), NOT_SIZE("GiB", "\"GiB\""), NOT_SIZE("1.G", "\"1.G\""), NOT_SIZE(".5G", "\".5G\""),
		NOT_SIZE("1 GiB", "\"1 GiB\""), NOT_SIZE(" 1G", "\" 1G\""), NOT_SIZE("1G ", "\"1G \""), NOT_SIZE("1GiBs", "\"1GiBs\""),
		NOT_SIZE("1e9", "\"1e9\""), NOT_SIZE("0x10", "\"0x10\""), NOT_SIZE("+1G", "\"+1G\""), NOT_SIZE("1P", "\"1P\""),
		NOT_SIZE("1iB", "\"1iB\""), NOT_SIZE("1.5.5G", "\"1.5.5G\""), NOT_SIZE("abc", "\"abc\""), NOT_SIZE("1Gb2", "\"1Gb2\""),
		NOT_SIZE("1bb", "\"1bb\""), NOT_SIZE("-", "\"-\""), NOT_SIZE("1,5G", "\"1,5G\""),
		{"-1G", "\"-1G\" is not a size: sizes cannot be negative"},
		{"-0", "\"-0\" is not a size: sizes cannot be negative"},
		{"1.5", "\"1.5\" is not a size: a number of bytes must be whole"},
		{"1.5B", "\"1.5B\" is not a size: a number of bytes must be whole"},
		{"8388608T", "\"8388608T\" is too large"},
		{"9223372036854775808", "\"9223372036854775808\" is too large"},
		{"99999999999999999999999G", "\"99999999999999999999999G\" is too large"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t got = 42;
		char *err = NULL;
		const char *want = cases[i].err;
		if (parse_size(cases[i].s, &got, &err) == 0)
			fail_msg("%s: accepted as %lld", cases[i].s, (long long)got);
		assert_int_equal(got, 42);
		if (strcmp(err, want) != 0)
			fail_msg("%s:\n  got  %s\n  want %s", cases[i].s, err, want);
		free(err);
	}
	int64_t b;
	assert_int_equal(parse_size(NULL, &b, NULL), -1);
}

static void test_parse_duration_good(void **state)
{
	(void)state;
	static const struct { const char *s; int64_t want; } cases[] = {
		{"24h", 86400}, {"90m", 5400}, {"1h30m", 5400}, {"2d", 172800}, {"45s", 45},
		{"3600", 3600}, {"0", 0}, {"0h", 0}, {"1d2h3m4s", 93784}, {"1d 2h", 93600},
		{"3h 5m", 11100}, {"1d 2h 3m 4s", 93784}, {"1h0m30s", 3630}, {"365d", 365 * 86400},
		{"100000s", 100000}, {"1d30s", 86430},
		{"9223372036854775807", INT64_MAX},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t got = -1;
		char *err = NULL;
		if (parse_duration(cases[i].s, &got, &err) != 0)
			fail_msg("%s: %s", cases[i].s, err);
		if (got != cases[i].want)
			fail_msg("%s: got %lld, want %lld", cases[i].s, (long long)got, (long long)cases[i].want);
	}
}

#define NOT_DUR(s, q) {s, q " is not a duration (e.g. 24h, 90m, 1h30m)"}

static void test_parse_duration_bad(void **state)
{
	(void)state;
	static const struct { const char *s, *err; } cases[] = {
		NOT_DUR("", "\"\""), NOT_DUR("24 hours", "\"24 hours\""), NOT_DUR("1.5h", "\"1.5h\""), NOT_DUR("h", "\"h\""),
		NOT_DUR("1h30", "\"1h30\""), NOT_DUR("30m1h", "\"30m1h\""), NOT_DUR("1h1h", "\"1h1h\""), NOT_DUR("1H", "\"1H\""),
		NOT_DUR("1h ", "\"1h \""), NOT_DUR(" 1h", "\" 1h\""), NOT_DUR("1h  30m", "\"1h  30m\""), NOT_DUR("1w", "\"1w\""),
		NOT_DUR("+1h", "\"+1h\""), NOT_DUR("1d 2 h", "\"1d 2 h\""), NOT_DUR("1 h", "\"1 h\""), NOT_DUR("24hours", "\"24hours\""),
		NOT_DUR("1ms", "\"1ms\""), NOT_DUR("P1D", "\"P1D\""), NOT_DUR("-", "\"-\""), NOT_DUR("1h\n", "\"1h\\u000a\""),
		{"-1h", "\"-1h\" is not a duration: durations cannot be negative"},
		{"-30", "\"-30\" is not a duration: durations cannot be negative"},
		{"99999999999999999999", "\"99999999999999999999\" is too long"},
		{"106751991167301d", "\"106751991167301d\" is too long"},
		{"106751991167300d99999h", "\"106751991167300d99999h\" is too long"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t got = 42;
		char *err = NULL;
		const char *want = cases[i].err;
		if (parse_duration(cases[i].s, &got, &err) == 0)
			fail_msg("%s: accepted as %lld", cases[i].s, (long long)got);
		assert_int_equal(got, 42);
		if (strcmp(err, want) != 0)
			fail_msg("%s:\n  got  %s\n  want %s", cases[i].s, err, want);
		free(err);
	}
	int64_t s;
	assert_int_equal(parse_duration(NULL, &s, NULL), -1);
}

static void test_format_duration(void **state)
{
	(void)state;
	static const struct { int64_t s; const char *want; } cases[] = {
		{0, "0s"}, {1, "1s"}, {45, "45s"}, {59, "59s"}, {60, "1m"}, {90, "1m 30s"}, {3599, "59m 59s"},
		{3600, "1h"}, {3660, "1h 1m"}, {3661, "1h 1m"}, {3630, "1h"}, {11100, "3h 5m"},
		{86400, "1d"}, {86460, "1d"}, {93600, "1d 2h"}, {93784, "1d 2h"}, {172799, "1d 23h"},
		{365 * 86400, "365d"}, {-90, "-1m 30s"}, {-86400, "-1d"},
		{INT64_MAX, "106751991167300d 15h"}, {INT64_MIN, "-106751991167300d 15h"},
	};
	char buf[64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		format_duration(buf, sizeof buf, cases[i].s);
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%lld: got \"%s\", want \"%s\"", (long long)cases[i].s, buf, cases[i].want);
	}
	/* A short buffer gets a cut, terminated string; none at all is left alone. */
	char small[4] = "xxx";
	format_duration(small, sizeof small, 93600);
	assert_string_equal(small, "1d ");
	format_duration(small, 0, 93600);
	assert_string_equal(small, "1d ");
	format_duration(NULL, 0, 1);

	/* What it writes reads back (two units are exact for these). */
	static const int64_t round[] = {45, 90, 3600, 5400, 93600, 86400 * 3 + 3600 * 5, 7 * 60 + 3};
	for (size_t i = 0; i < sizeof round / sizeof round[0]; i++) {
		int64_t back = -1;
		format_duration(buf, sizeof buf, round[i]);
		assert_int_equal(parse_duration(buf, &back, NULL), 0);
		assert_int_equal(back, round[i]);
	}
}

/* ---- files ---- */

struct tmp {
	char dir[64];
};

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static int tmp_setup(void **state)
{
	struct tmp *t = xcalloc(1, sizeof *t);
	strcpy(t->dir, "/tmp/gb-policy-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	char *cmd = xasprintf("rm -rf '%s'", t->dir);
	int rc = system(cmd);
	free(cmd);
	free(t);
	return rc == 0 ? 0 : -1;
}

/* A policy in dir whose terms.file is name. */
static char *policy_naming(const char *dir, const char *name)
{
	char *v = xasprintf("{\"file\": \"%s\", \"version\": \"1\"}", name);
	char *json = changed(&(struct change){"terms", v, NULL});
	write_file(dir, "policy.json", json, strlen(json));
	free(json);
	free(v);
	return xasprintf("%s/policy.json", dir);
}

static void expect_load_error(const char *path, const char *want)
{
	struct policy p;
	char *err = NULL;
	memset(&p, 0xa5, sizeof p);
	if (policy_load_file(path, &p, &err) == 0)
		fail_msg("%s: loaded, want %s", path, want);
	if (!err || strcmp(err, want) != 0)
		fail_msg("%s:\n  got  %s\n  want %s", path, err ? err : "(null)", want);
	assert_null(p.classes);
	assert_null(p.origin);
	assert_null(p.terms_text);
	free(err);
}

static void test_load_missing_terms(void **state)
{
	(void)state;
	char *path = repo_path("tests/fixtures/policy/missing-terms.json");
	char *terms = repo_real_path("tests/fixtures/policy/no-such-terms.md");
	char *want = xasprintf("%s: terms.file: cannot read %s: No such file or directory", path, terms);
	expect_load_error(path, want);
	free(want);
	free(terms);
	free(path);
}

static void test_load_fixture_terms(void **state)
{
	(void)state;
	char *path = repo_path("tests/fixtures/policy/good-minimal.json");
	struct policy p;
	char *err = NULL;
	if (policy_load_file(path, &p, &err) != 0)
		fail_msg("%s", err);
	assert_string_equal(p.origin, path);
	assert_string_equal(p.terms_text, "# Test terms\n\nUse the data only for the purpose you state.\n");
	policy_clear(&p);
	free(path);
}

static void test_load_errors(void **state)
{
	struct tmp *t = *state;
	char *want, *path;

	expect_load_error("/nonexistent/glovebox/policy.json",
	                  "cannot read /nonexistent/glovebox/policy.json: No such file or directory");
	want = xasprintf("cannot read %s: not a regular file", t->dir);
	expect_load_error(t->dir, want);
	free(want);

	/* Parse errors name the file. */
	char *bad = repo_path("tests/fixtures/policy/bad-gpu-max-cpus.json");
	want = xasprintf("%s: classes.gpu.max_cpus: must be at least cpus (4)", bad);
	expect_load_error(bad, want);
	free(want);
	free(bad);

	/* The policy's cap: 1 MiB exactly is read, one byte more is not. */
	size_t cap = (size_t)1 << 20, blen = strlen(base_policy);
	char *big = xmalloc(cap + 1);
	memcpy(big, base_policy, blen);
	memset(big + blen, ' ', cap + 1 - blen);
	write_file(t->dir, "terms.md", "terms\n", 6);
	write_file(t->dir, "policy.json", big, cap);
	path = xasprintf("%s/policy.json", t->dir);
	struct policy p;
	char *err = NULL;
	if (policy_load_file(path, &p, &err) != 0)
		fail_msg("%s", err);
	policy_clear(&p);
	write_file(t->dir, "policy.json", big, cap + 1);
	want = xasprintf("%s is larger than 1 MiB", path);
	expect_load_error(path, want);
	free(want);
	free(path);
	free(big);
}

static void test_load_bad_terms(void **state)
{
	struct tmp *t = *state;
	static const struct { const char *data; size_t len; const char *why; } cases[] = {
		{"", 0, "is empty"},
		{" \n\t\r\n", 5, "is empty"},
		{"# Terms\ncaf\xe9\n", 13, "is not valid UTF-8 (line 2); save it as UTF-8"},
		{"ok\n\xc0\xaf\n", 6, "is not valid UTF-8 (line 2); save it as UTF-8"},          /* overlong '/' */
		{"ok\nok\n\xed\xa0\x80\n", 10, "is not valid UTF-8 (line 3); save it as UTF-8"},  /* surrogate */
		{"\xf4\x90\x80\x80", 4, "is not valid UTF-8 (line 1); save it as UTF-8"},         /* > U+10FFFF */
		{"cut \xe2\x82", 6, "is not valid UTF-8 (line 1); save it as UTF-8"},
		{"a\nb\0c\n", 6, "contains a NUL byte (line 2); is it a text file?"},
	};
	char *terms = xasprintf("%s/terms.md", t->dir);
	char *path = policy_naming(t->dir, "terms.md");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		write_file(t->dir, "terms.md", cases[i].data, cases[i].len);
		char *want = xasprintf("%s: terms.file: %s %s", path, terms, cases[i].why);
		expect_load_error(path, want);
		free(want);
	}

	/* Valid UTF-8 of every length is fine, and the text is kept byte for byte. */
	static const char good[] = "# Terms\n\nna\xc3\xafve caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92\r\n";
	write_file(t->dir, "terms.md", good, sizeof good - 1);
	struct policy p;
	char *err = NULL;
	if (policy_load_file(path, &p, &err) != 0)
		fail_msg("%s", err);
	assert_string_equal(p.terms_text, good);
	policy_clear(&p);

	/* The terms' cap: 1000 KiB. */
	size_t cap = (size_t)1000 << 10;
	char *big = xmalloc(cap + 1);
	memset(big, 'x', cap + 1);
	write_file(t->dir, "terms.md", big, cap);
	if (policy_load_file(path, &p, &err) != 0)
		fail_msg("%s", err);
	assert_int_equal(strlen(p.terms_text), cap);
	policy_clear(&p);
	write_file(t->dir, "terms.md", big, cap + 1);
	char *want = xasprintf("%s: terms.file: %s is larger than 1000 KiB", path, terms);
	expect_load_error(path, want);
	free(want);
	free(big);

	/* A directory is not terms. */
	free(path);
	path = policy_naming(t->dir, ".");
	want = xasprintf("%s: terms.file: cannot read %s/.: not a regular file", path, t->dir);
	expect_load_error(path, want);
	free(want);
	free(path);
	free(terms);
}

/* A policy named without a directory finds its terms beside it, where it really is. */
static void test_load_relative(void **state)
{
	struct tmp *t = *state;
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	char *path = policy_naming(t->dir, "terms.md");
	write_file(t->dir, "terms.md", "terms\n", 6);
	assert_int_equal(chdir(t->dir), 0);
	struct policy p;
	char *err = NULL;
	int rc = policy_load_file("policy.json", &p, &err);
	assert_int_equal(chdir(cwd), 0);
	if (rc != 0)
		fail_msg("%s", err);
	assert_string_equal(p.origin, "policy.json");
	char *real = realpath(t->dir, NULL);
	char *want = xasprintf("%s/terms.md", real);
	assert_string_equal(p.terms_file, want);
	assert_string_equal(p.terms_text, "terms\n");
	free(want);
	free(real);
	policy_clear(&p);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_parses),
		cmocka_unit_test(test_load_example_file),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_hardening_fixture),
		cmocka_unit_test(test_order_is_the_files),
		cmocka_unit_test(test_parse_size_good),
		cmocka_unit_test(test_parse_size_bad),
		cmocka_unit_test(test_parse_duration_good),
		cmocka_unit_test(test_parse_duration_bad),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_load_missing_terms),
		cmocka_unit_test(test_load_fixture_terms),
		cmocka_unit_test_setup_teardown(test_load_errors, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_bad_terms, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_load_relative, tmp_setup, tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
