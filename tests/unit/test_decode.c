/* decode.h against real Engine 20.10 captures (tests/fixtures/json/README.md): concrete fields
 * and tolerance of missing fields. Errors that name the field and decode_time are in
 * test_decode_errors.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/engine/decode.h"
#include "tests/unit/support.h"

#define OWNER_LABEL "Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac\x07" "bell"   /* "Zoë 日本\abell" */

static const struct service *service_named(const struct service_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].name && strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	fail_msg("no service %s", name);
	return NULL;
}

static const struct task *task_with_id(const struct task_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id && strcmp(l->v[i].id, id) == 0)
			return &l->v[i];
	fail_msg("no task %s", id);
	return NULL;
}

static void load_services(const char *fixture, struct service_list *l)
{
	size_t len;
	char *json = fixture_read(fixture, &len), *err = NULL;
	if (decode_services(json, len, l, &err) != 0)
		fail_msg("%s: %s", fixture, err);
	free(json);
}

/* ---- services ---- */

static void test_services_running_with_limits(void **state)
{
	(void)state;
	struct service_list l;
	load_services("json/services.json", &l);
	assert_int_equal(l.n, 7);

	const struct service *s = service_named(&l, "gbdec-run");
	assert_string_equal(s->id, "2wjn1f41tq17h02qdjslps0g7");
	assert_string_equal(s->image, "gbdev/busybox:latest");
	assert_int_equal(s->version, 11);
	/* The same instant as the service create event's timeNano. */
	assert_int_equal(s->created_ns, INT64_C(1795335469298991462));
	assert_int_equal(s->updated_ns, INT64_C(1795335469298991462));
	assert_int_equal(s->mode, MODE_REPLICATED);
	assert_int_equal(s->replicas, 1);
	assert_true(s->has_status);
	assert_int_equal(s->running_tasks, 1);
	assert_int_equal(s->desired_tasks, 1);
	assert_int_equal(s->completed_tasks, 0);
	assert_int_equal(s->limit_nano_cpus, 1000000000);
	assert_int_equal(s->limit_memory, 64 << 20);
	assert_int_equal(s->reserve_nano_cpus, 250000000);
	assert_int_equal(s->reserve_memory, 32 << 20);
	assert_string_equal(s->restart_condition, "on-failure");
	assert_int_equal(s->restart_max_attempts, 3);
	assert_false(s->tty);
	assert_int_equal(s->n_constraints, 1);
	assert_string_equal(s->constraints[0], "node.role==manager");

	assert_int_equal(s->labels.n, 3);
	assert_string_equal(labels_get(&s->labels, "glovebox.owner"), OWNER_LABEL);
	assert_string_equal(labels_get(&s->labels, "glovebox.job"), "42");
	assert_string_equal(labels_get(&s->labels, "team"), "lab");
	assert_null(labels_get(&s->labels, "glovebox"));
	assert_null(labels_get(&s->labels, NULL));
	assert_null(labels_get(NULL, "team"));
	service_list_clear(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

static void test_services_other_states_and_modes(void **state)
{
	(void)state;
	struct service_list l;
	load_services("json/services.json", &l);

	const struct service *s = service_named(&l, "gbdec-pending");
	assert_string_equal(labels_get(&s->labels, "glovebox.owner"), "bob");
	assert_int_equal(s->n_constraints, 1);
	assert_string_equal(s->constraints[0], "node.labels.gbdec.pool==nowhere");
	assert_int_equal(s->running_tasks, 0);
	assert_int_equal(s->desired_tasks, 1);
	assert_int_equal(s->limit_nano_cpus, 0);   /* "Limits": {} */
	assert_int_equal(s->limit_memory, 0);
	assert_null(s->restart_condition);         /* no RestartPolicy: the default, any */

	s = service_named(&l, "gbdec-fail");
	assert_int_equal(s->labels.n, 0);
	assert_string_equal(s->restart_condition, "none");
	assert_int_equal(s->restart_max_attempts, 0);
	assert_int_equal(s->n_constraints, 0);
	assert_null(s->constraints);

	s = service_named(&l, "gbdec-oom");
	assert_int_equal(s->limit_memory, 16 << 20);
	assert_int_equal(s->limit_nano_cpus, 0);

	s = service_named(&l, "gbdec-global");
	assert_int_equal(s->mode, MODE_GLOBAL);
	assert_int_equal(s->replicas, 0);
	assert_true(s->tty);
	assert_int_equal(s->running_tasks, 1);

	s = service_named(&l, "gbdec-job");
	assert_int_equal(s->mode, MODE_REPLICATED_JOB);
	assert_int_equal(s->replicas, 2);          /* TotalCompletions, not MaxConcurrent (1) */
	assert_int_equal(s->completed_tasks, 2);

	s = service_named(&l, "gbdec-gjob");
	assert_int_equal(s->mode, MODE_GLOBAL_JOB);
	assert_int_equal(s->completed_tasks, 1);
	assert_int_equal(s->desired_tasks, 0);
	/* Go trims trailing zeros: "08:17:49.421864Z". */
	assert_int_equal(s->created_ns, INT64_C(1795335469421864000));
	service_list_clear(&l);
}

static void test_services_job_defaults(void **state)
{
	(void)state;
	struct service_list l;
	char *err = NULL;
	const char *json =
		"[{\"Spec\":{\"Mode\":{\"ReplicatedJob\":{\"MaxConcurrent\":4}}}},"
		" {\"Spec\":{\"Mode\":{\"ReplicatedJob\":{}}}},"
		" {\"Spec\":{\"Mode\":{\"Replicated\":{\"Replicas\":0}}}},"
		" {\"Spec\":{\"Mode\":{\"Something\":{}}}}]";
	assert_int_equal(decode_services(json, strlen(json), &l, &err), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[0].mode, MODE_REPLICATED_JOB);
	assert_int_equal(l.v[0].replicas, 4);
	assert_int_equal(l.v[1].replicas, 1);
	assert_int_equal(l.v[2].mode, MODE_REPLICATED);
	assert_int_equal(l.v[2].replicas, 0);
	assert_int_equal(l.v[3].mode, MODE_UNKNOWN);
	service_list_clear(&l);
}

/* ---- tasks ---- */

static void test_tasks(void **state)
{
	(void)state;
	size_t len;
	char *json = fixture_read("json/tasks.json", &len), *err = NULL;
	struct task_list l;
	assert_int_equal(decode_tasks(json, len, &l, &err), 0);
	free(json);
	assert_int_equal(l.n, 8);

	const struct task *t = task_with_id(&l, "luhopxvfeblxro33c12hcn6qa");
	assert_string_equal(t->service_id, "1snhdpd6hvxe4f7ubzqjbcmdw");
	assert_string_equal(t->state, "pending");
	assert_string_equal(t->desired_state, "running");
	assert_string_equal(t->message, "pending task scheduling");
	assert_string_equal(t->err, "no suitable node (scheduling constraints not satisfied on 1 node)");
	assert_null(t->node_id);
	assert_null(t->container_id);
	assert_false(t->has_exit_code);
	assert_int_equal(t->slot, 1);

	t = task_with_id(&l, "rx8o4d5jiqbydrhf1eaqn9qpc");
	assert_string_equal(t->state, "failed");
	assert_string_equal(t->desired_state, "shutdown");
	assert_string_equal(t->err, "task: non-zero exit (3)");
	assert_true(t->has_exit_code);
	assert_int_equal(t->exit_code, 3);
	assert_string_equal(t->container_id,
	                    "997edaa3c56f488203cdf9e812c4c77372383e8a234281b8ab00e9384522c4c4");
	assert_string_equal(t->node_id, "23vdylmhhmwdd9h50t85a96n6");

	t = task_with_id(&l, "invhiikimobf7cu18212yw8uj");
	assert_string_equal(t->err, "task: non-zero exit (137)");
	assert_int_equal(t->exit_code, 137);
	assert_string_equal(t->container_id,
	                    "8d5fefc31066bce4516a0af77650258b0e09f9764d43288a71bc5d7e90a99438");

	t = task_with_id(&l, "kpfb47ic32bdgzfff26nhkxt2");
	assert_string_equal(t->state, "running");
	assert_string_equal(t->message, "started");
	assert_null(t->err);
	assert_int_equal(t->pid, 6008);
	assert_true(t->has_exit_code);
	assert_int_equal(t->exit_code, 0);
	assert_string_equal(t->container_id,
	                    "cbac6acca44ad2792b434f1917b901db0613ff36294458556e3e637e304f21c9");
	assert_int_equal(t->timestamp_ns, INT64_C(1795335469878396886));
	assert_int_equal(t->created_ns, INT64_C(1795335469299804039));
	assert_null(t->name);                      /* the engine sends no task Name */

	t = task_with_id(&l, "4ft9g6yd7jazglwt9850tdut1");   /* global: no slot */
	assert_int_equal(t->slot, 0);
	assert_int_equal(t->pid, 6083);

	t = task_with_id(&l, "i591xiop047dfukmb32e0k61s");   /* replicated job */
	assert_string_equal(t->state, "complete");
	assert_string_equal(t->message, "finished");
	task_list_clear(&l);
}

/* ---- nodes ---- */

static void test_nodes(void **state)
{
	(void)state;
	size_t len;
	char *json = fixture_read("json/nodes.json", &len), *err = NULL;
	struct node_list l;
	assert_int_equal(decode_nodes(json, len, &l, &err), 0);
	free(json);
	assert_int_equal(l.n, 1);
	const struct node *n = &l.v[0];
	assert_string_equal(n->id, "23vdylmhhmwdd9h50t85a96n6");
	assert_string_equal(n->hostname, "vm");
	assert_string_equal(n->role, "manager");
	assert_string_equal(n->availability, "active");
	assert_string_equal(n->state, "ready");
	assert_string_equal(n->addr, "127.0.0.1");
	assert_int_equal(n->nano_cpus, 2000000000);
	assert_int_equal(n->memory_bytes, INT64_C(25276510208));
	assert_true(n->leader);
	assert_string_equal(n->engine_version, "20.10.24+dfsg1");
	assert_int_equal(n->labels.n, 0);
	node_list_clear(&l);
}

static void test_nodes_labelled(void **state)
{
	(void)state;
	size_t len;
	char *json = fixture_read("json/nodes-labelled.json", &len), *err = NULL;
	struct node_list l;
	assert_int_equal(decode_nodes(json, len, &l, &err), 0);
	free(json);
	assert_int_equal(l.n, 2);
	assert_string_equal(labels_get(&l.v[0].labels, "glovebox.class"), "gpu");
	assert_string_equal(labels_get(&l.v[0].labels, "glovebox.pool"), "lab");
	assert_true(l.v[0].leader);

	const struct node *w = &l.v[1];
	assert_string_equal(w->hostname, "worker-1");
	assert_string_equal(w->role, "worker");
	assert_string_equal(w->availability, "drain");
	assert_string_equal(w->state, "down");
	assert_string_equal(w->addr, "10.0.0.7");
	assert_false(w->leader);                   /* no ManagerStatus */
	assert_int_equal(w->nano_cpus, INT64_C(64000000000));
	assert_int_equal(w->memory_bytes, INT64_C(274877906944));
	assert_string_equal(labels_get(&w->labels, "glovebox.class"), "cpu");
	assert_string_equal(w->engine_version, "29.7.2");
	node_list_clear(&l);
}

/* ---- stats ---- */

static void test_stats_v1(void **state)
{
	(void)state;
	size_t len;
	char *json = fixture_read("json/stats-v1.json", &len), *err = NULL;
	struct stats_sample s;
	assert_int_equal(decode_stats(json, len, &s, &err), 0);
	free(json);
	assert_false(s.empty);
	assert_string_equal(s.id, "cbac6acca44ad2792b434f1917b901db0613ff36294458556e3e637e304f21c9");
	assert_string_equal(s.name, "/gbdec-run.1.kpfb47ic32bdgzfff26nhkxt2");
	assert_int_equal(s.read_ns, INT64_C(1795335494045064455));
	assert_int_equal(s.preread_ns, INT64_C(1795335493041192366));
	assert_int_equal(s.cpu_total, 1767709175);
	assert_int_equal(s.precpu_total, 1710871628);
	assert_int_equal(s.system_cpu, UINT64_C(3475940000000));
	assert_int_equal(s.presystem_cpu, UINT64_C(3473930000000));
	assert_int_equal(s.online_cpus, 2);
	assert_int_equal(s.percpu_count, 2);
	assert_int_equal(s.mem_usage, 4710400);
	assert_int_equal(s.mem_limit, 64 << 20);
	assert_true(s.has_total_inactive_file);
	assert_int_equal(s.total_inactive_file, 0);
	assert_true(s.has_inactive_file);          /* v1 has both keys */
	assert_int_equal(s.pids, 2);
	stats_sample_clear(&s);
	assert_null(s.id);
}

static void test_stats_v2_synthetic(void **state)
{
	(void)state;
	size_t len;
	char *json = fixture_read("json/stats-v2.json", &len), *err = NULL;
	struct stats_sample s;
	assert_int_equal(decode_stats(json, len, &s, &err), 0);
	free(json);
	assert_false(s.empty);
	assert_int_equal(s.percpu_count, 0);
	assert_int_equal(s.online_cpus, 2);
	assert_false(s.has_total_inactive_file);
	assert_true(s.has_inactive_file);
	assert_int_equal(s.inactive_file, 10 << 20);
	assert_int_equal(s.mem_usage, 50 << 20);
	assert_int_equal(s.pids, 3);
	stats_sample_clear(&s);
}

static void test_stats_one_shot(void **state)
{
	(void)state;
	size_t len;
	char *json = fixture_read("json/stats-oneshot.json", &len), *err = NULL;
	struct stats_sample s;
	assert_int_equal(decode_stats(json, len, &s, &err), 0);
	free(json);
	assert_false(s.empty);
	assert_int_equal(s.preread_ns, 0);         /* Go zero time */
	assert_int_equal(s.precpu_total, 0);
	assert_int_equal(s.presystem_cpu, 0);
	assert_int_equal(s.system_cpu, UINT64_C(3477930000000));
	stats_sample_clear(&s);
}

static void test_stats_empty(void **state)
{
	(void)state;
	const char *names[] = { "json/stats-empty.json", "json/stats-stopped.json" };
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		char *json = fixture_read(names[i], &len), *err = NULL;
		struct stats_sample s;
		assert_int_equal(decode_stats(json, len, &s, &err), 0);
		free(json);
		assert_true(s.empty);
		assert_int_equal(s.cpu_total, 0);
		assert_int_equal(s.mem_usage, 0);
		if (i == 1) /* Engine 20.10 still names the stopped container */
			assert_string_equal(s.name, "/gbdec-oom.1.invhiikimobf7cu18212yw8uj");
		stats_sample_clear(&s);
	}
	/* cpu_stats missing alone is enough. */
	const char *json = "{\"read\":\"2026-11-22T08:18:14Z\",\"memory_stats\":{\"usage\":5}}";
	struct stats_sample s;
	char *err = NULL;
	assert_int_equal(decode_stats(json, strlen(json), &s, &err), 0);
	assert_true(s.empty);
	assert_int_equal(s.mem_usage, 5);
	stats_sample_clear(&s);
}

/* ---- events ---- */

static void test_events(void **state)
{
	(void)state;
	char *json = fixture_read("json/events.jsonl", NULL), *line = json, *err = NULL;
	struct event ev[5];
	size_t n = 0;
	for (char *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		assert_true(n < 5);
		if (decode_event(line, (size_t)(nl - line), &ev[n], &err) != 0)
			fail_msg("event %zu: %s", n, err);
		n++;
	}
	free(json);
	assert_int_equal(n, 5);

	assert_string_equal(ev[0].type, "service");
	assert_string_equal(ev[0].action, "create");
	assert_string_equal(ev[0].actor_id, "2wjn1f41tq17h02qdjslps0g7");
	assert_string_equal(ev[0].scope, "swarm");
	assert_string_equal(labels_get(&ev[0].attributes, "name"), "gbdec-run");
	assert_int_equal(ev[0].time_ns, INT64_C(1795335469298991462));

	assert_string_equal(ev[1].type, "container");
	assert_string_equal(ev[1].action, "oom");
	assert_string_equal(labels_get(&ev[1].attributes, "com.docker.swarm.service.name"),
	                    "gbdec-oom");

	assert_string_equal(ev[2].action, "die");
	assert_string_equal(ev[2].scope, "local");
	assert_string_equal(ev[2].actor_id,
	                    "997edaa3c56f488203cdf9e812c4c77372383e8a234281b8ab00e9384522c4c4");
	assert_string_equal(labels_get(&ev[2].attributes, "exitCode"), "3");
	assert_string_equal(labels_get(&ev[2].attributes, "com.docker.swarm.task.id"),
	                    "rx8o4d5jiqbydrhf1eaqn9qpc");
	assert_int_equal(ev[2].time_ns, INT64_C(1795335469934973418));

	assert_string_equal(labels_get(&ev[3].attributes, "exitCode"), "137");

	assert_string_equal(ev[4].type, "service");
	assert_string_equal(ev[4].action, "remove");
	assert_int_equal(ev[4].time_ns, INT64_C(1795335513183764059));

	for (size_t i = 0; i < n; i++)
		event_clear(&ev[i]);
	assert_null(ev[0].type);
	assert_int_equal(ev[0].attributes.n, 0);
}

static void test_event_legacy_fields(void **state)
{
	(void)state;
	const char *json = "{\"status\":\"die\",\"id\":\"abc\",\"time\":1600000000}\n";
	struct event e;
	char *err = NULL;
	assert_int_equal(decode_event(json, strlen(json), &e, &err), 0);
	assert_null(e.type);
	assert_string_equal(e.action, "die");
	assert_string_equal(e.actor_id, "abc");
	assert_int_equal(e.time_ns, INT64_C(1600000000000000000));
	event_clear(&e);
}

/* ---- info, container, error body ---- */

static void test_info(void **state)
{
	(void)state;
	size_t len;
	char *json = fixture_read("json/info.json", &len), *err = NULL;
	struct engine_info i;
	assert_int_equal(decode_info(json, len, &i, &err), 0);
	free(json);
	assert_string_equal(i.node_id, "23vdylmhhmwdd9h50t85a96n6");
	assert_string_equal(i.local_node_state, "active");
	assert_true(i.control_available);
	assert_string_equal(i.name, "vm");
	assert_string_equal(i.server_version, "20.10.24+dfsg1");
	assert_int_equal(i.ncpu, 2);
	assert_int_equal(i.mem_total, INT64_C(25276510208));
	assert_false(i.no_new_privileges);   /* 20.10 lists seccomp only */
	engine_info_clear(&i);
	assert_null(i.node_id);
}

/* Engines from 25 on list the daemon-wide no-new-privileges setting among SecurityOptions. */
static void test_info_no_new_privileges(void **state)
{
	(void)state;
	const char *json = "{\"SecurityOptions\":[\"name=seccomp,profile=builtin\","
	                   "\"name=no-new-privileges\",\"name=cgroupns\"]}";
	struct engine_info i;
	char *err = NULL;
	assert_int_equal(decode_info(json, strlen(json), &i, &err), 0);
	assert_true(i.no_new_privileges);
	engine_info_clear(&i);
	assert_int_equal(decode_info("{\"SecurityOptions\":[\"name=no-new-privileges,x\"]}", 48, &i, &err), 0);
	assert_false(i.no_new_privileges);
	engine_info_clear(&i);
}

static void test_info_outside_swarm(void **state)
{
	(void)state;
	const char *json = "{\"Name\":\"lab\",\"Swarm\":{\"NodeID\":\"\",\"NodeAddr\":\"\","
	                   "\"LocalNodeState\":\"inactive\",\"ControlAvailable\":false,"
	                   "\"RemoteManagers\":null}}";
	struct engine_info i;
	char *err = NULL;
	assert_int_equal(decode_info(json, strlen(json), &i, &err), 0);
	assert_null(i.node_id);
	assert_string_equal(i.local_node_state, "inactive");
	assert_false(i.control_available);
	engine_info_clear(&i);
}

static void test_container_oom(void **state)
{
	(void)state;
	size_t len;
	char *json = fixture_read("json/container-oom.json", &len), *err = NULL;
	struct container_state c;
	assert_int_equal(decode_container_state(json, len, &c, &err), 0);
	free(json);
	assert_true(c.oom_killed);
	assert_int_equal(c.exit_code, 137);
	assert_string_equal(c.status, "exited");
	assert_string_equal(c.error, "");
	assert_int_equal(c.finished_ns, INT64_C(1795335469930811106));
	container_state_clear(&c);
	assert_null(c.status);
}

static void test_error_message(void **state)
{
	(void)state;
	size_t len;
	char *json = fixture_read("json/error-404.json", &len);
	char *msg = decode_error_message(json, len);
	free(json);
	assert_string_equal(msg, "service nosuch not found");
	free(msg);

	const char *bad[] = { "page not found\n", "{\"message\":3}", "[\"message\"]", "{}", "",
	                      "{\"message\":" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_null(decode_error_message(bad[i], strlen(bad[i])));
	assert_null(decode_error_message(NULL, 0));

	/* A NUL inside the message is kept visible rather than cutting it short. */
	const char *nul = "{\"message\":\"a\\u0000b\"}";
	msg = decode_error_message(nul, strlen(nul));
	assert_string_equal(msg, "a\xef\xbf\xbd" "b");
	free(msg);
}

/* ---- tolerance ---- */

static void test_missing_optional_fields(void **state)
{
	(void)state;
	char *err = NULL;
	struct service_list sl;
	const char *js = "[{}, {\"ID\":\"x\",\"Spec\":null,\"ServiceStatus\":null},"
	                 " {\"Spec\":{\"Labels\":null,\"TaskTemplate\":{\"Placement\":{\"Constraints\":null}}}}]";
	assert_int_equal(decode_services(js, strlen(js), &sl, &err), 0);
	assert_int_equal(sl.n, 3);
	assert_null(sl.v[0].id);
	assert_null(sl.v[0].name);
	assert_int_equal(sl.v[0].mode, MODE_UNKNOWN);
	assert_false(sl.v[0].has_status);
	assert_int_equal(sl.v[0].labels.n, 0);
	assert_string_equal(sl.v[1].id, "x");
	assert_false(sl.v[1].has_status);
	assert_int_equal(sl.v[2].n_constraints, 0);
	service_list_clear(&sl);

	struct task_list tl;
	assert_int_equal(decode_tasks("[{}]", 4, &tl, &err), 0);
	assert_int_equal(tl.n, 1);
	assert_null(tl.v[0].state);
	assert_false(tl.v[0].has_exit_code);
	task_list_clear(&tl);

	struct node_list nl;
	assert_int_equal(decode_nodes("[{}]", 4, &nl, &err), 0);
	assert_int_equal(nl.n, 1);
	assert_false(nl.v[0].leader);
	node_list_clear(&nl);

	assert_int_equal(decode_services("[]", 2, &sl, &err), 0);
	assert_int_equal(sl.n, 0);
	assert_null(sl.v);
	assert_int_equal(decode_tasks(" [ ]\n", 5, &tl, &err), 0);
	assert_int_equal(tl.n, 0);

	struct engine_info i;
	assert_int_equal(decode_info("{}", 2, &i, &err), 0);
	assert_null(i.node_id);
	assert_false(i.control_available);
	engine_info_clear(&i);

	struct container_state c;
	assert_int_equal(decode_container_state("{\"State\":{}}", 12, &c, &err), 0);
	assert_false(c.oom_killed);
	assert_null(c.status);
	container_state_clear(&c);

	struct event e;
	assert_int_equal(decode_event("{}", 2, &e, &err), 0);
	assert_null(e.action);
	assert_int_equal(e.time_ns, 0);
	event_clear(&e);

	/* Unknown extra fields are ignored, whatever their type. */
	const char *extra = "[{\"ID\":\"y\",\"Surprise\":[1,{\"a\":null}],\"Spec\":{\"Name\":\"n\",\"New\":1.5}}]";
	assert_int_equal(decode_services(extra, strlen(extra), &sl, &err), 0);
	assert_string_equal(sl.v[0].name, "n");
	service_list_clear(&sl);
	assert_null(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_services_running_with_limits),
		cmocka_unit_test(test_services_other_states_and_modes),
		cmocka_unit_test(test_services_job_defaults),
		cmocka_unit_test(test_tasks),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_nodes_labelled),
		cmocka_unit_test(test_stats_v1),
		cmocka_unit_test(test_stats_v2_synthetic),
		cmocka_unit_test(test_stats_one_shot),
		cmocka_unit_test(test_stats_empty),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_event_legacy_fields),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_info_outside_swarm),
		cmocka_unit_test(test_info_no_new_privileges),
		cmocka_unit_test(test_container_oom),
		cmocka_unit_test(test_error_message),
		cmocka_unit_test(test_missing_optional_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
