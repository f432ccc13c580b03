/* jobview.h: the jobs every screen and command reads, filtered by role, ranked by attention,
 * with the restart history fed across updates and rebuilt only when something changed. */
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
#include "api/engine/decode.h"
#include "api/swarm/jobview.h"
#include "tests/unit/support.h"

#define NOW INT64_C(1795335104)           /* 2026-11-22T08:11:44Z */
#define NOW_ISO "2026-11-22T08:11:44Z"
#define MIN30_AGO "2026-11-22T07:41:44Z"
#define MIN1_AGO "2026-11-22T08:10:44Z"
#define MIN12_AGO "2026-11-22T07:59:44Z"
#define H2_AGO "2026-11-22T06:11:44Z"
#define H1_AGO "2026-11-22T07:11:44Z"
#define IN_3H "2026-11-22T11:11:44Z"
#define GIB INT64_C(1073741824)

static const struct actor alice = {"alice", ROLE_RESEARCHER};
static const struct actor bob = {"bob", ROLE_RESEARCHER};
static const struct actor admin = {"root", ROLE_ADMIN};

/* ---- fixture clusters, built as engine JSON and decoded as the cluster decodes it ---- */

struct world {
	json_t *services, *tasks, *nodes;
	struct service_list sl;
	struct task_list tl;
	struct node_list nl;
	struct engine_info info;
	struct cstate cs[4];
	size_t n_cs;
	uint64_t generation;
};

static void add_node(struct world *w, const char *id, const char *host, double cpus, int64_t mem)
{
	json_array_append_new(w->nodes, json_pack(
		"{s:s, s:{s:s, s:s}, s:{s:s, s:{s:I, s:I}}, s:{s:s}}",
		"ID", id, "Spec", "Role", "worker", "Availability", "active",
		"Description", "Hostname", host, "Resources", "NanoCPUs", (json_int_t)(cpus * 1e9),
		"MemoryBytes", (json_int_t)mem, "Status", "State", "ready"));
}

/* A replicated service with one replica reserving cpus and mem; owner and expires may be NULL. */
static void add_service(struct world *w, const char *id, const char *name, const char *owner,
                        const char *expires, double cpus, int64_t mem)
{
	json_t *labels = json_object();
	if (owner)
		json_object_set_new(labels, "glovebox.owner", json_string(owner));
	if (expires)
		json_object_set_new(labels, "glovebox.expires-at", json_string(expires));
	json_t *tt = json_pack("{s:{s:s}, s:{s:{s:I, s:I}, s:{s:I, s:I}}}",
		"ContainerSpec", "Image", "img@sha256:0123",
		"Resources", "Limits", "NanoCPUs", (json_int_t)1000000000, "MemoryBytes", (json_int_t)GIB,
		"Reservations", "NanoCPUs", (json_int_t)(cpus * 1e9), "MemoryBytes", (json_int_t)mem);
	json_t *spec = json_pack("{s:s, s:o, s:{s:{s:I}}, s:o}", "Name", name, "Labels", labels,
		"Mode", "Replicated", "Replicas", (json_int_t)1, "TaskTemplate", tt);
	json_t *svc = json_pack("{s:s, s:{s:I}, s:s, s:o}", "ID", id, "Version", "Index", (json_int_t)7,
		"CreatedAt", H2_AGO, "Spec", spec);
	assert_non_null(svc);
	json_array_append_new(w->services, svc);
}

static void add_task(json_t *tasks, const char *id, const char *svc, const char *node,
                     const char *when, const char *state, const char *err, const char *cid, int exit_code)
{
	json_t *status = json_pack("{s:s, s:s}", "Timestamp", when, "State", state);
	if (err)
		json_object_set_new(status, "Err", json_string(err));
	if (cid)
		json_object_set_new(status, "ContainerStatus",
		                    json_pack("{s:s, s:i}", "ContainerID", cid, "ExitCode", exit_code));
	json_t *t = json_pack("{s:s, s:s, s:i, s:s, s:s, s:o}", "ID", id, "ServiceID", svc, "Slot", 1,
	                      "CreatedAt", when, "DesiredState",
	                      strcmp(state, "failed") == 0 ? "shutdown" : "running", "Status", status);
	if (node)
		json_object_set_new(t, "NodeID", json_string(node));
	json_array_append_new(tasks, t);
}

static void decode_tasks_json(json_t *arr, struct task_list *out)
{
	char *s = json_dumps(arr, 0);
	task_list_clear(out);
	assert_int_equal(decode_tasks(s, strlen(s), out, NULL), 0);
	free(s);
}

/* The lists as a cluster would hold them after a refresh; each decode is a new generation. */
static void decode_world(struct world *w)
{
	char *s = json_dumps(w->services, 0);
	service_list_clear(&w->sl);
	assert_int_equal(decode_services(s, strlen(s), &w->sl, NULL), 0);
	free(s);
	decode_tasks_json(w->tasks, &w->tl);
	s = json_dumps(w->nodes, 0);
	node_list_clear(&w->nl);
	assert_int_equal(decode_nodes(s, strlen(s), &w->nl, NULL), 0);
	free(s);
	w->generation++;
}

static struct jobview_source source(const struct world *w)
{
	return (struct jobview_source){
		.services = &w->sl, .tasks = &w->tl, .nodes = &w->nl, .info = &w->info,
		.cstates = w->cs, .n_cstates = w->n_cs, .generation = w->generation, .current = true,
	};
}

/* The same cluster as test_attention.c, with one more owner's job. */
static int world_setup(void **state)
{
	struct world *w = xcalloc(1, sizeof *w);
	w->services = json_array();
	w->tasks = json_array();
	w->nodes = json_array();
	w->info.node_id = xstrdup("n1");
	w->info.ncpu = 2;
	w->info.mem_total = 4 * GIB;
	add_node(w, "n1", "alpha", 2, 4 * GIB);
	add_node(w, "n2", "beta", 4, 2 * GIB);

	add_service(w, "s-run", "healthy", "alice", IN_3H, 1.5, GIB);
	add_task(w->tasks, "t-run", "s-run", "n1", H1_AGO, "running", NULL, "c-run", 0);

	/* OOM killed once, restarted, and past its lifetime too. */
	add_service(w, "s-oom", "oomy", "alice", MIN12_AGO, 0, 0);
	add_task(w->tasks, "t-oom1", "s-oom", "n1", H1_AGO, "failed", "task: non-zero exit (137)", "c-oom1", 137);
	add_task(w->tasks, "t-oom2", "s-oom", "n1", MIN1_AGO, "running", NULL, "c-oom2", 0);
	w->cs[w->n_cs++] = (struct cstate){"c-oom1", true, 137};

	add_service(w, "s-loop", "loopy", "bob", NULL, 0, 0);
	add_task(w->tasks, "t-l1", "s-loop", "n2", H1_AGO, "failed", "task: non-zero exit (1)", "c-l1", 1);
	add_task(w->tasks, "t-l2", "s-loop", "n2", MIN30_AGO, "failed", "task: non-zero exit (1)", "c-l2", 1);
	add_task(w->tasks, "t-l3", "s-loop", "n2", MIN12_AGO, "failed", "task: non-zero exit (2)", "c-l3", 2);
	add_task(w->tasks, "t-l4", "s-loop", "n2", MIN1_AGO, "starting", NULL, NULL, 0);

	add_service(w, "s-pend", "waiting", "bob", IN_3H, 1, 3 * GIB);
	add_task(w->tasks, "t-p", "s-pend", NULL, MIN30_AGO, "pending",
	         "no suitable node (insufficient resources on 2 nodes)", NULL, 0);

	add_service(w, "s-exp", "old", "alice", MIN12_AGO, 0, 0);
	add_task(w->tasks, "t-e", "s-exp", "n2", H1_AGO, "running", NULL, "c-e", 0);

	add_service(w, "s-fail", "broken", "bob", NULL, 0, 0);
	add_task(w->tasks, "t-f", "s-fail", "n2", MIN30_AGO, "failed", "task: non-zero exit (3)", "c-f", 3);

	add_service(w, "s-carol", "carols", "carol", NULL, 0, 0);
	add_task(w->tasks, "t-c", "s-carol", "n2", H1_AGO, "running", NULL, "c-c", 0);

	add_service(w, "s-ext", "external", NULL, NULL, 0, 0);
	add_task(w->tasks, "t-x", "s-ext", "n2", H1_AGO, "running", NULL, "c-x", 0);

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
	engine_info_clear(&w->info);
	free(w);
	return 0;
}

static void assert_names(const struct jobview *v, const char *const *want, size_t n)
{
	assert_int_equal(jobview_count(v), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(jobview_job(v, i)->name, want[i]);
}

/* ---- who sees what ---- */

static void test_researcher_sees_own(void **state)
{
	struct world *w = *state;
	struct jobview *v = jobview_new(NULL);
	struct jobview_source src = source(w);
	assert_true(jobview_update(v, &src, &alice, NOW));
	/* Name order, whatever the services' order. */
	const char *const mine[] = {"healthy", "old", "oomy"};
	assert_names(v, mine, 3);
	assert_int_equal(jobview_jobs(v)->n, 3);
	for (size_t i = 0; i < jobview_count(v); i++)
		assert_string_equal(jobview_job(v, i)->owner, "alice");
	assert_null(jobview_job(v, 3));
	assert_null(jobview_attention(v, 3));

	/* Bob is someone else: the same data, another account, rebuilt. */
	assert_true(jobview_update(v, &src, &bob, NOW));
	const char *const his[] = {"broken", "loopy", "waiting"};
	assert_names(v, his, 3);

	/* Nobody's jobs are an account without a name's. */
	const struct actor nobody = {NULL, ROLE_RESEARCHER};
	assert_true(jobview_update(v, &src, &nobody, NOW));
	assert_int_equal(jobview_count(v), 0);
	assert_int_equal(jobview_ranked(v, 0), 0);
	jobview_free(&v);
	assert_null(v);
	jobview_free(&v);
}

static void test_admin_sees_all(void **state)
{
	struct world *w = *state;
	struct jobview *v = jobview_new(NULL);
	struct jobview_source src = source(w);
	assert_true(jobview_update(v, &src, &admin, NOW));
	const char *const all[] = {"broken", "carols", "external", "healthy", "loopy", "old", "oomy", "waiting"};
	assert_names(v, all, 8);
	/* The service not made by glovebox is there, flagged as such. */
	size_t i = 99;
	const struct job *ext = jobview_find(v, "external", &i, NULL);
	assert_non_null(ext);
	assert_int_equal(i, 2);
	assert_false(ext->managed);
	assert_null(ext->owner);
	/* A researcher never sees it, even one whose name matches nothing. */
	assert_true(jobview_update(v, &src, &(struct actor){"external", ROLE_RESEARCHER}, NOW));
	assert_int_equal(jobview_count(v), 0);
	jobview_free(&v);
}

/* ---- the attention order ---- */

static void test_attention_order(void **state)
{
	struct world *w = *state;
	struct jobview *v = jobview_new(NULL);
	struct jobview_source src = source(w);
	assert_true(jobview_update(v, &src, &admin, NOW));
	const char *const want[] = {"oomy", "loopy", "waiting", "old", "broken", "carols", "external", "healthy"};
	const enum attention_kind kinds[] = {ATT_OOM, ATT_RESTARTS, ATT_PENDING, ATT_EXPIRED, ATT_FAILED,
	                                     ATT_NONE, ATT_NONE, ATT_NONE};
	assert_int_equal(jobview_count(v), sizeof want / sizeof want[0]);
	for (size_t k = 0; k < jobview_count(v); k++) {
		size_t i = jobview_ranked(v, k);
		assert_string_equal(jobview_job(v, i)->name, want[k]);
		assert_int_equal(jobview_attention(v, i)->kind, kinds[k]);
	}
	/* The pending job says which resource is short where: the nodes were used. */
	size_t i;
	assert_non_null(jobview_find(v, "waiting", &i, NULL));
	assert_non_null(jobview_attention(v, i)->shortage);
	assert_non_null(strstr(jobview_attention(v, i)->why, "pending 30m"));
	jobview_free(&v);

	/* A longer threshold (ls --pending-after): a 30-minute wait is no longer news. */
	v = jobview_new(&(struct jobview_opts){.pending_threshold = 3600});
	assert_true(jobview_update(v, &src, &bob, NOW));
	assert_non_null(jobview_find(v, "waiting", &i, NULL));
	assert_int_equal(jobview_attention(v, i)->kind, ATT_NONE);
	assert_string_equal(jobview_job(v, jobview_ranked(v, 0))->name, "loopy");
	jobview_free(&v);
}

/* ---- the restart history ---- */

static void test_history_beyond_swarm(void **state)
{
	struct world *w = *state;
	struct jobview *v = jobview_new(NULL);
	struct jobview_source src = source(w);
	assert_true(jobview_update(v, &src, &bob, NOW));
	size_t i;
	const struct job *j = jobview_find(v, "loopy", &i, NULL);
	assert_int_equal(j->failures, 3);
	assert_int_equal(jobview_attention(v, i)->failures, 3);

	/* The next refresh: the swarm forgot the two oldest failures, two more happened. */
	json_t *round = json_array();
	add_task(round, "t-l3", "s-loop", "n2", MIN12_AGO, "failed", "task: non-zero exit (2)", "c-l3", 2);
	add_task(round, "t-l5", "s-loop", "n2", MIN1_AGO, "failed", "task: non-zero exit (1)", "c-l5", 1);
	add_task(round, "t-l6", "s-loop", "n2", MIN1_AGO, "failed", "task: non-zero exit (1)", "c-l6", 1);
	add_task(round, "t-l7", "s-loop", "n2", NOW_ISO, "starting", NULL, NULL, 0);
	decode_tasks_json(round, &w->tl);
	json_decref(round);
	w->generation++;
	src = source(w);
	assert_true(jobview_update(v, &src, &bob, NOW));
	j = jobview_find(v, "loopy", &i, NULL);
	assert_int_equal(j->failures, 3);                            /* what the swarm still has */
	assert_int_equal(jobview_attention(v, i)->failures, 5);     /* what glovebox saw */
	assert_int_equal(jobview_attention(v, i)->kind, ATT_RESTARTS);
	assert_non_null(strstr(jobview_attention(v, i)->why, "restart loop: 5 failures"));
	assert_int_equal(restart_history_failures(jobview_history(v), "s-loop", NULL), 5);

	/* Seen again, counted once. */
	w->generation++;
	src = source(w);
	assert_true(jobview_update(v, &src, &bob, NOW));
	assert_int_equal(restart_history_failures(jobview_history(v), "s-loop", NULL), 5);

	/* Data of a failed refresh is not fed in: the same failures under other IDs are not news. */
	json_t *stale = json_array();
	add_task(stale, "t-l8", "s-loop", "n2", NOW_ISO, "failed", NULL, NULL, 1);
	decode_tasks_json(stale, &w->tl);
	json_decref(stale);
	w->generation++;
	src = source(w);
	src.current = false;
	assert_true(jobview_update(v, &src, &bob, NOW));
	assert_int_equal(restart_history_failures(jobview_history(v), "s-loop", NULL), 5);
	jobview_free(&v);
}

/* OOM kills reach the history through the inspected containers' states. */
static void test_history_oom(void **state)
{
	struct world *w = *state;
	struct jobview *v = jobview_new(NULL);
	struct jobview_source src = source(w);
	assert_true(jobview_update(v, &src, &alice, NOW));
	unsigned ooms = 0;
	assert_int_equal(restart_history_failures(jobview_history(v), "s-oom", &ooms), 1);
	assert_int_equal(ooms, 1);
	/* Every service's history is kept, not only the visible ones'. */
	assert_int_equal(restart_history_failures(jobview_history(v), "s-loop", NULL), 3);
	jobview_free(&v);
}

/* ---- the generation short-cut ---- */

static void test_generation(void **state)
{
	struct world *w = *state;
	struct jobview *v = jobview_new(NULL);
	struct jobview_source src = source(w);
	assert_true(jobview_update(v, &src, &alice, NOW));
	const struct job *first = jobview_job(v, 0);
	const struct attention *att = jobview_attention(v, 0);

	/* Nothing changed: nothing rebuilt, every pointer still good. */
	struct actor same = {xstrdup("alice"), ROLE_RESEARCHER};   /* equal, not the same string */
	assert_false(jobview_update(v, &src, &same, NOW + 3600));
	assert_ptr_equal(jobview_job(v, 0), first);
	assert_ptr_equal(jobview_attention(v, 0), att);
	free((char *)(uintptr_t)same.user);

	/* The data changed. */
	decode_world(w);
	src = source(w);
	assert_true(jobview_update(v, &src, &alice, NOW));
	assert_false(jobview_update(v, &src, &alice, NOW));

	/* The role changed (the policy was read): the same account now sees everything. */
	assert_true(jobview_update(v, &src, &(struct actor){"alice", ROLE_ADMIN}, NOW));
	assert_int_equal(jobview_count(v), 8);
	assert_false(jobview_update(v, &src, &(struct actor){"alice", ROLE_ADMIN}, NOW));

	/* Asked to: the clock moved on, the old job expired meanwhile. */
	size_t i;
	assert_non_null(jobview_find(v, "healthy", &i, NULL));
	assert_int_equal(jobview_attention(v, i)->kind, ATT_NONE);
	jobview_invalidate(v);
	assert_true(jobview_update(v, &src, &(struct actor){"alice", ROLE_ADMIN}, NOW + 4 * 3600));
	assert_non_null(jobview_find(v, "healthy", &i, NULL));
	assert_int_equal(jobview_attention(v, i)->kind, ATT_EXPIRED);
	jobview_free(&v);
}

/* The cluster's own generation drives jobview_update_cluster: a cluster that never fetched has
 * nothing, and asking again changes nothing. */
static void test_cluster_source(void **state)
{
	(void)state;
	struct cluster *c = cluster_new(NULL);
	struct jobview *v = jobview_new(NULL);
	assert_true(jobview_update_cluster(v, c, &admin, NOW));
	assert_int_equal(jobview_count(v), 0);
	assert_false(jobview_update_cluster(v, c, &admin, NOW));
	assert_true(jobview_update_cluster(v, c, &alice, NOW));
	struct jobview_tally t;
	jobview_tally(v, &t);
	assert_int_equal(t.jobs, 0);
	assert_non_null(jobview_history(v));
	jobview_free(&v);
	cluster_free(&c);
}

/* ---- lookups, gauges and the tally on the captured engine replies ---- */

#define NODE "23vdylmhhmwdd9h50t85a96n6"
#define OOM_CID "8d5fefc31066bce4516a0af77650258b0e09f9764d43288a71bc5d7e90a99438"
#define RUN_CID "cbac6acca44ad2792b434f1917b901db0613ff36294458556e3e637e304f21c9"

static void test_captured(void **state)
{
	(void)state;
	struct service_list sl = {0};
	struct task_list tl = {0};
	struct node_list nl = {0};
	struct engine_info info = {0};
	size_t len;
	char *body = fixture_read("json/services.json", &len);
	assert_int_equal(decode_services(body, len, &sl, NULL), 0);
	free(body);
	body = fixture_read("json/tasks.json", &len);
	assert_int_equal(decode_tasks(body, len, &tl, NULL), 0);
	free(body);
	body = fixture_read("json/nodes.json", &len);
	assert_int_equal(decode_nodes(body, len, &nl, NULL), 0);
	free(body);
	body = fixture_read("json/info.json", &len);
	assert_int_equal(decode_info(body, len, &info, NULL), 0);
	free(body);
	assert_string_equal(info.node_id, NODE);

	const struct usage usage[] = {{RUN_CID, 50.0, 32 * 1024 * 1024}};
	const struct cstate cs[] = {{OOM_CID, true, 137}};
	struct jobview_source src = {
		.services = &sl, .tasks = &tl, .nodes = &nl, .info = &info, .usage = usage, .n_usage = 1,
		.cstates = cs, .n_cstates = 1, .generation = 1, .current = true,
	};
	struct jobview *v = jobview_new(NULL);
	assert_true(jobview_update(v, &src, &admin, NOW));
	const char *const all[] = {"gbdec-fail", "gbdec-gjob", "gbdec-global", "gbdec-job", "gbdec-oom",
	                           "gbdec-pending", "gbdec-run"};
	assert_names(v, all, 7);

	struct jobview_tally t;
	jobview_tally(v, &t);
	assert_int_equal(t.jobs, 7);
	assert_int_equal(t.running, 2);    /* run, global */
	assert_int_equal(t.pending, 1);
	assert_int_equal(t.failed, 2);     /* fail, and oom */

	/* Lookups: name, ID, unique ID prefix; the errors job_find gives. */
	size_t i = 99;
	char *err = NULL;
	const struct job *j = jobview_find(v, "gbdec-oom", &i, &err);
	assert_non_null(j);
	assert_int_equal(i, 4);
	assert_int_equal(j->state, JOB_OOM);
	assert_int_equal(jobview_attention(v, i)->kind, ATT_OOM);
	assert_ptr_equal(jobview_find(v, "rnh7gsmn9hvhh11kiepasvybf", NULL, &err), j);
	assert_ptr_equal(jobview_find(v, "rnh7", NULL, &err), j);
	assert_ptr_equal(jobview_by_id(v, "rnh7gsmn9hvhh11kiepasvybf", &i), j);
	assert_int_equal(i, 4);
	assert_null(jobview_by_id(v, "rnh7", NULL));
	assert_null(jobview_by_id(v, NULL, NULL));
	assert_null(jobview_find(v, "nosuch", NULL, &err));
	assert_string_equal(err, "no job named \"nosuch\"");
	free(err);
	err = NULL;
	/* Two IDs start with g (gbdec-global, gbdec-job). */
	assert_null(jobview_find(v, "g", NULL, &err));
	assert_non_null(strstr(err, "more than one job's ID"));
	free(err);
	err = NULL;

	/* A researcher: the hostile owner label is an account name like any other. */
	assert_true(jobview_update(v, &src, &bob, NOW));
	const char *const bobs[] = {"gbdec-pending"};
	assert_names(v, bobs, 1);
	assert_null(jobview_find(v, "gbdec-oom", NULL, &err));
	free(err);

	/* Usage against the limits; the node's figures for jobs without one. */
	assert_true(jobview_update(v, &src, &admin, NOW));
	struct gauge cpu, mem;
	assert_non_null(jobview_find(v, "gbdec-run", &i, NULL));
	jobview_gauges(v, i, &cpu, &mem);
	assert_true(cpu.known);
	assert_true(mem.known);
	assert_int_equal((int)mem.total, 64 * 1024 * 1024);   /* --limit-memory 64M */
	assert_int_equal((int)(mem.percent + 0.5), 50);
	assert_non_null(jobview_find(v, "gbdec-global", &i, NULL));
	jobview_gauges(v, i, &cpu, &mem);
	assert_false(cpu.known);                             /* not sampled */
	jobview_gauges(v, 99, &cpu, &mem);
	assert_false(cpu.known);
	assert_false(mem.known);

	jobview_free(&v);
	service_list_clear(&sl);
	task_list_clear(&tl);
	node_list_clear(&nl);
	engine_info_clear(&info);
}

/* Many rebuilds on changing data free what they replace (valgrind and ASan check the rest). */
static void test_many_updates(void **state)
{
	struct world *w = *state;
	struct jobview *v = jobview_new(NULL);
	for (int k = 0; k < 50; k++) {
		char id[32];
		snprintf(id, sizeof id, "t-more-%d", k);
		add_task(w->tasks, id, "s-loop", "n2", NOW_ISO, "failed", "task: non-zero exit (1)", NULL, 1);
		decode_world(w);
		struct jobview_source src = source(w);
		assert_true(jobview_update(v, &src, k % 2 ? &admin : &bob, NOW));
	}
	assert_int_equal(restart_history_failures(jobview_history(v), "s-loop", NULL), 53);
	jobview_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_researcher_sees_own, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_admin_sees_all, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_attention_order, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_history_beyond_swarm, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_history_oom, world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_generation, world_setup, world_teardown),
		cmocka_unit_test(test_cluster_source),
		cmocka_unit_test(test_captured),
		cmocka_unit_test_setup_teardown(test_many_updates, world_setup, world_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
