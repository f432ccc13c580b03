#include "tests/unit/jobspec_policy.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

char **strv(size_t n, const char *const *v)
{
	char **out = calloc(n ? n : 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = strdup(v[i]);
	return out;
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

struct policy *policy_new(void)
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

void policy_free_by_hand(struct policy *p)
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

int policy_setup(void **state)
{
	*state = policy_new();
	return 0;
}

int policy_teardown(void **state)
{
	policy_free_by_hand(*state);
	return 0;
}

static const char *const alice_groups[] = { "alice", "oncology" };
const struct identity alice = { "alice", 1000, 1000, alice_groups, 2 };
static const char *const bob_groups[] = { "bob", "staff" };
const struct identity bob = { "bob", 1001, 100, bob_groups, 2 };

const char *or_null(const char *s)
{
	return s ? s : "(null)";
}

void assert_no_errors(const struct job_errors *e)
{
	for (int f = 0; f < JF_COUNT; f++)
		if (e->msg[f])
			fail_msg("unexpected error for %s: %s", job_field_name((enum job_field)f), e->msg[f]);
}

void expect_error(const struct policy *p, const struct job_request *r,
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

void expect_ok(const struct policy *p, const struct job_request *r,
               const struct identity *id, struct job_plan *plan)
{
	struct job_errors e;
	int rc = job_plan_make(p, r, id, 0xbeef, plan, &e);
	assert_no_errors(&e);
	assert_int_equal(rc, 0);
}
