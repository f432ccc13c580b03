/* job_plan_make, job_service_spec and job_network_spec against a policy built by hand, so these
 * tests do not depend on the policy parser. */
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

#define GiB (1LL << 30)
#define MiB (1LL << 20)
#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define IMAGE "127.0.0.1:5000/lab/analysis:1.3"
#define NOW 1700000000   /* 2023-11-14T22:13:20Z */
#define NETID "q3v0kx1l2m8r5t7y9w4z6a1b3"

/* ---- a policy by hand ---- */

static char **strv(size_t n, const char *const *v)
{
	char **out = calloc(n ? n : 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = strdup(v[i]);
	return out;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void set_class(struct policy_class *c, const char *name, double cpus, double max_cpus,
                      int64_t mem, int64_t max_mem, unsigned gpus, size_t n_cons,
                      const char *const *cons)
{
	c->name = strdup(name);
	c->description = strdup("a class");
	c->cpus = cpus;
	c->max_cpus = max_cpus;
	c->memory = mem;
	c->max_memory = max_mem;
	c->gpus = gpus;
	c->constraints = strv(n_cons, cons);
	c->n_constraints = n_cons;
}

static void set_dataset(struct policy_dataset *d, const char *name, const char *source,
                        const char *target, size_t n_groups, const char *const *groups)
{
	d->name = strdup(name);
	d->description = strdup("a dataset");
	d->source = strdup(source);
	d->target = strdup(target);
	d->groups = strv(n_groups, groups);
	d->n_groups = n_groups;
}

static struct policy *policy_new(void)
{
	static const char *const cons_default[] = { "node.labels.glovebox.class==default" };
	static const char *const cons_gpu[] = { "node.labels.glovebox.class==gpu",
	                                        "node.platform.arch==x86_64" };
	static const char *const onc[] = { "oncology" };
	static const char *const gen[] = { "genomics", "oncology" };
	static const char *const regs[] = { "127.0.0.1:5000" };
	struct policy *p = calloc(1, sizeof *p);

	p->origin = strdup("test");
	p->n_classes = 3;
	p->classes = calloc(3, sizeof *p->classes);
	set_class(&p->classes[0], "default", 1, 2, 2 * GiB, 8 * GiB, 0, 1, cons_default);
	set_class(&p->classes[1], "highram", 2, 4, 16 * GiB, 64 * GiB, 0, 0, NULL);
	set_class(&p->classes[2], "gpu", 4, 8, 16 * GiB, 32 * GiB, 1, 2, cons_gpu);
	p->n_datasets = 3;
	p->datasets = calloc(3, sizeof *p->datasets);
	set_dataset(&p->datasets[0], "public", "/srv/data/public", "/data/public", 0, NULL);
	set_dataset(&p->datasets[1], "oncology", "/srv/data/onc", "/data/oncology", 1, onc);
	set_dataset(&p->datasets[2], "genomics", "/srv/data/gen", "/data/genomics", 2, gen);
	p->results_source = strdup("/srv/results/{user}");
	p->results_target = strdup("/results");
	p->registries = strv(1, regs);
	p->n_registries = 1;
	p->max_lifetime = 7 * 86400;
	p->admin_group = strdup("glovebox-admins");
	p->log_max_size = 10 * MiB;
	p->log_max_files = 3;
	p->nofile = (struct policy_ulimit){ 1024, 4096 };
	p->nproc = (struct policy_ulimit){ 2048, 2048 };
	return p;
}

static void policy_free_by_hand(struct policy *p)
{
	for (size_t i = 0; i < p->n_classes; i++) {
		free(p->classes[i].name);
		free(p->classes[i].description);
		strv_free(p->classes[i].constraints, p->classes[i].n_constraints);
	}
	free(p->classes);
	for (size_t i = 0; i < p->n_datasets; i++) {
		free(p->datasets[i].name);
		free(p->datasets[i].description);
		free(p->datasets[i].source);
		free(p->datasets[i].target);
		strv_free(p->datasets[i].groups, p->datasets[i].n_groups);
	}
	free(p->datasets);
	strv_free(p->registries, p->n_registries);
	free(p->origin);
	free(p->results_source);
	free(p->results_target);
	free(p->admin_group);
	free(p);
}

static int setup(void **state)
{
	*state = policy_new();
	return 0;
}

static int teardown(void **state)
{
	policy_free_by_hand(*state);
	return 0;
}

static const char *const alice_groups[] = { "alice", "oncology" };
static const struct identity alice = { "alice", 1000, 1000, alice_groups, 2 };
static const char *const bob_groups[] = { "bob", "staff" };
static const struct identity bob = { "bob", 1001, 100, bob_groups, 2 };

static const char *or_null(const char *s) { return s ? s : "(null)"; }

static void assert_no_errors(const struct job_errors *e)
{
	for (int f = 0; f < JF_COUNT; f++)
		if (e->msg[f])
			fail_msg("unexpected error for %s: %s", job_field_name((enum job_field)f), e->msg[f]);
}

/* Only field f is wrong, with a message containing want. */
static void expect_error(const struct policy *p, const struct job_request *r,
                         const struct identity *id, enum job_field f, const char *want)
{
	struct job_plan plan;
	struct job_errors e;
	assert_int_equal(job_plan_make(p, r, id, 0xbeef, &plan, &e), -1);
	for (int g = 0; g < JF_COUNT; g++) {
		if (g == (int)f && (!e.msg[g] || !strstr(e.msg[g], want)))
			fail_msg("%s: want \"%s\", got \"%s\"", job_field_name(f), want, or_null(e.msg[g]));
		if (g != (int)f && e.msg[g])
			fail_msg("unexpected error for %s: %s", job_field_name((enum job_field)g), e.msg[g]);
	}
	assert_null(plan.name);
	assert_null(plan.image.path);
	assert_null(plan.datasets);
	job_errors_clear(&e);
	assert_null(e.msg[f]);
}

static void expect_ok(const struct policy *p, const struct job_request *r,
                      const struct identity *id, struct job_plan *plan)
{
	struct job_errors e;
	int rc = job_plan_make(p, r, id, 0xbeef, plan, &e);
	assert_no_errors(&e);
	assert_int_equal(rc, 0);
}

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

/* ---- job_service_spec ---- */

/* Follows "A/B/0/C" through objects and arrays; NULL when any step is missing. */
static json_t *at(json_t *root, const char *path)
{
	char *copy = strdup(path), *save = NULL;
	json_t *j = root;
	for (char *k = strtok_r(copy, "/", &save); j && k; k = strtok_r(NULL, "/", &save)) {
		if (json_is_array(j))
			j = json_array_get(j, strtoul(k, NULL, 10));
		else
			j = json_object_get(j, k);
	}
	free(copy);
	return j;
}

static const char *str_at(json_t *root, const char *path)
{
	json_t *j = at(root, path);
	if (!json_is_string(j))
		fail_msg("%s is not a string", path);
	return json_string_value(j);
}

static json_int_t int_at(json_t *root, const char *path)
{
	json_t *j = at(root, path);
	if (!json_is_integer(j))
		fail_msg("%s is not an integer", path);
	return json_integer_value(j);
}

static bool bool_at(json_t *root, const char *path)
{
	json_t *j = at(root, path);
	if (!json_is_boolean(j))
		fail_msg("%s is not a boolean", path);
	return json_is_true(j);
}

static json_t *spec_for(const struct job_plan *plan, int api_minor)
{
	struct job_meta meta = {
		.image_pinned = "127.0.0.1:5000/lab/analysis:1.3@" DIGEST,
		.terms_sha256 = "ab12", .consent = "glovebox-consent-alice-1700000000-ab12cd34",
		.network_id = NETID, .now = NOW, .api_minor = api_minor,
	};
	char *s = job_service_spec(plan, &meta);
	assert_non_null(s);
	json_error_t jerr;
	json_t *root = json_loads(s, 0, &jerr);
	if (!root)
		fail_msg("not JSON: %s: %s", jerr.text, s);
	free(s);
	return root;
}

static void plan_for(const struct policy *p, const char *cls, struct job_plan *plan)
{
	static const char *const ds[] = { "genomics", "public" };
	static const char *const cmd[] = { "run.py", "--cohort", "b" };
	struct job_request r = {
		.image = IMAGE, .class_name = cls, .datasets = ds, .n_datasets = 2, .cpus = "1.5",
		.memory = "3GiB", .lifetime = "12h", .name = "cohort-b", .command = cmd, .n_command = 3,
	};
	expect_ok(p, &r, &alice, plan);
}

static void check_common(json_t *s, int api_minor)
{
	assert_string_equal(str_at(s, "Name"), "cohort-b");
	assert_int_equal(json_object_size(at(s, "Labels")), 7);
	assert_string_equal(str_at(s, "Labels/glovebox.owner"), "alice");
	assert_string_equal(str_at(s, "Labels/glovebox.class"), "default");
	assert_string_equal(str_at(s, "Labels/glovebox.datasets"), "public,genomics");
	assert_string_equal(str_at(s, "Labels/glovebox.expires-at"), "2023-11-15T10:13:20Z");
	assert_string_equal(str_at(s, "Labels/glovebox.terms-sha256"), "ab12");
	assert_string_equal(str_at(s, "Labels/glovebox.consent"),
	                    "glovebox-consent-alice-1700000000-ab12cd34");
	assert_string_equal(str_at(s, "Labels/glovebox.network"), "cohort-b-net");
	assert_int_equal(json_object_size(at(s, "Mode")), 1);
	assert_int_equal(int_at(s, "Mode/Replicated/Replicas"), 1);
	assert_null(at(s, "Networks"));          /* deprecated, ignored from 1.44 */
	assert_null(at(s, "EndpointSpec"));      /* no published ports */

	json_t *cs = at(s, "TaskTemplate/ContainerSpec");
	assert_string_equal(str_at(cs, "Image"), "127.0.0.1:5000/lab/analysis:1.3@" DIGEST);
	assert_null(at(cs, "Command"));          /* the image's ENTRYPOINT stays */
	assert_int_equal(json_array_size(at(cs, "Args")), 3);
	assert_string_equal(str_at(cs, "Args/0"), "run.py");
	assert_string_equal(str_at(cs, "Args/1"), "--cohort");
	assert_string_equal(str_at(cs, "Args/2"), "b");
	assert_null(at(cs, "Labels"));
	assert_null(at(cs, "Env"));
	assert_string_equal(str_at(cs, "User"), "1000:1000");
	assert_true(bool_at(cs, "ReadOnly"));
	assert_true(bool_at(cs, "Init"));

	json_t *m = at(cs, "Mounts");
	assert_int_equal(json_array_size(m), 4);
	static const struct { const char *src, *dst; } ro[] = {
		{ "/srv/data/public", "/data/public" }, { "/srv/data/gen", "/data/genomics" },
	};
	for (size_t i = 0; i < 2; i++) {
		json_t *b = json_array_get(m, i);
		assert_int_equal(json_object_size(b), 4);
		assert_string_equal(str_at(b, "Type"), "bind");
		assert_string_equal(str_at(b, "Source"), ro[i].src);
		assert_string_equal(str_at(b, "Target"), ro[i].dst);
		assert_true(bool_at(b, "ReadOnly"));
	}
	json_t *res = json_array_get(m, 2);
	assert_string_equal(str_at(res, "Type"), "bind");
	assert_string_equal(str_at(res, "Source"), "/srv/results/alice");
	assert_string_equal(str_at(res, "Target"), "/results");
	assert_false(bool_at(res, "ReadOnly"));
	json_t *tmp = json_array_get(m, 3);
	assert_string_equal(str_at(tmp, "Type"), "tmpfs");
	assert_string_equal(str_at(tmp, "Target"), "/tmp");
	assert_null(at(tmp, "Source"));
	assert_int_equal(int_at(tmp, "TmpfsOptions/SizeBytes"), 268435456);
	assert_int_equal(int_at(tmp, "TmpfsOptions/Mode"), 1023);
	if (api_minor >= 46) {
		/* [["noexec"],["nosuid"],["nodev"]]: flags are one-element arrays */
		json_t *o = at(tmp, "TmpfsOptions/Options");
		assert_int_equal(json_array_size(o), 3);
		assert_int_equal(json_array_size(json_array_get(o, 0)), 1);
		assert_string_equal(str_at(o, "0/0"), "noexec");
		assert_string_equal(str_at(o, "1/0"), "nosuid");
		assert_string_equal(str_at(o, "2/0"), "nodev");
		assert_int_equal(json_object_size(at(tmp, "TmpfsOptions")), 3);
	} else {
		/* older engines drop it silently: never sent, so the posture cannot believe in it */
		assert_null(at(tmp, "TmpfsOptions/Options"));
		assert_int_equal(json_object_size(at(tmp, "TmpfsOptions")), 2);
	}
	/* only the results bind is writable */
	size_t writable = 0;
	for (size_t i = 0; i < json_array_size(m); i++) {
		json_t *b = json_array_get(m, i);
		if (strcmp(str_at(b, "Type"), "bind") == 0 && !bool_at(b, "ReadOnly"))
			writable++;
	}
	assert_int_equal(writable, 1);

	if (api_minor >= 41) {
		assert_int_equal(json_array_size(at(cs, "CapabilityDrop")), 1);
		assert_string_equal(str_at(cs, "CapabilityDrop/0"), "ALL");
		json_t *ul = at(cs, "Ulimits");
		assert_int_equal(json_array_size(ul), 2);
		assert_string_equal(str_at(ul, "0/Name"), "nofile");
		assert_int_equal(int_at(ul, "0/Soft"), 1024);
		assert_int_equal(int_at(ul, "0/Hard"), 4096);
		assert_int_equal(json_object_size(json_array_get(ul, 0)), 3);
		assert_string_equal(str_at(ul, "1/Name"), "nproc");
		assert_int_equal(int_at(ul, "1/Soft"), 2048);
		assert_int_equal(int_at(ul, "1/Hard"), 2048);
	} else {
		assert_null(at(cs, "CapabilityDrop"));
		assert_null(at(cs, "Ulimits"));
	}
	if (api_minor >= 44) {
		assert_true(bool_at(cs, "Privileges/NoNewPrivileges"));
		assert_int_equal(json_object_size(at(cs, "Privileges")), 1);
	} else {
		assert_null(at(cs, "Privileges"));
	}
	assert_null(at(cs, "CapabilityAdd"));

	json_t *r = at(s, "TaskTemplate/Resources");
	assert_int_equal(int_at(r, "Limits/NanoCPUs"), 1500000000);
	assert_int_equal(int_at(r, "Limits/MemoryBytes"), 3 * GiB);
	if (api_minor >= 41)
		assert_int_equal(int_at(r, "Limits/Pids"), 512);
	else
		assert_null(at(r, "Limits/Pids"));
	assert_int_equal(int_at(r, "Reservations/NanoCPUs"), int_at(r, "Limits/NanoCPUs"));
	assert_int_equal(int_at(r, "Reservations/MemoryBytes"), int_at(r, "Limits/MemoryBytes"));

	/* json-file with rotation from the policy, whatever the daemon's default driver */
	json_t *ld = at(s, "TaskTemplate/LogDriver");
	assert_int_equal(json_object_size(ld), 2);
	assert_string_equal(str_at(ld, "Name"), "json-file");
	assert_int_equal(json_object_size(at(ld, "Options")), 2);
	assert_string_equal(str_at(ld, "Options/max-size"), "10m");
	assert_string_equal(str_at(ld, "Options/max-file"), "3");

	json_t *rp = at(s, "TaskTemplate/RestartPolicy");
	assert_string_equal(str_at(rp, "Condition"), "on-failure");
	assert_int_equal(int_at(rp, "MaxAttempts"), 5);
	assert_int_equal(int_at(rp, "Delay"), 10000000000LL);

	assert_int_equal(json_array_size(at(s, "TaskTemplate/Networks")), 1);
	/* by ID: by name the engine would attach any network called cohort-b-net */
	assert_string_equal(str_at(s, "TaskTemplate/Networks/0/Target"), NETID);
	assert_int_equal(json_object_size(at(s, "TaskTemplate/Networks/0")), 1);
}

static void test_service_spec_versions(void **state)
{
	const struct policy *p = *state;
	struct job_plan plan;
	plan_for(p, NULL, &plan);
	static const int versions[] = { 40, 41, 43, 44, 45, 46, 56 };
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
		json_t *s = spec_for(&plan, versions[i]);
		check_common(s, versions[i]);
		/* no GPUs in class default */
		assert_null(at(s, "TaskTemplate/Resources/Reservations/GenericResources"));
		assert_int_equal(json_array_size(at(s, "TaskTemplate/Placement/Constraints")), 1);
		assert_string_equal(str_at(s, "TaskTemplate/Placement/Constraints/0"),
		                    "node.labels.glovebox.class==default");
		json_decref(s);
	}
	job_plan_clear(&plan);
}

static void test_service_spec_gpu(void **state)
{
	struct policy *p = *state;
	struct job_plan plan;
	p->classes[2].gpus = 2;
	plan_for(p, "gpu", &plan);
	json_t *s = spec_for(&plan, 44);
	assert_string_equal(str_at(s, "Labels/glovebox.class"), "gpu");
	json_t *gr = at(s, "TaskTemplate/Resources/Reservations/GenericResources");
	assert_int_equal(json_array_size(gr), 1);
	assert_string_equal(str_at(gr, "0/DiscreteResourceSpec/Kind"), "GPU");
	assert_int_equal(int_at(gr, "0/DiscreteResourceSpec/Value"), 2);
	assert_null(at(s, "TaskTemplate/Resources/Limits/GenericResources"));
	json_t *c = at(s, "TaskTemplate/Placement/Constraints");
	assert_int_equal(json_array_size(c), 2);
	assert_string_equal(str_at(c, "0"), "node.labels.glovebox.class==gpu");
	assert_string_equal(str_at(c, "1"), "node.platform.arch==x86_64");
	json_decref(s);
	job_plan_clear(&plan);

	/* a class without constraints still sends an (empty) list */
	plan_for(p, "highram", &plan);
	s = spec_for(&plan, 44);
	assert_int_equal(json_array_size(at(s, "TaskTemplate/Placement/Constraints")), 0);
	assert_null(at(s, "TaskTemplate/Resources/Reservations/GenericResources"));
	json_decref(s);
	job_plan_clear(&plan);
}

static void test_service_spec_minimal(void **state)
{
	const struct policy *p = *state;
	struct job_request r = { .image = IMAGE };
	struct job_plan plan;
	expect_ok(p, &r, &alice, &plan);
	/* no terms to accept, no pinned digest yet */
	struct job_meta meta = { .network_id = NETID, .now = NOW, .api_minor = 44 };
	char *text = job_service_spec(&plan, &meta);
	json_t *s = json_loads(text, 0, NULL);
	assert_non_null(s);
	free(text);
	assert_string_equal(str_at(s, "Labels/glovebox.datasets"), "");
	assert_null(at(s, "Labels/glovebox.terms-sha256"));
	assert_null(at(s, "Labels/glovebox.consent"));
	assert_string_equal(str_at(s, "Labels/glovebox.expires-at"), "2023-11-21T22:13:20Z");
	assert_string_equal(str_at(s, "TaskTemplate/ContainerSpec/Image"), IMAGE);
	assert_null(at(s, "TaskTemplate/ContainerSpec/Args"));
	assert_null(at(s, "TaskTemplate/ContainerSpec/Command"));
	/* results bind and tmpfs only */
	json_t *m = at(s, "TaskTemplate/ContainerSpec/Mounts");
	assert_int_equal(json_array_size(m), 2);
	assert_false(bool_at(m, "0/ReadOnly"));
	assert_string_equal(str_at(m, "1/Type"), "tmpfs");
	assert_int_equal(int_at(s, "TaskTemplate/Resources/Limits/NanoCPUs"), 1000000000);
	assert_int_equal(int_at(s, "TaskTemplate/Resources/Limits/MemoryBytes"), 2 * GiB);
	json_decref(s);
	job_plan_clear(&plan);
}

static void test_service_spec_root_and_rounding(void **state)
{
	const struct policy *p = *state;
	static const char *const g[] = { "root" };
	struct identity root = { "root", 0, 0, g, 1 };
	struct job_request r = { .image = IMAGE, .cpus = "0.333333333" };
	struct job_plan plan;
	expect_ok(p, &r, &root, &plan);
	json_t *s = spec_for(&plan, 41);
	assert_string_equal(str_at(s, "TaskTemplate/ContainerSpec/User"), "65534:65534");
	assert_int_equal(int_at(s, "TaskTemplate/Resources/Limits/NanoCPUs"), 333333333);
	assert_int_equal(int_at(s, "TaskTemplate/Resources/Reservations/NanoCPUs"), 333333333);
	json_decref(s);
	job_plan_clear(&plan);
}

/* A plan that names a dataset its policy lacks must not become a spec without that bind. */
static void test_service_spec_refuses_broken_plan(void **state)
{
	const struct policy *p = *state;
	struct job_plan plan;
	plan_for(p, NULL, &plan);
	free(plan.datasets[0]);
	plan.datasets[0] = strdup("gone");
	struct job_meta meta = { .network_id = NETID, .now = NOW, .api_minor = 44 };
	assert_null(job_service_spec(&plan, &meta));
	free(plan.datasets[0]);
	plan.datasets[0] = strdup("public");
	free(plan.owner);
	plan.owner = strdup("\xff");
	assert_null(job_service_spec(&plan, &meta));
	free(plan.owner);
	plan.owner = strdup("alice");
	char *good = job_service_spec(&plan, &meta);
	assert_non_null(good);
	free(good);
	/* never by name: no network ID, no spec */
	meta.network_id = NULL;
	assert_null(job_service_spec(&plan, &meta));
	job_plan_clear(&plan);
}

/* The policy's log rotation and ulimits as the spec sends them; values no parser would accept
 * make no spec at all rather than a limit of 0. */
static void test_service_spec_policy_fields(void **state)
{
	struct policy *p = *state;
	struct job_plan plan;
	static const struct { int64_t bytes; const char *want; } sizes[] = {
		{ 1 * GiB, "1g" }, { 3 * GiB, "3g" }, { 1536 * MiB, "1536m" }, { 10 * MiB, "10m" },
		{ 1 * MiB + 512 * 1024, "1536k" }, { 1 * MiB + 1, "1048577" },
	};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		p->log_max_size = sizes[i].bytes;
		p->log_max_files = 7;
		plan_for(p, NULL, &plan);
		json_t *s = spec_for(&plan, 41);
		assert_string_equal(str_at(s, "TaskTemplate/LogDriver/Options/max-size"), sizes[i].want);
		assert_string_equal(str_at(s, "TaskTemplate/LogDriver/Options/max-file"), "7");
		json_decref(s);
		job_plan_clear(&plan);
	}
	p->nofile = (struct policy_ulimit){ 64, 1048576 };
	p->nproc = (struct policy_ulimit){ 16, 16 };
	plan_for(p, NULL, &plan);
	json_t *s = spec_for(&plan, 44);
	assert_int_equal(int_at(s, "TaskTemplate/ContainerSpec/Ulimits/0/Soft"), 64);
	assert_int_equal(int_at(s, "TaskTemplate/ContainerSpec/Ulimits/0/Hard"), 1048576);
	assert_int_equal(int_at(s, "TaskTemplate/ContainerSpec/Ulimits/1/Soft"), 16);
	assert_int_equal(int_at(s, "TaskTemplate/ContainerSpec/Ulimits/1/Hard"), 16);
	json_decref(s);

	struct job_meta meta = { .network_id = NETID, .now = NOW, .api_minor = 44 };
	p->nproc = (struct policy_ulimit){ 0, 0 };
	assert_null(job_service_spec(&plan, &meta));
	p->nproc = (struct policy_ulimit){ 20, 10 };
	assert_null(job_service_spec(&plan, &meta));
	p->nproc = (struct policy_ulimit){ 16, 16 };
	p->log_max_files = 0;
	assert_null(job_service_spec(&plan, &meta));
	p->log_max_files = 3;
	p->log_max_size = 0;
	assert_null(job_service_spec(&plan, &meta));
	/* API 1.40 sends no ulimits: bad ones there do not matter, bad log rotation does */
	p->log_max_size = 10 * MiB;
	p->nproc = (struct policy_ulimit){ 0, 0 };
	meta.api_minor = 40;
	char *text = job_service_spec(&plan, &meta);
	assert_non_null(text);
	free(text);
	job_plan_clear(&plan);
}

static void test_network_spec(void **state)
{
	const struct policy *p = *state;
	struct job_plan plan;
	plan_for(p, NULL, &plan);
	char *text = job_network_spec(&plan);
	json_t *n = json_loads(text, 0, NULL);
	assert_non_null(n);
	free(text);
	assert_int_equal(json_object_size(n), 6);
	assert_string_equal(str_at(n, "Name"), "cohort-b-net");
	assert_string_equal(str_at(n, "Driver"), "overlay");
	assert_true(bool_at(n, "Internal"));
	assert_false(bool_at(n, "Attachable"));
	assert_true(bool_at(n, "CheckDuplicate"));
	assert_int_equal(json_object_size(at(n, "Labels")), 2);
	assert_string_equal(str_at(n, "Labels/glovebox.job"), "cohort-b");
	assert_string_equal(str_at(n, "Labels/glovebox.owner"), "alice");
	assert_null(at(n, "Options"));        /* not encrypted unless the policy says so */
	json_decref(n);
	job_plan_clear(&plan);

	struct policy *w = *state;
	w->encrypted_network = true;
	plan_for(p, NULL, &plan);
	text = job_network_spec(&plan);
	n = json_loads(text, 0, NULL);
	assert_non_null(n);
	free(text);
	assert_int_equal(json_object_size(n), 7);
	assert_int_equal(json_object_size(at(n, "Options")), 1);
	assert_string_equal(str_at(n, "Options/encrypted"), "");
	assert_true(bool_at(n, "Internal"));
	json_decref(n);
	job_plan_clear(&plan);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* no-new-privileges: per job from 1.44; before, only when the engine says the daemon has it. */
static void test_hardening_warning(void **state)
{
	(void)state;
	struct engine_info on = {.no_new_privileges = true}, off = {0};
	assert_null(job_hardening_warning(44, NULL));
	assert_null(job_hardening_warning(52, &off));
	assert_null(job_hardening_warning(41, &on));
	char *w = job_hardening_warning(41, &off);
	assert_non_null(strstr(w, "API 1.41 cannot set it per job"));
	assert_non_null(strstr(w, "dockerd with --no-new-privileges"));
	free(w);
	w = job_hardening_warning(43, NULL);
	assert_non_null(w);
	free(w);
}

/* ---- the posture ---- */

static const struct posture_item *posture_find(const struct job_posture *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->item[i].name, name) == 0)
			return &ps->item[i];
	fail_msg("no posture item \"%s\"", name);
	return NULL;
}

static void expect_state(const struct job_posture *ps, const char *name, enum posture_state st,
                         const char *detail)
{
	const struct posture_item *it = posture_find(ps, name);
	if (it->state != st)
		fail_msg("%s: %s, want %s", name, job_posture_state_name(it->state),
		         job_posture_state_name(st));
	if (detail && !strstr(it->detail, detail))
		fail_msg("%s: \"%s\" does not say \"%s\"", name, it->detail, detail);
}

static void test_posture(void **state)
{
	struct policy *p = *state;
	struct job_plan plan;
	struct job_posture ps;
	plan_for(p, NULL, &plan);

	/* Engine 20.10: what 1.41 keeps is enforced; no-new-privileges and the tmpfs flags are
	 * not confirmed; encryption is off by default. */
	job_posture_make(p, &plan, 41, NULL, &ps);
	assert_int_equal(ps.n, 12);
	static const char *const order[] = {
		"read-only root filesystem", "read-only datasets", "non-root user", "memory and CPU limits",
		"dropped capabilities", "no-new-privileges", "process limit", "ulimits",
		"tmpfs /tmp noexec,nosuid,nodev", "internal network", "network encryption", "log rotation",
	};
	for (size_t i = 0; i < 12; i++)
		assert_string_equal(ps.item[i].name, order[i]);
	expect_state(&ps, "read-only root filesystem", POSTURE_ENFORCED, NULL);
	expect_state(&ps, "non-root user", POSTURE_ENFORCED, "runs as 1000:1000");
	expect_state(&ps, "memory and CPU limits", POSTURE_ENFORCED, "3GiB and 1.5 CPUs");
	expect_state(&ps, "dropped capabilities", POSTURE_ENFORCED, "ALL");
	expect_state(&ps, "no-new-privileges", POSTURE_UNCONFIRMED, "API 1.41 cannot set it per job");
	expect_state(&ps, "process limit", POSTURE_ENFORCED, "512");
	expect_state(&ps, "ulimits", POSTURE_ENFORCED, "nofile 1024/4096, nproc 2048/2048 (soft/hard)");
	expect_state(&ps, "tmpfs /tmp noexec,nosuid,nodev", POSTURE_UNCONFIRMED,
	             "API 1.41 cannot pass a tmpfs its options (1.46 can)");
	expect_state(&ps, "internal network", POSTURE_ENFORCED, NULL);
	expect_state(&ps, "network encryption", POSTURE_OFF, "the policy does not ask for it");
	expect_state(&ps, "log rotation", POSTURE_ENFORCED, "json-file, rotated at 10MiB, 3 files kept");
	size_t not_enforced = 0;
	for (size_t i = 0; i < ps.n; i++)
		not_enforced += ps.item[i].state != POSTURE_ENFORCED;
	assert_int_equal(not_enforced, 3);

	/* The sentences for people; no-new-privileges reads as the warning always did. */
	char *line = job_posture_line(posture_find(&ps, "no-new-privileges"));
	char *warning = job_hardening_warning(41, NULL);
	assert_string_equal(line, warning);
	free(line);
	free(warning);
	line = job_posture_line(posture_find(&ps, "network encryption"));
	assert_string_equal(line, "network encryption is off: the policy does not ask for it (encrypted_network)");
	free(line);
	line = job_posture_line(posture_find(&ps, "ulimits"));
	assert_string_equal(line, "ulimits are enforced: nofile 1024/4096, nproc 2048/2048 (soft/hard)");
	free(line);
	line = job_posture_line(posture_find(&ps, "dropped capabilities"));
	assert_string_equal(line, "dropped capabilities are enforced: all (CapabilityDrop ALL)");
	free(line);
	line = job_posture_line(posture_find(&ps, "tmpfs /tmp noexec,nosuid,nodev"));
	assert_non_null(strstr(line, "tmpfs /tmp noexec,nosuid,nodev is not made sure: API 1.41"));
	free(line);
	job_posture_clear(&ps);
	assert_int_equal(ps.n, 0);

	/* The daemon-wide no-new-privileges counts, as job_hardening_warning has it. */
	struct engine_info on = { .no_new_privileges = true };
	job_posture_make(p, &plan, 41, &on, &ps);
	expect_state(&ps, "no-new-privileges", POSTURE_ENFORCED, "daemon-wide");
	job_posture_clear(&ps);

	/* 1.40 drops what 1.41 brought: off, not unconfirmed */
	job_posture_make(p, &plan, 40, NULL, &ps);
	expect_state(&ps, "dropped capabilities", POSTURE_OFF, "API 1.40 cannot set it (1.41 can)");
	expect_state(&ps, "process limit", POSTURE_OFF, NULL);
	expect_state(&ps, "ulimits", POSTURE_OFF, NULL);
	job_posture_clear(&ps);

	/* 1.44 sets no-new-privileges per job, 1.46 the tmpfs flags; the policy asks for IPsec */
	p->encrypted_network = true;
	job_posture_make(p, &plan, 44, NULL, &ps);
	expect_state(&ps, "no-new-privileges", POSTURE_ENFORCED, "per job");
	expect_state(&ps, "tmpfs /tmp noexec,nosuid,nodev", POSTURE_UNCONFIRMED, "API 1.44");
	expect_state(&ps, "network encryption", POSTURE_ENFORCED, "IPsec");
	job_posture_clear(&ps);
	job_posture_make(p, &plan, 46, NULL, &ps);
	for (size_t i = 0; i < ps.n; i++)
		if (ps.item[i].state != POSTURE_ENFORCED)
			fail_msg("API 1.46, encryption on: %s is %s", ps.item[i].name,
			         job_posture_state_name(ps.item[i].state));
	job_posture_clear(&ps);

	/* No plan yet (a form with errors): the same states, general details. */
	job_posture_make(p, NULL, 41, NULL, &ps);
	assert_int_equal(ps.n, 12);
	expect_state(&ps, "non-root user", POSTURE_ENFORCED, "the submitter's uid:gid");
	expect_state(&ps, "memory and CPU limits", POSTURE_ENFORCED, "the class's or the request's");
	job_posture_clear(&ps);
	job_plan_clear(&plan);

	assert_string_equal(job_posture_state_name(POSTURE_ENFORCED), "enforced");
	assert_string_equal(job_posture_state_name(POSTURE_UNCONFIRMED), "unconfirmed");
	assert_string_equal(job_posture_state_name(POSTURE_OFF), "off");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_hardening_warning),
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
		T(test_service_spec_versions),
		T(test_service_spec_gpu),
		T(test_service_spec_minimal),
		T(test_service_spec_root_and_rounding),
		T(test_service_spec_refuses_broken_plan),
		T(test_service_spec_policy_fields),
		T(test_network_spec),
		T(test_posture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
