/* jobs.c: from captured engine replies to what a person sees per service. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/core/jobs.h"
#include "api/engine/decode.h"
#include "tests/unit/support.h"

/* Test data in string literals for structs whose fields are owned char *. */
#define S(lit) ((char *)(uintptr_t)(lit))

#define NODE "23vdylmhhmwdd9h50t85a96n6"
#define OOM_CID "8d5fefc31066bce4516a0af77650258b0e09f9764d43288a71bc5d7e90a99438"

struct world {
	struct service_list services;
	struct task_list tasks;
};

static int world_setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	size_t len;
	char *body = fixture_read("json/services.json", &len);
	assert_int_equal(decode_services(body, len, &w->services, NULL), 0);
	free(body);
	body = fixture_read("json/tasks.json", &len);
	assert_int_equal(decode_tasks(body, len, &w->tasks, NULL), 0);
	free(body);
	*state = w;
	return 0;
}

static int world_teardown(void **state)
{
	struct world *w = *state;
	service_list_clear(&w->services);
	task_list_clear(&w->tasks);
	free(w);
	return 0;
}

static const struct job *find(const struct job_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	fail_msg("no job %s", name);
	return NULL;
}

static void test_states_from_capture(void **state)
{
	struct world *w = *state;
	struct job_inputs in = {.services = &w->services, .tasks = &w->tasks, .local_node_id = NODE};
	struct job_list l = {0};
	jobs_derive(&in, &l);
	assert_int_equal(l.n, 7);

	const struct job *j = find(&l, "gbdec-run");
	assert_int_equal(j->state, JOB_RUNNING);
	assert_null(j->reason);
	assert_int_equal(j->running, 1);
	assert_int_equal(j->desired, 1);
	assert_true(j->managed);
	assert_string_equal(j->owner, "Zoë 日本\abell");
	assert_true(j->cpu_limit == 1.0);
	assert_int_equal(j->mem_limit, 64 << 20);
	assert_int_equal(j->sampled, 0);   /* no usage given */

	j = find(&l, "gbdec-pending");
	assert_int_equal(j->state, JOB_PENDING);
	assert_string_equal(j->reason, "no suitable node (scheduling constraints not satisfied on 1 node)");
	assert_int_equal(j->running, 0);

	j = find(&l, "gbdec-fail");
	assert_int_equal(j->state, JOB_FAILED);
	assert_string_equal(j->reason, "task: non-zero exit (3)");
	assert_true(j->has_exit_code);
	assert_int_equal(j->exit_code, 3);
	assert_int_equal(j->failures, 1);

	/* Without the container state, exit 137 is not called an OOM kill. */
	j = find(&l, "gbdec-oom");
	assert_int_equal(j->state, JOB_FAILED);
	assert_non_null(strstr(j->reason, "possibly out of memory"));
	assert_int_equal(j->exit_code, 137);
	assert_int_equal(j->ooms, 0);

	assert_int_equal(find(&l, "gbdec-global")->state, JOB_RUNNING);
	assert_int_equal(find(&l, "gbdec-job")->state, JOB_COMPLETE);
	assert_int_equal(find(&l, "gbdec-gjob")->state, JOB_COMPLETE);
	job_list_clear(&l);
}

static void test_oom_from_container_state(void **state)
{
	struct world *w = *state;
	size_t len;
	char *body = fixture_read("json/container-oom.json", &len);
	struct container_state cs = {0};
	assert_int_equal(decode_container_state(body, len, &cs, NULL), 0);
	free(body);
	struct cstate c = {OOM_CID, cs.oom_killed, cs.exit_code};
	struct job_inputs in = {.services = &w->services, .tasks = &w->tasks, .local_node_id = NODE,
	                        .cstates = &c, .n_cstates = 1};
	struct job_list l = {0};
	jobs_derive(&in, &l);
	const struct job *j = find(&l, "gbdec-oom");
	assert_int_equal(j->state, JOB_OOM);
	assert_string_equal(j->reason, "OOM killed (limit 16 MiB)");
	assert_int_equal(j->ooms, 1);
	assert_string_equal(job_state_name(j->state), "oom");
	job_list_clear(&l);
	container_state_clear(&cs);

	/* The same container state is ignored when the task ran on another node. */
	in.local_node_id = "elsewhere";
	jobs_derive(&in, &l);
	assert_int_equal(find(&l, "gbdec-oom")->state, JOB_FAILED);
	job_list_clear(&l);
}

static void test_usage_and_local_containers(void **state)
{
	struct world *w = *state;
	struct job_inputs in = {.services = &w->services, .tasks = &w->tasks, .local_node_id = NODE};
	const char **ids = NULL;
	size_t n = jobs_running_local_containers(&in, &ids);
	assert_int_equal(n, 2);   /* gbdec-run and gbdec-global */
	free(ids);
	ids = NULL;
	n = jobs_failed_local_containers(&in, &ids);
	assert_int_equal(n, 2);   /* gbdec-fail and gbdec-oom */
	free(ids);

	struct usage u = {"cbac6acca44a", 49.5, 40u << 20};
	for (size_t i = 0; i < w->tasks.n; i++)
		if (w->tasks.v[i].container_id && strncmp(w->tasks.v[i].container_id, "cbac6acca44a", 12) == 0)
			u.container_id = w->tasks.v[i].container_id;
	in.usage = &u;
	in.n_usage = 1;
	struct job_list l = {0};
	jobs_derive(&in, &l);
	const struct job *j = find(&l, "gbdec-run");
	assert_int_equal(j->sampled, 1);
	assert_true(j->cpu_percent == 49.5);
	assert_int_equal(j->mem_used, 40u << 20);
	job_list_clear(&l);

	in.local_node_id = NULL;   /* unknown node: no lookups at all */
	jobs_derive(&in, &l);
	assert_int_equal(find(&l, "gbdec-run")->sampled, 0);
	job_list_clear(&l);
}

/* A restart loop: the newest task runs, the one before it was OOM killed. */
static void test_restart_loop(void **state)
{
	(void)state;
	struct service s = {.id = S("s1"), .name = S("loop"), .image = S("img:1@sha256:abc"),
	                    .mode = MODE_REPLICATED, .replicas = 1, .limit_memory = 64 << 20};
	struct task t[3] = {
		{.id = S("t3"), .service_id = S("s1"), .node_id = S("n"), .slot = 1, .state = S("running"),
		 .desired_state = S("running"), .container_id = S("c3"), .created_ns = 300},
		{.id = S("t2"), .service_id = S("s1"), .node_id = S("n"), .slot = 1, .state = S("failed"),
		 .desired_state = S("shutdown"), .container_id = S("c2"), .created_ns = 200,
		 .err = S("task: non-zero exit (137)"), .has_exit_code = true, .exit_code = 137},
		{.id = S("t1"), .service_id = S("s1"), .node_id = S("n"), .slot = 1, .state = S("failed"),
		 .desired_state = S("shutdown"), .container_id = S("c1"), .created_ns = 100,
		 .err = S("task: non-zero exit (1)"), .has_exit_code = true, .exit_code = 1},
	};
	struct service_list sl = {&s, 1};
	struct task_list tl = {t, 3};
	struct cstate cs[2] = {{"c2", true, 137}, {"c1", false, 1}};
	struct job_inputs in = {.services = &sl, .tasks = &tl, .local_node_id = "n", .cstates = cs, .n_cstates = 2};
	struct job_list l = {0};
	jobs_derive(&in, &l);
	assert_int_equal(l.v[0].state, JOB_RUNNING);
	assert_string_equal(l.v[0].image, "img:1");   /* digest dropped for display */
	assert_int_equal(l.v[0].running, 1);          /* no ServiceStatus: counted from tasks */
	assert_int_equal(l.v[0].failures, 2);
	assert_int_equal(l.v[0].ooms, 1);
	assert_string_equal(l.v[0].reason, "restarted after 2 failures; last: OOM killed (limit 64 MiB)");
	job_list_clear(&l);

	/* Now the newest is on its way again. */
	t[0].state = S("starting");
	jobs_derive(&in, &l);
	assert_int_equal(l.v[0].state, JOB_STARTING);
	assert_non_null(strstr(l.v[0].reason, "restarting after 2 failures"));
	job_list_clear(&l);

	/* A missing bind source reads as a missing data directory. */
	t[0].state = S("rejected");
	t[0].err = S("invalid mount config for type \"bind\": bind source path does not exist: /srv/data/x");
	t[0].has_exit_code = false;
	jobs_derive(&in, &l);
	assert_int_equal(l.v[0].state, JOB_FAILED);
	assert_non_null(strstr(l.v[0].reason, "a data directory is missing on the node"));
	job_list_clear(&l);
}

static void test_format(void **state)
{
	(void)state;
	char b[32];
	format_bytes(b, sizeof b, 0);
	assert_string_equal(b, "0 B");
	format_bytes(b, sizeof b, 64u << 20);
	assert_string_equal(b, "64 MiB");
	format_bytes(b, sizeof b, 1536u << 20);
	assert_string_equal(b, "1.5 GiB");
	format_bytes(b, sizeof b, 1023);
	assert_string_equal(b, "1023 B");
	format_age(b, sizeof b, 59);
	assert_string_equal(b, "59s");
	format_age(b, sizeof b, 3600 * 5);
	assert_string_equal(b, "5h");
	format_age(b, sizeof b, -5);
	assert_string_equal(b, "0s");
	format_age(b, sizeof b, 86400 * 400);
	assert_string_equal(b, "1y");
}

static void test_gauges(void **state)
{
	(void)state;
	struct gauge g;
	/* Half a CPU under a 1-CPU limit reads 50 %; 40 MiB of 64 MiB reads 62.5 %. */
	struct job j = {.sampled = 1, .cpu_percent = 50, .cpu_limit = 1, .mem_used = 40u << 20,
	                .mem_limit = 64 << 20};
	job_cpu_gauge(&j, 2, &g);
	assert_true(g.known);
	assert_true(g.percent == 50);
	assert_true(g.total == 100);
	job_mem_gauge(&j, 1LL << 30, &g);
	assert_true(g.percent == 62.5);
	/* Two sampled tasks share twice the per-task limit. */
	j.sampled = 2;
	j.cpu_percent = 150;
	j.cpu_limit = 1.5;
	job_cpu_gauge(&j, 2, &g);
	assert_true(g.percent == 50);
	/* No limit: against the node's CPUs and memory. */
	struct job nolimit = {.sampled = 1, .cpu_percent = 100, .mem_used = 512u << 20};
	job_cpu_gauge(&nolimit, 4, &g);
	assert_true(g.percent == 25);
	job_mem_gauge(&nolimit, 2LL << 30, &g);
	assert_true(g.percent == 25);
	/* Not sampled yet: unknown, never 0. */
	struct job none = {.cpu_limit = 1, .mem_limit = 64 << 20};
	job_cpu_gauge(&none, 2, &g);
	assert_false(g.known);
	job_mem_gauge(&none, 0, &g);
	assert_false(g.known);
}

static void test_json(void **state)
{
	struct world *w = *state;
	struct job_inputs in = {.services = &w->services, .tasks = &w->tasks, .local_node_id = NODE};
	struct job_list l = {0};
	jobs_derive(&in, &l);
	char *out = job_list_json(&l, false, false);
	json_error_t e;
	json_t *doc = json_loads(out, 0, &e);
	assert_non_null(doc);
	assert_int_equal(json_array_size(doc), 7);
	static const char *const keys[] = {"id", "name", "image", "owner", "class", "replicas_running",
		"replicas_desired", "state", "reason", "cpu_percent", "cpu_limit", "mem_bytes",
		"mem_limit", "created_at"};
	for (size_t i = 0; i < json_array_size(doc); i++)
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			assert_non_null(json_object_get(json_array_get(doc, i), keys[k]));
	size_t i;
	json_t *o;
	json_array_foreach(doc, i, o) {
		if (strcmp(json_string_value(json_object_get(o, "name")), "gbdec-run") != 0)
			continue;
		assert_string_equal(json_string_value(json_object_get(o, "owner")), "Zoë 日本\abell");
		assert_true(json_is_null(json_object_get(o, "cpu_percent")));
		assert_true(json_real_value(json_object_get(o, "cpu_limit")) == 1.0);
		assert_int_equal(json_integer_value(json_object_get(o, "mem_limit")), 64 << 20);
		const char *created = json_string_value(json_object_get(o, "created_at"));
		assert_int_equal(strlen(created), 20);
		assert_int_equal(created[19], 'Z');
	}
	json_decref(doc);
	free(out);

	/* For a terminal: nothing but ASCII, the control character escaped. */
	out = job_list_json(&l, true, true);
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		assert_true(*p < 0x80 && (*p >= 0x20 || *p == '\n'));
	assert_non_null(strstr(out, "Zo\\u00EB") ? strstr(out, "Zo\\u00EB") : strstr(out, "Zo\\u00eb"));
	free(out);
	job_list_clear(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states_from_capture),
		cmocka_unit_test(test_oom_from_container_state),
		cmocka_unit_test(test_usage_and_local_containers),
		cmocka_unit_test(test_restart_loop),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_gauges),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests_name("jobs", tests, world_setup, world_teardown);
}
