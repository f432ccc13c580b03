/* Generic resources (GPUs): decoded from nodes and services (decode.h), reserved by the tasks
 * that should run on a node (fit.h), and told in a pending job's shortage, the form's fit line
 * and a node's usage (attention.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/core/attention.h"
#include "api/core/fit.h"
#include "api/engine/decode.h"

/* gpu-1 advertises two named GPUs and one discrete "GPU=1" (three in all) and an SSD; cpu-1
 * none. */
static const char NODES[] =
	"[{\"ID\":\"gpu-1\",\"Spec\":{\"Role\":\"worker\",\"Availability\":\"active\","
	"\"Labels\":{\"glovebox.class\":\"gpu\"}},"
	"\"Description\":{\"Hostname\":\"gb-gpu\",\"Resources\":{\"NanoCPUs\":4000000000,"
	"\"MemoryBytes\":8589934592,\"GenericResources\":["
	"{\"NamedResourceSpec\":{\"Kind\":\"GPU\",\"Value\":\"fake0\"}},"
	"{\"NamedResourceSpec\":{\"Kind\":\"GPU\",\"Value\":\"fake1\"}},"
	"{\"DiscreteResourceSpec\":{\"Kind\":\"SSD\",\"Value\":2}},"
	"{\"DiscreteResourceSpec\":{\"Kind\":\"GPU\",\"Value\":1}}]}},"
	"\"Status\":{\"State\":\"ready\"}},"
	"{\"ID\":\"cpu-1\",\"Spec\":{\"Role\":\"manager\",\"Availability\":\"active\","
	"\"Labels\":{\"glovebox.class\":\"default\"}},"
	"\"Description\":{\"Hostname\":\"gb-manager\",\"Resources\":{\"NanoCPUs\":2000000000,"
	"\"MemoryBytes\":4294967296}},\"Status\":{\"State\":\"ready\"}}]";

/* train reserves two GPUs and runs on gpu-1; queued wants two more. */
#define SERVICE(id, name, gpus)                                                                   \
	"{\"ID\":\"" id "\",\"Spec\":{\"Name\":\"" name "\",\"Mode\":{\"Replicated\":{\"Replicas\":1}}," \
	"\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"img\"},\"Resources\":{\"Reservations\":{"   \
	"\"NanoCPUs\":1000000000,\"MemoryBytes\":1073741824,\"GenericResources\":["                 \
	"{\"DiscreteResourceSpec\":{\"Kind\":\"GPU\",\"Value\":" gpus "}}]}},"                       \
	"\"Placement\":{\"Constraints\":[\"node.labels.glovebox.class==gpu\"]}}}}"
static const char SERVICES[] = "[" SERVICE("s-train", "train", "2") "," SERVICE("s-queued", "queued", "2") "]";
static const char TASKS[] =
	"[{\"ID\":\"t1\",\"ServiceID\":\"s-train\",\"NodeID\":\"gpu-1\",\"Slot\":1,"
	"\"DesiredState\":\"running\",\"Status\":{\"State\":\"running\"}},"
	"{\"ID\":\"t2\",\"ServiceID\":\"s-queued\",\"Slot\":1,"
	"\"DesiredState\":\"running\",\"Status\":{\"State\":\"pending\"}}]";

struct world {
	struct node_list nl;
	struct service_list sl;
	struct task_list tl;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	char *err = NULL;
	assert_int_equal(decode_nodes(NODES, strlen(NODES), &w->nl, &err), 0);
	assert_int_equal(decode_services(SERVICES, strlen(SERVICES), &w->sl, &err), 0);
	assert_int_equal(decode_tasks(TASKS, strlen(TASKS), &w->tl, &err), 0);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	node_list_clear(&w->nl);
	service_list_clear(&w->sl);
	task_list_clear(&w->tl);
	free(w);
	return 0;
}

static void test_decode(void **state)
{
	struct world *w = *state;
	const struct node *gpu = &w->nl.v[0];
	assert_int_equal(gpu->generic.n, 2);   /* kinds merged: GPU and SSD */
	assert_int_equal(gres_get(&gpu->generic, "GPU"), 3);
	assert_int_equal(gres_get(&gpu->generic, "SSD"), 2);
	assert_int_equal(gres_get(&gpu->generic, "FPGA"), 0);
	assert_int_equal(w->nl.v[1].generic.n, 0);
	assert_int_equal(gres_get(&w->sl.v[0].reserve_generic, GRES_GPU), 2);
}

static void test_decode_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"[{\"ID\":\"n\",\"Description\":{\"Resources\":{\"GenericResources\":[7]}}}]",
		"[{\"ID\":\"n\",\"Description\":{\"Resources\":{\"GenericResources\":[{}]}}}]",
		"[{\"ID\":\"n\",\"Description\":{\"Resources\":{\"GenericResources\":"
		"[{\"DiscreteResourceSpec\":{\"Kind\":\"GPU\",\"Value\":\"two\"}}]}}}]",
		"[{\"ID\":\"n\",\"Description\":{\"Resources\":{\"GenericResources\":"
		"[{\"DiscreteResourceSpec\":{\"Kind\":\"GPU\",\"Value\":-1}}]}}}]",
		"[{\"ID\":\"n\",\"Description\":{\"Resources\":{\"GenericResources\":{}}}}]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct node_list nl = {0};
		char *err = NULL;
		assert_int_equal(decode_nodes(bad[i], strlen(bad[i]), &nl, &err), -1);
		assert_non_null(strstr(err, "GenericResources"));
		free(err);
		node_list_clear(&nl);
	}
}

static void test_reserved(void **state)
{
	struct world *w = *state;
	assert_int_equal(node_free_generic(&w->nl.v[0], &w->sl, &w->tl, GRES_GPU), 1);
	assert_int_equal(node_free_generic(&w->nl.v[1], &w->sl, &w->tl, GRES_GPU), 0);
	struct node_usage u;
	node_usage_get(&w->nl.v[0], &w->sl, &w->tl, &u);
	assert_int_equal(u.gpu_capacity, 3);
	assert_int_equal(u.gpu_reserved, 2);
}

static void test_shortage(void **state)
{
	struct world *w = *state;
	char *s = attention_shortage(&w->nl, &w->sl, &w->tl, &w->sl.v[1]);
	assert_string_equal(s, "GPU short on gb-gpu (most free: 1; needs 2)");
	free(s);
	struct service one = w->sl.v[1];
	one.reserve_generic.v[0].count = 1;
	s = attention_shortage(&w->nl, &w->sl, &w->tl, &one);
	assert_string_equal(s, "CPU, memory and GPUs would fit on 1 node now");
	free(s);
}

static void test_fit(void **state)
{
	struct world *w = *state;
	const char *gpu_class[] = {"node.labels.glovebox.class==gpu"};
	struct fit f;
	fit_check(&w->nl, &w->sl, &w->tl, gpu_class, 1, 1.0, 1 << 30, 2, &f);
	assert_int_equal(f.nodes, 1);
	assert_int_equal(f.fits, 0);
	assert_int_equal(f.short_gpu, 1);
	char *s = fit_describe(&f, "gpu", 1.0, 1 << 30);
	assert_string_equal(s, "will queue: no free GPU on the 1 gpu node (largest free: 1)");
	free(s);
	fit_check(&w->nl, &w->sl, &w->tl, gpu_class, 1, 1.0, 1 << 30, 1, &f);
	assert_int_equal(f.fits, 1);
	/* Without GPUs asked for, the node's GPUs do not matter. */
	fit_check(&w->nl, &w->sl, &w->tl, gpu_class, 1, 1.0, 1 << 30, 0, &f);
	assert_int_equal(f.fits, 1);
	assert_int_equal(f.short_gpu, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decode, setup, teardown),
		cmocka_unit_test(test_decode_bad),
		cmocka_unit_test_setup_teardown(test_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shortage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
