/* attention.h: the triage order and its reasons, resource shortages, node reservations,
 * expiry countdowns and the restart history kept beyond the swarm's five tasks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"
#include "api/core/attention.h"
#include "api/engine/decode.h"

#define NOW INT64_C(1795335104)           /* 2026-11-22T08:11:44Z */
#define NOW_ISO "2026-11-22T08:11:44Z"
#define MIN30_AGO "2026-11-22T07:41:44Z"
#define MIN1_AGO "2026-11-22T08:10:44Z"
#define MIN12_AGO "2026-11-22T07:59:44Z"
#define H2_AGO "2026-11-22T06:11:44Z"
#define H1_AGO "2026-11-22T07:11:44Z"
#define IN_3H "2026-11-22T11:11:44Z"
#define GIB INT64_C(1073741824)

struct world {
	json_t *services, *tasks, *nodes;
	struct service_list sl;
	struct task_list tl;
	struct node_list nl;
	struct job_list jobs;
	struct cstate cs[4];
	size_t n_cs;
};

static void add_node(struct world *w, const char *id, const char *host, double cpus, int64_t mem,
                     const char *cls, const char *avail)
{
	json_array_append_new(w->nodes, json_pack(
		"{s:s, s:{s:s, s:s, s:{s:s}}, s:{s:s, s:{s:I, s:I}}, s:{s:s}}",
		"ID", id,
		"Spec", "Role", "worker", "Availability", avail, "Labels", "glovebox.class", cls,
		"Description", "Hostname", host, "Resources", "NanoCPUs", (json_int_t)(cpus * 1e9), "MemoryBytes", (json_int_t)mem,
		"Status", "State", "ready"));
}

/* A replicated service with one replica. owner and expires may be NULL. */
static void add_service(struct world *w, const char *id, const char *name, const char *owner,
                        const char *expires, double cpus, int64_t mem, const char *cls)
{
	json_t *labels = json_object();
	if (owner)
		json_object_set_new(labels, "glovebox.owner", json_string(owner));
	if (expires)
		json_object_set_new(labels, "glovebox.expires-at", json_string(expires));
	json_t *constraints = json_array();
	if (cls) {
		char *c = xasprintf("node.labels.glovebox.class==%s", cls);
		json_array_append_new(constraints, json_string(c));
		free(c);
	}
	json_t *tt = json_pack("{s:{s:s}, s:{s:{s:I}, s:{s:I, s:I}}, s:{s:o}}",
		"ContainerSpec", "Image", "img",
		"Resources", "Limits", "MemoryBytes", (json_int_t)33554432,
		"Reservations", "NanoCPUs", (json_int_t)(cpus * 1e9), "MemoryBytes", (json_int_t)mem,
		"Placement", "Constraints", constraints);
	json_t *spec = json_pack("{s:s, s:o, s:{s:{s:I}}, s:o}", "Name", name, "Labels", labels,
		"Mode", "Replicated", "Replicas", (json_int_t)1, "TaskTemplate", tt);
	json_t *svc = json_pack("{s:s, s:{s:I}, s:s, s:o}", "ID", id, "Version", "Index", (json_int_t)7,
		"CreatedAt", H2_AGO, "Spec", spec);
	assert_non_null(tt);
	assert_non_null(spec);
	assert_non_null(svc);
	json_array_append_new(w->services, svc);
}

static void add_task(struct world *w, const char *id, const char *svc, const char *node, int slot,
                     const char *created, const char *state, const char *err, const char *cid, int exit_code)
{
	json_t *status = json_pack("{s:s, s:s}", "Timestamp", created, "State", state);
	if (err)
		json_object_set_new(status, "Err", json_string(err));
	if (cid)
		json_object_set_new(status, "ContainerStatus",
		                    json_pack("{s:s, s:i}", "ContainerID", cid, "ExitCode", exit_code));
	json_t *t = json_pack("{s:s, s:s, s:i, s:s, s:s, s:o}", "ID", id, "ServiceID", svc, "Slot", slot,
	                      "CreatedAt", created, "DesiredState",
	                      strcmp(state, "failed") == 0 ? "shutdown" : "running", "Status", status);
	if (node)
		json_object_set_new(t, "NodeID", json_string(node));
	json_array_append_new(w->tasks, t);
}

static void decode_world(struct world *w)
{
	char *s = json_dumps(w->services, 0);
	assert_int_equal(decode_services(s, strlen(s), &w->sl, NULL), 0);
	free(s);
	s = json_dumps(w->tasks, 0);
	assert_int_equal(decode_tasks(s, strlen(s), &w->tl, NULL), 0);
	free(s);
	s = json_dumps(w->nodes, 0);
	assert_int_equal(decode_nodes(s, strlen(s), &w->nl, NULL), 0);
	free(s);
	struct job_inputs in = {
		.services = &w->sl, .tasks = &w->tl, .local_node_id = "n1", .cstates = w->cs, .n_cstates = w->n_cs,
	};
	jobs_derive(&in, &w->jobs);
}

static int world_setup(void **state)
{
	struct world *w = xcalloc(1, sizeof *w);
	w->services = json_array();
	w->tasks = json_array();
	w->nodes = json_array();
	add_node(w, "n1", "alpha", 2, 4 * GIB, "default", "active");
	add_node(w, "n2", "beta", 4, 2 * GIB, "default", "active");
	add_node(w, "n3", "gamma", 8, 64 * GIB, "gpu", "pause");

	add_service(w, "s-run", "healthy", "alice", IN_3H, 1.5, GIB, "default");
	add_task(w, "t-run", "s-run", "n1", 1, H1_AGO, "running", NULL, "c-run", 0);

	/* OOM killed once, restarted, and past its lifetime too. */
	add_service(w, "s-oom", "oomy", "alice", MIN12_AGO, 0, 0, NULL);
	add_task(w, "t-oom1", "s-oom", "n1", 1, H1_AGO, "failed", "task: non-zero exit (137)", "c-oom1", 137);
	add_task(w, "t-oom2", "s-oom", "n1", 1, MIN1_AGO, "running", NULL, "c-oom2", 0);
	w->cs[w->n_cs++] = (struct cstate){"c-oom1", true, 137};

	add_service(w, "s-loop", "loopy", "bob", NULL, 0, 0, NULL);
	add_task(w, "t-l1", "s-loop", "n2", 1, H1_AGO, "failed", "task: non-zero exit (1)", "c-l1", 1);
	add_task(w, "t-l2", "s-loop", "n2", 1, MIN30_AGO, "failed", "task: non-zero exit (1)", "c-l2", 1);
	add_task(w, "t-l3", "s-loop", "n2", 1, MIN12_AGO, "failed", "task: non-zero exit (2)", "c-l3", 2);
	add_task(w, "t-l4", "s-loop", "n2", 1, MIN1_AGO, "starting", NULL, NULL, 0);

	add_service(w, "s-pend", "waiting", "bob", IN_3H, 1, 3 * GIB, "default");
	add_task(w, "t-p", "s-pend", NULL, 1, MIN30_AGO, "pending",
	         "no suitable node (insufficient resources on 2 nodes)", NULL, 0);

	add_service(w, "s-new", "fresh", "bob", NULL, 1, GIB, "gpu");
	add_task(w, "t-n", "s-new", NULL, 1, MIN1_AGO, "pending",
	         "no suitable node (1 node not available for new tasks)", NULL, 0);

	add_service(w, "s-exp", "old", "alice", MIN12_AGO, 0, 0, NULL);
	add_task(w, "t-e", "s-exp", "n2", 1, H1_AGO, "running", NULL, "c-e", 0);
	add_service(w, "s-exp2", "older", "alice", H2_AGO, 0, 0, NULL);
	add_task(w, "t-e2", "s-exp2", "n2", 1, H1_AGO, "running", NULL, "c-e2", 0);

	add_service(w, "s-fail", "broken", "bob", NULL, 0, 0, NULL);
	add_task(w, "t-f", "s-fail", "n2", 1, MIN30_AGO, "failed", "task: non-zero exit (3)", "c-f", 3);

	add_service(w, "s-ext", "external", NULL, NULL, 0, 0, NULL);
	add_task(w, "t-x", "s-ext", "n2", 1, H1_AGO, "running", NULL, "c-x", 0);

	decode_world(w);
	*state = w;
	return 0;
}

static int world_teardown(void **state)
{
	struct world *w = *state;
	json_decref(w->services);
	json_decref(w->tasks);
	json_decref(w->nodes);
	service_list_clear(&w->sl);
	task_list_clear(&w->tl);
	node_list_clear(&w->nl);
	job_list_clear(&w->jobs);
	free(w);
	return 0;
}

static const struct job *job_named(const struct world *w, const char *name)
{
	for (size_t i = 0; i < w->jobs.n; i++)
		if (strcmp(w->jobs.v[i].name, name) == 0)
			return &w->jobs.v[i];
	fail_msg("no job %s", name);
	return NULL;
}

static struct attention_inputs inputs(const struct world *w)
{
	return (struct attention_inputs){
		.services = &w->sl, .tasks = &w->tl, .nodes = &w->nl, .now = NOW,
	};
}

static void assert_contains(const char *s, const char *needle)
{
	if (!s || !strstr(s, needle))
		fail_msg("\"%s\" lacks \"%s\"", s ? s : "(null)", needle);
}

/* ---- the order ---- */

static void test_rank(void **state)
{
	struct world *w = *state;
	struct attention_inputs in = inputs(w);
	size_t n = w->jobs.n;
	struct attention *att = xcalloc(n, sizeof *att);
	size_t *order = xcalloc(n, sizeof *order);
	attention_rank(&in, &w->jobs, att, order);
	const char *want[] = {"oomy", "loopy", "waiting", "older", "old", "broken", "external", "fresh", "healthy"};
	assert_int_equal(n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(w->jobs.v[order[i]].name, want[i]);
	const enum attention_kind kinds[] = {ATT_OOM, ATT_RESTARTS, ATT_PENDING, ATT_EXPIRED, ATT_EXPIRED,
	                                     ATT_FAILED, ATT_NONE, ATT_NONE, ATT_NONE};
	for (size_t i = 0; i < n; i++)
		assert_int_equal(att[order[i]].kind, kinds[i]);
	for (size_t i = 0; i < n; i++)
		attention_clear(&att[i]);
	free(att);
	free(order);
}

static void test_why(void **state)
{
	struct world *w = *state;
	struct attention_inputs in = inputs(w);
	struct attention a;

	attention_assess(&in, job_named(w, "oomy"), &a);
	assert_int_equal(a.kind, ATT_OOM);
	assert_string_equal(a.why, "OOM killed 1 time (limit 32 MiB); restarting; expired 12m ago");
	assert_true(a.expired);
	assert_int_equal(a.ooms, 1);
	assert_string_equal(attention_kind_name(a.kind), "oom");
	attention_clear(&a);

	attention_assess(&in, job_named(w, "loopy"), &a);
	assert_int_equal(a.kind, ATT_RESTARTS);
	assert_string_equal(a.why, "restart loop: 3 failures; last: task: non-zero exit (2)");
	assert_int_equal(a.weight, 3);
	attention_clear(&a);

	attention_assess(&in, job_named(w, "waiting"), &a);
	assert_int_equal(a.kind, ATT_PENDING);
	assert_true(a.pending);
	assert_int_equal(a.pending_since, NOW - 1800);
	assert_int_equal(a.weight, 1800);
	assert_string_equal(a.shortage, "CPU short on alpha (most free: 0.5; needs 1); memory short on beta (most free: 2 GiB; needs 3 GiB)");
	assert_string_equal(a.why, "pending 30m: no suitable node (insufficient resources on 2 nodes); "
	                           "CPU short on alpha (most free: 0.5; needs 1); memory short on beta (most free: 2 GiB; needs 3 GiB)");
	assert_false(a.expired);
	assert_true(a.has_expiry);
	attention_clear(&a);

	/* Pending for a minute: not yet a matter for a person, but the shortage is known. */
	attention_assess(&in, job_named(w, "fresh"), &a);
	assert_int_equal(a.kind, ATT_NONE);
	assert_null(a.why);
	assert_true(a.pending);
	assert_string_equal(a.shortage, "no ready, active node satisfies node.labels.glovebox.class==gpu (1 matching node paused, drained or down)");
	attention_clear(&a);
	/* With a lower threshold it is. */
	in.pending_threshold = 30;
	attention_assess(&in, job_named(w, "fresh"), &a);
	assert_int_equal(a.kind, ATT_PENDING);
	assert_contains(a.why, "pending 1m: no suitable node");
	attention_clear(&a);
	in.pending_threshold = 0;

	attention_assess(&in, job_named(w, "older"), &a);
	assert_int_equal(a.kind, ATT_EXPIRED);
	assert_string_equal(a.why, "expired 2h ago");
	assert_int_equal(a.weight, 7200);
	attention_clear(&a);

	attention_assess(&in, job_named(w, "broken"), &a);
	assert_int_equal(a.kind, ATT_FAILED);
	assert_string_equal(a.why, "failed: task: non-zero exit (3)");
	attention_clear(&a);

	attention_assess(&in, job_named(w, "healthy"), &a);
	assert_int_equal(a.kind, ATT_NONE);
	assert_true(a.has_expiry);
	assert_false(a.expired);
	assert_int_equal(a.expires_at, NOW + 3 * 3600);
	attention_clear(&a);
}

static void test_cmp(void **state)
{
	(void)state;
	struct attention a = {.kind = ATT_EXPIRED, .weight = 10}, b = {.kind = ATT_EXPIRED, .weight = 20};
	struct attention c = {.kind = ATT_OOM, .weight = 1};
	assert_true(attention_cmp(&b, &a) < 0);
	assert_true(attention_cmp(&a, &b) > 0);
	assert_true(attention_cmp(&c, &b) < 0);
	assert_int_equal(attention_cmp(&a, &a), 0);
	assert_string_equal(attention_kind_name(ATT_NONE), "none");
	assert_string_equal(attention_kind_name(ATT_RESTARTS), "restarts");
	assert_string_equal(attention_kind_name(ATT_EXPIRED), "expired");
	assert_string_equal(attention_kind_name(ATT_PENDING), "pending");
	assert_string_equal(attention_kind_name(ATT_FAILED), "failed");
}

/* ---- shortages and nodes ---- */

static const struct service *service_named(const struct world *w, const char *id)
{
	for (size_t i = 0; i < w->sl.n; i++)
		if (strcmp(w->sl.v[i].id, id) == 0)
			return &w->sl.v[i];
	fail_msg("no service %s", id);
	return NULL;
}

static void test_shortage(void **state)
{
	struct world *w = *state;
	char *s = attention_shortage(&w->nl, &w->sl, &w->tl, service_named(w, "s-pend"));
	assert_string_equal(s, "CPU short on alpha (most free: 0.5; needs 1); memory short on beta (most free: 2 GiB; needs 3 GiB)");
	free(s);
	/* No reservations and nodes to run on: nothing to say. */
	assert_null(attention_shortage(&w->nl, &w->sl, &w->tl, service_named(w, "s-loop")));

	/* Made to fit: a half CPU and a GiB fit on both default nodes. */
	struct service fits = *service_named(w, "s-pend");
	fits.reserve_nano_cpus = 500000000;
	fits.reserve_memory = GIB;
	s = attention_shortage(&w->nl, &w->sl, &w->tl, &fits);
	assert_string_equal(s, "CPU and memory would fit on 2 nodes now");
	free(s);
	/* Exactly the free half CPU fits (nano-CPU arithmetic, no rounding surprise). */
	fits.reserve_memory = 3 * GIB;
	s = attention_shortage(&w->nl, &w->sl, &w->tl, &fits);
	assert_string_equal(s, "CPU and memory would fit on 1 node now");
	free(s);
	/* Short of both on every node. */
	fits.reserve_nano_cpus = 5000000000;
	fits.reserve_memory = 5 * GIB;
	s = attention_shortage(&w->nl, &w->sl, &w->tl, &fits);
	assert_string_equal(s, "CPU short on alpha, beta (most free: 4; needs 5); memory short on alpha, beta (most free: 3 GiB; needs 5 GiB)");
	free(s);
	/* A class no node has at all. */
	char *c = xstrdup("node.labels.glovebox.class==highram");
	fits.constraints = &c;
	fits.n_constraints = 1;
	s = attention_shortage(&w->nl, &w->sl, &w->tl, &fits);
	assert_string_equal(s, "no ready, active node satisfies node.labels.glovebox.class==highram");
	free(s);
	free(c);
}

static void test_shortage_many_nodes(void **state)
{
	(void)state;
	struct world w = {0};
	w.services = json_array();
	w.tasks = json_array();
	w.nodes = json_array();
	char id[16], host[16];
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof id, "m%d", i);
		snprintf(host, sizeof host, "h%d", i);
		add_node(&w, id, host, 1, GIB, "default", "active");
	}
	add_service(&w, "s-big", "big", "alice", NULL, 2, GIB / 2, "default");
	decode_world(&w);
	char *s = attention_shortage(&w.nl, &w.sl, &w.tl, &w.sl.v[0]);
	assert_string_equal(s, "CPU short on h0, h1, h2 and 3 more (most free: 1; needs 2)");
	free(s);
	json_decref(w.services);
	json_decref(w.tasks);
	json_decref(w.nodes);
	service_list_clear(&w.sl);
	task_list_clear(&w.tl);
	node_list_clear(&w.nl);
	job_list_clear(&w.jobs);
}

static void test_node_usage(void **state)
{
	struct world *w = *state;
	struct node_usage u;
	node_usage_get(&w->nl.v[0], &w->sl, &w->tl, &u);   /* alpha */
	assert_true(u.cpu_capacity == 2.0);
	assert_true(u.cpu_reserved == 1.5);
	assert_int_equal(u.mem_capacity, 4 * GIB);
	assert_int_equal(u.mem_reserved, GIB);
	/* healthy and the restarted oomy run there; the failed one does not count. */
	assert_int_equal(u.tasks_running, 2);
	assert_string_equal(u.class_name, "default");

	node_usage_get(&w->nl.v[1], &w->sl, &w->tl, &u);   /* beta */
	assert_true(u.cpu_reserved == 0);
	assert_int_equal(u.mem_reserved, 0);
	assert_int_equal(u.tasks_running, 3);               /* old, older, external */

	node_usage_get(&w->nl.v[2], &w->sl, &w->tl, &u);   /* gamma */
	assert_int_equal(u.tasks_running, 0);
	assert_string_equal(u.class_name, "gpu");
}

/* The drain warning's list: each job once, at most five, unnamed ones counted only. */
static void test_node_running_jobs(void **state)
{
	struct world *w = *state;
	unsigned count = 99;
	char *names = node_running_jobs(&w->nl.v[0], &w->sl, &w->tl, &count);   /* alpha */
	assert_int_equal(count, 2);
	assert_string_equal(names, "healthy, oomy");
	free(names);
	names = node_running_jobs(&w->nl.v[1], &w->sl, &w->tl, &count);         /* beta */
	assert_int_equal(count, 3);
	assert_string_equal(names, "old, older, external");
	free(names);
	names = node_running_jobs(&w->nl.v[2], &w->sl, &w->tl, &count);         /* gamma */
	assert_int_equal(count, 0);
	assert_null(names);

	/* Two replicas of one job, a job named like the start of another, a task of no known job. */
	add_service(w, "s-j", "job", "bob", NULL, 0, 0, NULL);
	add_service(w, "s-j2", "job2", "bob", NULL, 0, 0, NULL);
	add_task(w, "t-j1", "s-j", "n3", 1, H1_AGO, "running", NULL, "c-j1", 0);
	add_task(w, "t-j2", "s-j", "n3", 2, H1_AGO, "running", NULL, "c-j2", 0);
	add_task(w, "t-j3", "s-j2", "n3", 1, H1_AGO, "running", NULL, "c-j3", 0);
	add_task(w, "t-j4", "s-gone", "n3", 1, H1_AGO, "running", NULL, "c-j4", 0);
	service_list_clear(&w->sl);
	task_list_clear(&w->tl);
	node_list_clear(&w->nl);
	job_list_clear(&w->jobs);
	decode_world(w);
	names = node_running_jobs(&w->nl.v[2], &w->sl, &w->tl, &count);
	assert_int_equal(count, 4);
	assert_string_equal(names, "job, job2");
	free(names);
}

/* ---- lifetime ---- */

static void test_expiry(void **state)
{
	struct world *w = *state;
	char buf[64];
	format_expiry(buf, sizeof buf, NOW + 3 * 3600, NOW);
	assert_string_equal(buf, "expires in 3h");
	format_expiry(buf, sizeof buf, NOW + 3 * 3600 - 1, NOW);
	assert_string_equal(buf, "expires in 2h");
	format_expiry(buf, sizeof buf, NOW + 90, NOW);
	assert_string_equal(buf, "expires in 1m");
	format_expiry(buf, sizeof buf, NOW - 720, NOW);
	assert_string_equal(buf, "expired 12m ago");
	format_expiry(buf, sizeof buf, NOW, NOW);
	assert_string_equal(buf, "expired 0s ago");
	format_expiry(buf, sizeof buf, NOW - 2 * 86400, NOW);
	assert_string_equal(buf, "expired 2d ago");

	int64_t at = 0;
	assert_true(job_expires_at(job_named(w, "healthy"), &at));
	assert_int_equal(at, NOW + 3 * 3600);
	assert_false(job_expires_at(job_named(w, "loopy"), &at));

	struct label bad = {(char *)(uintptr_t)"glovebox.expires-at", (char *)(uintptr_t)"tomorrow"};
	struct service s = {.labels = {&bad, 1}};
	assert_false(service_expires_at(&s, &at));
	struct label zulu = {(char *)(uintptr_t)"glovebox.expires-at", (char *)(uintptr_t)"2026-11-22T09:11:44+01:00"};
	s.labels.v = &zulu;
	assert_true(service_expires_at(&s, &at));
	assert_int_equal(at, NOW);
	assert_false(service_expires_at(NULL, &at));
}

/* ---- restart history ---- */

struct oom_table {
	const char *cid;
	bool oom;
};

static bool lookup(const void *ud, const char *cid, bool *oom)
{
	for (const struct oom_table *t = ud; t->cid; t++)
		if (strcmp(t->cid, cid) == 0) {
			*oom = t->oom;
			return true;
		}
	return false;
}

static void tasks_from(json_t *arr, struct task_list *out)
{
	char *s = json_dumps(arr, 0);
	assert_int_equal(decode_tasks(s, strlen(s), out, NULL), 0);
	free(s);
	json_decref(arr);
}

static void test_history(void **state)
{
	struct world *w = *state;
	struct restart_history *h = restart_history_new();
	struct world round = {0};
	unsigned ooms = 9;
	assert_int_equal(restart_history_failures(h, "s-loop", &ooms), 0);
	assert_int_equal(ooms, 0);

	restart_history_update(h, &w->sl, &w->tl, NULL, NULL);
	assert_int_equal(restart_history_failures(h, "s-loop", &ooms), 3);
	assert_int_equal(ooms, 0);
	/* Seen again: counted once. */
	restart_history_update(h, &w->sl, &w->tl, NULL, NULL);
	assert_int_equal(restart_history_failures(h, "s-loop", NULL), 3);

	/* The swarm forgot the two oldest, two more failed: glovebox remembers five. */
	round.tasks = json_array();
	add_task(&round, "t-l3", "s-loop", "n2", 1, MIN12_AGO, "failed", "task: non-zero exit (2)", "c-l3", 2);
	add_task(&round, "t-l5", "s-loop", "n2", 1, MIN1_AGO, "failed", "task: non-zero exit (137)", "c-l5", 137);
	add_task(&round, "t-l6", "s-loop", "n2", 1, NOW_ISO, "failed", "task: non-zero exit (137)", "c-l6", 137);
	struct task_list tl = {0};
	tasks_from(round.tasks, &tl);
	restart_history_update(h, &w->sl, &tl, NULL, NULL);
	assert_int_equal(restart_history_failures(h, "s-loop", &ooms), 5);
	assert_int_equal(ooms, 0);
	/* The container of t-l5 is inspected later: an OOM kill, counted once however often seen. */
	const struct oom_table table[] = {{"c-l5", true}, {"c-l6", false}, {NULL, false}};
	restart_history_update(h, &w->sl, &tl, lookup, table);
	restart_history_update(h, &w->sl, &tl, lookup, table);
	assert_int_equal(restart_history_failures(h, "s-loop", &ooms), 5);
	assert_int_equal(ooms, 1);
	const struct seen_failure *v;
	size_t n = restart_history_list(h, "s-loop", &v);
	assert_int_equal(n, 5);
	assert_string_equal(v[0].task_id, "t-l1");    /* oldest first */
	assert_string_equal(v[4].task_id, "t-l6");
	assert_true(v[3].oom);
	assert_int_equal(v[3].exit_code, 137);
	assert_string_equal(v[3].err, "task: non-zero exit (137)");

	/* The history makes the job a restart loop, whatever the swarm still shows. */
	struct attention_inputs in = inputs(w);
	in.history = h;
	struct attention a;
	attention_assess(&in, job_named(w, "loopy"), &a);
	assert_int_equal(a.kind, ATT_OOM);   /* one of them was an OOM kill */
	assert_int_equal(a.failures, 5);
	assert_contains(a.why, "OOM killed 1 time");
	attention_clear(&a);

	/* A service that is gone is forgotten. */
	struct service_list none = {0};
	restart_history_update(h, &none, &tl, NULL, NULL);
	assert_int_equal(restart_history_failures(h, "s-loop", NULL), 0);
	assert_int_equal(restart_history_list(h, "s-loop", &v), 0);
	task_list_clear(&tl);
	restart_history_free(&h);
	assert_null(h);
	restart_history_free(&h);
}

static void test_history_bounded(void **state)
{
	struct world *w = *state;
	struct restart_history *h = restart_history_new();
	char id[16], ts[32];
	for (int round = 0; round < 3; round++) {
		struct world r = {0};
		r.tasks = json_array();
		for (int i = 0; i < 50; i++) {
			int k = round * 50 + i;
			snprintf(id, sizeof id, "t-%03d", k);
			snprintf(ts, sizeof ts, "2026-11-22T0%d:%02d:%02dZ", k / 3600 + 1, (k / 60) % 60, k % 60);
			add_task(&r, id, "s-loop", "n2", 1, ts, "failed", NULL, NULL, 1);
		}
		struct task_list tl = {0};
		tasks_from(r.tasks, &tl);
		restart_history_update(h, &w->sl, &tl, NULL, NULL);
		task_list_clear(&tl);
	}
	const struct seen_failure *v;
	assert_int_equal(restart_history_failures(h, "s-loop", NULL), 150);
	assert_int_equal(restart_history_list(h, "s-loop", &v), RESTART_HISTORY_KEEP);
	assert_string_equal(v[0].task_id, "t-050");
	assert_string_equal(v[RESTART_HISTORY_KEEP - 1].task_id, "t-149");
	restart_history_free(&h);
}

/* ---- tasks of a job ---- */

static void test_job_tasks(void **state)
{
	(void)state;
	struct world w = {0};
	w.tasks = json_array();
	add_task(&w, "a", "s1", "n1", 2, MIN30_AGO, "failed", NULL, NULL, 1);
	add_task(&w, "b", "s1", "n1", 1, H1_AGO, "failed", NULL, NULL, 1);
	add_task(&w, "c", "s2", "n1", 1, MIN1_AGO, "running", NULL, NULL, 0);
	add_task(&w, "d", "s1", "n1", 1, MIN1_AGO, "running", NULL, NULL, 0);
	add_task(&w, "e", "s1", "n1", 2, MIN1_AGO, "running", NULL, NULL, 0);
	struct task_list tl = {0};
	tasks_from(w.tasks, &tl);
	struct service s = {.id = (char *)(uintptr_t)"s1", .mode = MODE_REPLICATED};
	const struct task **v = NULL;
	size_t n = job_tasks(&tl, &s, &v);
	assert_int_equal(n, 4);
	const char *want[] = {"d", "b", "e", "a"};
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i]->id, want[i]);
	free(v);
	v = NULL;
	struct service none = {.id = (char *)(uintptr_t)"s9"};
	assert_int_equal(job_tasks(&tl, &none, &v), 0);
	free(v);
	task_list_clear(&tl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rank, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_why, world_setup, world_teardown),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test_setup_teardown(test_shortage, world_setup, world_teardown),
		cmocka_unit_test(test_shortage_many_nodes),
		cmocka_unit_test_setup_teardown(test_node_usage, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_node_running_jobs, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_expiry, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_history, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_history_bounded, world_setup, world_teardown),
		cmocka_unit_test(test_job_tasks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
