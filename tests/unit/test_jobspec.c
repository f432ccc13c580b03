/* job_plan_make against a policy built by hand (jobspec_policy.c): every field of a request
 * checked, with its message. The ServiceSpec, the network and the posture are in
 * test_jobspec_spec.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/core/jobspec.h"
#include "api/engine/model.h"
#include "tests/unit/jobspec_policy.h"

/* ---- job_plan_make ---- */

static void test_defaults(void **state)
{
	const struct policy *p = *state;
	struct job_request r = { .image = IMAGE };
	struct job_plan plan;
	expect_ok(p, &r, &alice, &plan);

	assert_string_equal(plan.name, "alice-analysis-0000beef");
	assert_string_equal(plan.network, "alice-analysis-0000beef-net");
	assert_string_equal(plan.image.registry, "127.0.0.1:5000");
	assert_string_equal(plan.image.path, "lab/analysis");
	assert_string_equal(plan.image.tag, "1.3");
	assert_ptr_equal(plan.policy, p);
	assert_ptr_equal(plan.cls, &p->classes[0]);
	assert_int_equal(plan.n_datasets, 0);
	assert_true(plan.cpus == 1.0);
	assert_int_equal(plan.memory, 2 * GiB);
	assert_int_equal(plan.lifetime, 7 * 86400);
	assert_int_equal(plan.n_command, 0);
	assert_string_equal(plan.owner, "alice");
	assert_string_equal(plan.user_spec, "1000:1000");
	assert_string_equal(plan.results_source, "/srv/results/alice");
	job_plan_clear(&plan);
	assert_null(plan.name);

	/* empty form fields mean the same as absent ones */
	struct job_request blank = { .image = IMAGE, .class_name = "", .cpus = "", .memory = "",
	                             .lifetime = "", .name = "", .purpose = "" };
	expect_ok(p, &blank, &alice, &plan);
	assert_ptr_equal(plan.cls, &p->classes[0]);
	assert_string_equal(plan.name, "alice-analysis-0000beef");
	job_plan_clear(&plan);
}

static void test_class_defaults_and_choice(void **state)
{
	struct policy *p = *state;
	struct job_request r = { .image = IMAGE, .class_name = "gpu" };
	struct job_plan plan;
	expect_ok(p, &r, &alice, &plan);
	assert_ptr_equal(plan.cls, &p->classes[2]);
	assert_true(plan.cpus == 4.0);
	assert_int_equal(plan.memory, 16 * GiB);
	job_plan_clear(&plan);

	/* without a class named "default", the first one is the default */
	free(p->classes[0].name);
	p->classes[0].name = strdup("small");
	r.class_name = NULL;
	expect_ok(p, &r, &alice, &plan);
	assert_ptr_equal(plan.cls, &p->classes[0]);
	job_plan_clear(&plan);

	r.class_name = "default";
	expect_error(p, &r, &alice, JF_CLASS, "unknown class \"default\" (classes: small, highram, gpu)");
}

static void test_every_field_at_once(void **state)
{
	const struct policy *p = *state;
	static const char *const ds[] = { "nope", "oncology" };
	const char *many[257];
	for (size_t i = 0; i < 257; i++)
		many[i] = "x";
	struct job_request r = {
		.image = "busybox", .class_name = "huge", .datasets = ds, .n_datasets = 2,
		.cpus = "lots", .memory = "1MiB", .lifetime = "30d", .name = "Bad_Name",
		.command = many, .n_command = 257, .purpose = "line one\nline two",
	};
	struct job_plan plan;
	struct job_errors e;
	assert_int_equal(job_plan_make(p, &r, &bob, 7, &plan, &e), -1);
	for (int f = 0; f < JF_COUNT; f++)
		if (!e.msg[f])
			fail_msg("no message for %s", job_field_name((enum job_field)f));
	assert_string_equal(e.msg[JF_IMAGE],
	                    "image \"busybox\" is not from an allowed registry (allowed: 127.0.0.1:5000)");
	assert_string_equal(e.msg[JF_CLASS], "unknown class \"huge\" (classes: default, highram, gpu)");
	assert_string_equal(e.msg[JF_DATASETS],
	                    "unknown dataset \"nope\" (datasets: public, oncology, genomics); "
	                    "dataset \"oncology\" is for members of oncology");
	assert_string_equal(e.msg[JF_CPUS], "\"lots\" is not a number of CPUs (write e.g. 2 or 0.5)");
	assert_string_equal(e.msg[JF_MEMORY], "at least 6MiB");
	assert_non_null(strstr(e.msg[JF_LIFETIME], "at most "));
	assert_non_null(strstr(e.msg[JF_LIFETIME], "(the policy's maximum)"));
	assert_string_equal(e.msg[JF_NAME],
	                    "\"Bad_Name\" is not a valid name: 1 to 48 lowercase letters, digits and "
	                    "'-', starting and ending with a letter or digit");
	assert_string_equal(e.msg[JF_COMMAND], "at most 256 arguments (this has 257)");
	assert_string_equal(e.msg[JF_PURPOSE], "one line of text, without tabs or control characters");
	/* the plan is cleared */
	assert_null(plan.name);
	assert_null(plan.network);
	assert_null(plan.image.registry);
	assert_null(plan.cls);
	assert_null(plan.owner);
	job_errors_clear(&e);
	for (int f = 0; f < JF_COUNT; f++)
		assert_null(e.msg[f]);
}

static void test_image(void **state)
{
	struct policy *p = *state;
	struct job_request r = { 0 };
	expect_error(p, &r, &alice, JF_IMAGE, "an image is required");
	r.image = "";
	expect_error(p, &r, &alice, JF_IMAGE, "an image is required");
	r.image = "127.0.0.1:5000/Lab/x";
	expect_error(p, &r, &alice, JF_IMAGE,
	             "malformed image reference \"127.0.0.1:5000/Lab/x\": repository name must be lowercase");
	r.image = "127.0.0.1:5001/lab/x";
	expect_error(p, &r, &alice, JF_IMAGE,
	             "image \"127.0.0.1:5001/lab/x\" is not from an allowed registry (allowed: 127.0.0.1:5000)");
	r.image = "localhost:5000/lab/x";
	expect_error(p, &r, &alice, JF_IMAGE, "not from an allowed registry");

	r.image = "127.0.0.1:5000/lab/x@" DIGEST;
	struct job_plan plan;
	expect_ok(p, &r, &alice, &plan);
	assert_null(plan.image.tag);
	assert_string_equal(plan.image.digest, DIGEST);
	job_plan_clear(&plan);

	/* no registries listed: any registry, Docker Hub too */
	strv_free(p->registries, p->n_registries);
	p->registries = NULL;
	p->n_registries = 0;
	r.image = "busybox";
	expect_ok(p, &r, &alice, &plan);
	assert_string_equal(plan.image.registry, "docker.io");
	assert_string_equal(plan.name, "alice-busybox-0000beef");
	job_plan_clear(&plan);
}

static void test_datasets(void **state)
{
	const struct policy *p = *state;
	struct job_plan plan;
	struct job_request r = { .image = IMAGE };

	/* alice is in oncology: oncology, and genomics (oncology or genomics), and public */
	static const char *const ask[] = { "genomics", "public", "oncology" };
	r.datasets = ask;
	r.n_datasets = 3;
	expect_ok(p, &r, &alice, &plan);
	assert_int_equal(plan.n_datasets, 3);
	assert_string_equal(plan.datasets[0], "public");   /* the policy's order */
	assert_string_equal(plan.datasets[1], "oncology");
	assert_string_equal(plan.datasets[2], "genomics");
	job_plan_clear(&plan);

	/* bob only gets the public one */
	static const char *const pub[] = { "public" };
	r.datasets = pub;
	r.n_datasets = 1;
	expect_ok(p, &r, &bob, &plan);
	assert_int_equal(plan.n_datasets, 1);
	job_plan_clear(&plan);

	static const char *const gen[] = { "genomics" };
	r.datasets = gen;
	expect_error(p, &r, &bob, JF_DATASETS,
	             "dataset \"genomics\" is for members of genomics or oncology");

	static const char *const twice[] = { "public", "oncology", "public" };
	r.datasets = twice;
	r.n_datasets = 3;
	expect_error(p, &r, &alice, JF_DATASETS, "dataset \"public\" is listed twice");

	static const char *const unknown[] = { "PUBLIC" };
	r.datasets = unknown;
	r.n_datasets = 1;
	expect_error(p, &r, &alice, JF_DATASETS,
	             "unknown dataset \"PUBLIC\" (datasets: public, oncology, genomics)");

	static const char *const empty[] = { "" };
	r.datasets = empty;
	expect_error(p, &r, &alice, JF_DATASETS, "empty dataset name");

	/* every problem in one message */
	static const char *const all[] = { "x", "oncology", "genomics", "x" };
	r.datasets = all;
	r.n_datasets = 4;
	struct job_errors e;
	assert_int_equal(job_plan_make(p, &r, &bob, 1, &plan, &e), -1);
	assert_string_equal(e.msg[JF_DATASETS],
	                    "unknown dataset \"x\" (datasets: public, oncology, genomics); "
	                    "dataset \"oncology\" is for members of oncology; "
	                    "dataset \"genomics\" is for members of genomics or oncology; "
	                    "unknown dataset \"x\" (datasets: public, oncology, genomics)");
	job_errors_clear(&e);
}

static void test_cpus(void **state)
{
	const struct policy *p = *state;
	static const struct { const char *cls, *in; double want; } good[] = {
		{ NULL, "2", 2 }, { NULL, "0.5", 0.5 }, { NULL, ".25", 0.25 }, { NULL, "1.", 1 },
		{ NULL, "0.001", 0.001 }, { NULL, "1.999999999", 1.999999999 }, { NULL, "002", 2 },
		{ "gpu", "8", 8 }, { "highram", "3.5", 3.5 },
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct job_request r = { .image = IMAGE, .class_name = good[i].cls, .cpus = good[i].in };
		struct job_plan plan;
		expect_ok(p, &r, &alice, &plan);
		assert_true(llround(plan.cpus * 1e9) == llround(good[i].want * 1e9));
		job_plan_clear(&plan);
	}
	static const struct { const char *cls, *in, *want; } bad[] = {
		{ NULL, "2.5", "at most 2 CPUs in class default" },
		{ NULL, "2.000000001", "at most 2 CPUs in class default" },
		{ "gpu", "9", "at most 8 CPUs in class gpu" },
		{ NULL, "0", "at least 0.001 CPU" },
		{ NULL, "0.0009", "at least 0.001 CPU" },
		{ NULL, "0.000000001", "at least 0.001 CPU" },
		{ NULL, "1.0000000001", "too precise: at most 9 decimal places" },
		{ NULL, "99999999999999999999", "far more CPUs than any node has" },
		{ NULL, "-1", "is not a number of CPUs" },
		{ NULL, "+1", "is not a number of CPUs" },
		{ NULL, "1e3", "is not a number of CPUs" },
		{ NULL, "1,5", "is not a number of CPUs" },
		{ NULL, " 1", "is not a number of CPUs" },
		{ NULL, "1 ", "is not a number of CPUs" },
		{ NULL, ".", "is not a number of CPUs" },
		{ NULL, "inf", "is not a number of CPUs" },
		{ NULL, "nan", "is not a number of CPUs" },
		{ NULL, "0x10", "is not a number of CPUs" },
		{ NULL, "1.2.3", "is not a number of CPUs" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct job_request r = { .image = IMAGE, .class_name = bad[i].cls, .cpus = bad[i].in };
		expect_error(p, &r, &alice, JF_CPUS, bad[i].want);
	}

	/* fractional maxima are printed exactly, and one CPU is singular */
	struct policy *w = *state;
	w->classes[0].max_cpus = 1.5;
	struct job_request r = { .image = IMAGE, .cpus = "1.75" };
	expect_error(p, &r, &alice, JF_CPUS, "at most 1.5 CPUs in class default");
	w->classes[0].max_cpus = 1;
	expect_error(p, &r, &alice, JF_CPUS, "at most 1 CPU in class default");
	w->classes[0].max_cpus = 0.25;
	w->classes[0].cpus = 0.25;
	r.cpus = "0.5";
	expect_error(p, &r, &alice, JF_CPUS, "at most 0.25 CPU in class default");

	/* an unknown class leaves nothing to compare with: only the class is wrong */
	struct job_request u = { .image = IMAGE, .class_name = "nope", .cpus = "100", .memory = "1TiB" };
	expect_error(p, &u, &alice, JF_CLASS, "unknown class \"nope\"");
}

static void test_memory(void **state)
{
	struct policy *p = *state;
	static const struct { const char *in; int64_t want; } good[] = {
		{ "6MiB", 6 * MiB }, { "8GiB", 8 * GiB }, { "512MiB", 512 * MiB }, { "6291456", 6 * MiB },
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct job_request r = { .image = IMAGE, .memory = good[i].in };
		struct job_plan plan;
		expect_ok(p, &r, &alice, &plan);
		assert_int_equal(plan.memory, good[i].want);
		job_plan_clear(&plan);
	}
	/* the engine's floor for a container's limit, not swarmkit's 4 MiB */
	struct job_request r = { .image = IMAGE, .memory = "6291455" };
	expect_error(p, &r, &alice, JF_MEMORY, "at least 6MiB");
	r.memory = "5M";
	expect_error(p, &r, &alice, JF_MEMORY, "at least 6MiB");
	r.memory = "4MiB";
	expect_error(p, &r, &alice, JF_MEMORY, "at least 6MiB");
	r.memory = "9GiB";
	expect_error(p, &r, &alice, JF_MEMORY, "at most 8GiB in class default");
	r.memory = "8193MiB";
	expect_error(p, &r, &alice, JF_MEMORY, "at most 8GiB in class default");
	r.class_name = "highram";
	r.memory = "65GiB";
	expect_error(p, &r, &alice, JF_MEMORY, "at most 64GiB in class highram");
	p->classes[1].max_memory = 3 * GiB + 1;
	expect_error(p, &r, &alice, JF_MEMORY, "at most 3221225473 bytes in class highram");
	r.class_name = NULL;
	r.memory = "lots";
	struct job_plan plan;
	struct job_errors e;
	assert_int_equal(job_plan_make(p, &r, &alice, 0, &plan, &e), -1);
	assert_non_null(e.msg[JF_MEMORY]);     /* parse_size's own words */
	job_errors_clear(&e);
}

static void test_lifetime(void **state)
{
	const struct policy *p = *state;
	struct job_request r = { .image = IMAGE, .lifetime = "12h" };
	struct job_plan plan;
	expect_ok(p, &r, &alice, &plan);
	assert_int_equal(plan.lifetime, 12 * 3600);
	job_plan_clear(&plan);
	r.lifetime = "7d";
	expect_ok(p, &r, &alice, &plan);
	assert_int_equal(plan.lifetime, 7 * 86400);
	job_plan_clear(&plan);

	r.lifetime = "8d";
	expect_error(p, &r, &alice, JF_LIFETIME, "at most ");
	r.lifetime = "604801";
	expect_error(p, &r, &alice, JF_LIFETIME, "(the policy's maximum)");

	struct job_errors e;
	static const char *const bad[] = { "0", "0s", "soon", "-1h" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r.lifetime = bad[i];
		assert_int_equal(job_plan_make(p, &r, &alice, 0, &plan, &e), -1);
		if (!e.msg[JF_LIFETIME])
			fail_msg("lifetime \"%s\" should be refused", bad[i]);
		job_errors_clear(&e);
	}
}

static void test_names(void **state)
{
	const struct policy *p = *state;
	struct job_plan plan;
	static const char *const good[] = {
		"a", "9", "my-job-1", "a--b", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijkl",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct job_request r = { .image = IMAGE, .name = good[i] };
		expect_ok(p, &r, &alice, &plan);
		assert_string_equal(plan.name, good[i]);
		assert_non_null(strstr(plan.network, "-net"));
		job_plan_clear(&plan);
	}
	static const char *const bad[] = {
		"My-Job", "-x", "x-", "a_b", "a.b", "a b", "j\303\266b",
		"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklm",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct job_request r = { .image = IMAGE, .name = bad[i] };
		expect_error(p, &r, &alice, JF_NAME, "is not a valid name: 1 to 48 lowercase letters");
	}
}

static void test_derived_names(void **state)
{
	const struct policy *p = *state;
	static const char *const g[] = { "x" };
	static const struct { const char *user, *image; uint32_t rnd; const char *want; } cases[] = {
		{ "alice", IMAGE, 0xbeef, "alice-analysis-0000beef" },
		{ "alice", IMAGE, 0x12345, "alice-analysis-00012345" },
		{ "alice", IMAGE, 7, "alice-analysis-00000007" },
		{ "alice", IMAGE, 0xdeadbeef, "alice-analysis-deadbeef" },
		{ "alice", IMAGE, 0xffffffff, "alice-analysis-ffffffff" },
		{ "Alice.Smith", "127.0.0.1:5000/lab/my_tool.v2:1", 0x1a2b, "alice-smith-my-tool-v2-00001a2b" },
		{ "_svc", IMAGE, 1, "svc-analysis-00000001" },
		{ "a@b", "127.0.0.1:5000/x", 0xffff, "a-b-x-0000ffff" },
		/* cut to 48, all 8 random digits kept, no '-' left before them */
		{ "averyveryveryverylongaccountname", "127.0.0.1:5000/lab/some-long-tool-name", 0xabcd,
		  "averyveryveryverylongaccountname-some-l-0000abcd" },
		{ "u234567890123456789012345678901234567", "127.0.0.1:5000/lab/tool", 0xabcd,
		  "u234567890123456789012345678901234567-t-0000abcd" },
		{ "u2345678901234567890123456789012345678", "127.0.0.1:5000/lab/tool", 0xabcd,
		  "u2345678901234567890123456789012345678-0000abcd" },
		{ "u23456789012345678901234567890123456789012", "127.0.0.1:5000/lab/tool", 0xabcd,
		  "u23456789012345678901234567890123456789-0000abcd" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct identity id = { cases[i].user, 1000, 1000, g, 1 };
		struct job_request r = { .image = cases[i].image };
		struct job_plan plan;
		struct job_errors e;
		assert_int_equal(job_plan_make(p, &r, &id, cases[i].rnd, &plan, &e), 0);
		assert_string_equal(plan.name, cases[i].want);
		assert_true(plan.name_derived);
		assert_true(strlen(plan.name) <= 48);
		job_plan_clear(&plan);
	}
}

/* A derived name taken by someone: another suffix, the network with it; a typed name stays. */
static void test_rename(void **state)
{
	const struct policy *p = *state;
	struct job_request r = { .image = IMAGE };
	struct job_plan plan;
	expect_ok(p, &r, &alice, &plan);
	assert_int_equal(job_plan_rename(&plan, 0x89abcdef), 0);
	assert_string_equal(plan.name, "alice-analysis-89abcdef");
	assert_string_equal(plan.network, "alice-analysis-89abcdef-net");
	assert_true(plan.name_derived);
	job_plan_clear(&plan);

	r.name = "cohort-b";
	expect_ok(p, &r, &alice, &plan);
	assert_false(plan.name_derived);
	assert_int_equal(job_plan_rename(&plan, 0x89abcdef), -1);
	assert_string_equal(plan.name, "cohort-b");
	assert_string_equal(plan.network, "cohort-b-net");
	job_plan_clear(&plan);
}

static void test_command(void **state)
{
	const struct policy *p = *state;
	struct job_plan plan;
	static char big[4098];
	memset(big, 'a', 4096);
	big[4096] = '\0';

	const char *argv[256];
	for (size_t i = 0; i < 256; i++)
		argv[i] = "";
	argv[0] = "python3";
	argv[1] = big;
	struct job_request r = { .image = IMAGE, .command = argv, .n_command = 256 };
	expect_ok(p, &r, &alice, &plan);
	assert_int_equal(plan.n_command, 256);
	assert_string_equal(plan.command[0], "python3");
	assert_int_equal(strlen(plan.command[1]), 4096);
	assert_string_equal(plan.command[255], "");      /* empty arguments are arguments */
	job_plan_clear(&plan);

	big[4096] = 'a';
	big[4097] = '\0';
	expect_error(p, &r, &alice, JF_COMMAND, "argument 2 is longer than 4096 bytes");
	argv[1] = NULL;
	expect_error(p, &r, &alice, JF_COMMAND, "argument 2 is missing");
	argv[1] = "\xff";
	expect_error(p, &r, &alice, JF_COMMAND, "argument 2 is not valid UTF-8");
	argv[1] = "caf\xc3\xa9";
	expect_ok(p, &r, &alice, &plan);
	job_plan_clear(&plan);
	r.command = NULL;
	r.n_command = 1;
	expect_error(p, &r, &alice, JF_COMMAND, "argument 1 is missing");
}

static void test_purpose(void **state)
{
	const struct policy *p = *state;
	char buf[1100];
	struct job_plan plan;
	struct job_request r = { .image = IMAGE, .purpose = buf };

	memset(buf, 'a', 500);
	buf[500] = '\0';
	expect_ok(p, &r, &alice, &plan);
	job_plan_clear(&plan);
	buf[500] = 'a';
	buf[501] = '\0';
	expect_error(p, &r, &alice, JF_PURPOSE, "at most 500 characters (this has 501)");

	/* characters, not bytes */
	for (int i = 0; i < 500; i++)
		memcpy(buf + 2 * i, "\xc3\xa9", 2);
	buf[1000] = '\0';
	expect_ok(p, &r, &alice, &plan);
	job_plan_clear(&plan);

	static const char *const bad[] = { "a\tb", "a\rb", "\x1b[31mred", "a\x7f", "a\302\205b" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r.purpose = bad[i];
		expect_error(p, &r, &alice, JF_PURPOSE, "one line of text, without tabs or control");
	}
	static const char *const not_utf8[] = { "\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf" };
	for (size_t i = 0; i < sizeof not_utf8 / sizeof not_utf8[0]; i++) {
		r.purpose = not_utf8[i];
		expect_error(p, &r, &alice, JF_PURPOSE, "not valid UTF-8");
	}
	r.purpose = "Survival analysis of cohort B (protocol 2023-07, \xe2\x80\x9cphase 2\xe2\x80\x9d)";
	expect_ok(p, &r, &alice, &plan);
	job_plan_clear(&plan);
}

static void test_identity(void **state)
{
	const struct policy *p = *state;
	static const char *const g[] = { "root" };
	struct identity root = { "root", 0, 0, g, 1 };
	struct job_request r = { .image = IMAGE };
	struct job_plan plan;
	expect_ok(p, &r, &root, &plan);
	assert_string_equal(plan.user_spec, "65534:65534");
	assert_string_equal(plan.owner, "root");
	assert_string_equal(plan.results_source, "/srv/results/root");
	job_plan_clear(&plan);

	expect_ok(p, &r, &bob, &plan);
	assert_string_equal(plan.user_spec, "1001:100");
	assert_string_equal(plan.owner, "bob");
	job_plan_clear(&plan);
}

static void test_field_names(void **state)
{
	(void)state;
	static const char *const want[JF_COUNT] = {
		"image", "class", "datasets", "cpus", "memory", "lifetime", "name", "command", "purpose",
	};
	for (int f = 0; f < JF_COUNT; f++)
		assert_string_equal(job_field_name((enum job_field)f), want[f]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_class_defaults_and_choice),
		T(test_every_field_at_once),
		T(test_image),
		T(test_datasets),
		T(test_cpus),
		T(test_memory),
		T(test_lifetime),
		T(test_names),
		T(test_derived_names),
		T(test_rename),
		T(test_command),
		T(test_purpose),
		T(test_identity),
		T(test_field_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
