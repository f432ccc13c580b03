/* jobtext.h: the EXPIRES cell and the line of failures seen this session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/core/jobtext.h"
#include "api/engine/decode.h"

#define NOW INT64_C(1795335104)           /* 2026-11-22T08:11:44Z */
#define NS INT64_C(1000000000)

static const char services_json[] =
	"[{\"ID\":\"s1\",\"Version\":{\"Index\":3},\"Spec\":{\"Name\":\"exp\",\"Labels\":{"
	"\"glovebox.owner\":\"alice\",\"glovebox.expires-at\":\"2026-11-22T07:11:44Z\"},"
	"\"Mode\":{\"Replicated\":{\"Replicas\":1}},\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"i\"}}}},"
	"{\"ID\":\"s2\",\"Version\":{\"Index\":3},\"Spec\":{\"Name\":\"later\",\"Labels\":{"
	"\"glovebox.expires-at\":\"2026-11-22T11:11:44Z\"},"
	"\"Mode\":{\"Replicated\":{\"Replicas\":1}},\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"i\"}}}},"
	"{\"ID\":\"s3\",\"Version\":{\"Index\":3},\"Spec\":{\"Name\":\"none\",\"Labels\":{"
	"\"glovebox.expires-at\":\"soon\"},"
	"\"Mode\":{\"Replicated\":{\"Replicas\":1}},\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"i\"}}}}]";

/* Three failures of s1, the middle one without a container (no exit code); one of s2. */
static const char tasks_json[] =
	"[{\"ID\":\"t1\",\"ServiceID\":\"s1\",\"Slot\":1,\"DesiredState\":\"shutdown\",\"Status\":{"
	"\"Timestamp\":\"2026-11-22T08:01:44Z\",\"State\":\"failed\",\"ContainerStatus\":{\"ContainerID\":\"c1\",\"ExitCode\":137}}},"
	"{\"ID\":\"t2\",\"ServiceID\":\"s1\",\"Slot\":1,\"DesiredState\":\"shutdown\",\"Status\":{"
	"\"Timestamp\":\"2026-11-22T08:06:44Z\",\"State\":\"rejected\",\"Err\":\"no such image\"}},"
	"{\"ID\":\"t3\",\"ServiceID\":\"s1\",\"Slot\":1,\"DesiredState\":\"shutdown\",\"Status\":{"
	"\"Timestamp\":\"2026-11-22T08:09:44Z\",\"State\":\"failed\",\"ContainerStatus\":{\"ContainerID\":\"c3\",\"ExitCode\":1}}},"
	"{\"ID\":\"t4\",\"ServiceID\":\"s2\",\"Slot\":1,\"DesiredState\":\"running\",\"Status\":{"
	"\"Timestamp\":\"2026-11-22T08:09:44Z\",\"State\":\"running\",\"ContainerStatus\":{\"ContainerID\":\"c4\",\"ExitCode\":0}}}]";

struct world {
	struct service_list sl;
	struct task_list tl;
	struct job_list jobs;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	assert_int_equal(decode_services(services_json, strlen(services_json), &w->sl, NULL), 0);
	assert_int_equal(decode_tasks(tasks_json, strlen(tasks_json), &w->tl, NULL), 0);
	struct job_inputs in = {.services = &w->sl, .tasks = &w->tl};
	jobs_derive(&in, &w->jobs);
	assert_int_equal(w->jobs.n, 3);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	job_list_clear(&w->jobs);
	task_list_clear(&w->tl);
	service_list_clear(&w->sl);
	free(w);
	return 0;
}

static void test_expiry_cell(void **state)
{
	struct world *w = *state;
	char buf[64];
	job_expiry_cell(buf, sizeof buf, &w->jobs.v[0], NOW);
	assert_string_equal(buf, "expired 1h ago");
	job_expiry_cell(buf, sizeof buf, &w->jobs.v[1], NOW);
	assert_string_equal(buf, "in 3h");
	job_expiry_cell(buf, sizeof buf, &w->jobs.v[2], NOW);   /* unreadable label */
	assert_string_equal(buf, "-");
	char tiny[4];
	job_expiry_cell(tiny, sizeof tiny, &w->jobs.v[0], NOW);
	assert_string_equal(tiny, "exp");
}

static bool lookup(const void *ud, const char *cid, bool *oom)
{
	(void)ud;
	*oom = strcmp(cid, "c1") == 0;
	return true;
}

static void test_history_line(void **state)
{
	struct world *w = *state;
	char buf[256];
	job_history_line(buf, sizeof buf, NULL, "s1", NOW * NS);
	assert_string_equal(buf, "seen this session: no failures");

	struct restart_history *h = restart_history_new();
	restart_history_update(h, &w->sl, &w->tl, lookup, NULL);
	job_history_line(buf, sizeof buf, h, "s1", NOW * NS);
	assert_string_equal(buf, "seen this session: 3 failures, 1 OOM killed; last: exit 1 2m ago, "
	                         "exit ? 5m ago, exit 137 (OOM) 10m ago");
	job_history_line(buf, sizeof buf, h, "s2", NOW * NS);
	assert_string_equal(buf, "seen this session: no failures");

	/* Only whole items when the buffer is short. */
	char small[72];
	job_history_line(small, sizeof small, h, "s1", NOW * NS);
	assert_string_equal(small, "seen this session: 3 failures, 1 OOM killed; last: exit 1 2m ago");
	char tiny[20];
	job_history_line(tiny, sizeof tiny, h, "s1", NOW * NS);
	assert_int_equal(strlen(tiny), sizeof tiny - 1);
	job_history_line(tiny, 0, h, "s1", NOW * NS);   /* writes nothing */
	restart_history_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_expiry_cell, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_line, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
