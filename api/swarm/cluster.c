#include "api/swarm/cluster.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/base/str.h"
#include "api/base/xalloc.h"
#include "api/engine/decode.h"
#include "api/engine/stats.h"
#include "api/metrics/prom.h"
#include "api/metrics/promusage.h"

enum fetch { F_PING, F_INFO, F_SERVICES, F_TASKS, F_NODES, F_COUNT };

/* One container on the connected node that we sample or inspected. */
struct tracked {
	char *cid;
	struct stats_sample last;      /* previous one-shot sample, for CPU deltas */
	bool has_last, has_usage, inspected;
	double cpu_percent;
	uint64_t mem_used;
	bool oom_killed;
	int exit_code;
	struct engine_req *req;
	uint64_t seen;                 /* generation in which a task still referred to it */
};

struct req_ctx {
	struct cluster *c;
	enum fetch what;
	char *cid;                     /* for stats and inspect */
	bool precise;
};

struct cluster {
	struct engine *engine;
	cluster_changed_fn changed;
	void *changed_ud;
	struct engine_req *fetch[F_COUNT];
	bool want_after_ping;
	bool round_failed;             /* a fetch of the current refresh failed */
	struct engine_info info;
	struct service_list services;
	struct task_list tasks;
	struct node_list nodes;
	struct tracked *tracked;
	size_t n_tracked;
	char *error;
	bool unreachable;
	int64_t updated_ns;
	int64_t info_ns;               /* when /info last answered; 0 = ask at the next refresh */
	uint64_t generation;
	int64_t engine_usage_ns;       /* mono: when engine stats last arrived */
	/* Usage from Prometheus (cluster_usage_source) */
	struct prom *prom;             /* made at the first sample when the engine has a metrics remote */
	struct prom_req *prom_req;     /* the round in flight */
	struct prom_usage prom_usage;  /* the last good round's figures */
	int64_t prom_ns;               /* mono: when they arrived; 0 = never */
	char *prom_error;
	int64_t prom_retry_ns;         /* mono: no round before this (backoff after a failure) */
	int64_t prom_backoff_ms;
	long prom_window_s;
};

#define PROM_BACKOFF_FIRST_MS 1000
#define PROM_BACKOFF_MAX_MS   30000

/* /info makes the engine run `runc --version` and friends: costly at every refresh, and what
 * glovebox takes from it (the local node, the swarm) rarely changes. */
#define INFO_EVERY_NS (60 * 1000000000LL)

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct cluster *cluster_new(struct engine *e)
{
	struct cluster *c = xcalloc(1, sizeof *c);
	c->engine = e;
	return c;
}

static void tracked_drop(struct cluster *c, size_t i)
{
	struct tracked *t = &c->tracked[i];
	if (t->req) {   /* a cancelled request calls nothing back: its context is ours to free */
		struct req_ctx *ctx = engine_cancel(c->engine, t->req);
		free(ctx->cid);
		free(ctx);
	}
	free(t->cid);
	stats_sample_clear(&t->last);
	c->tracked[i] = c->tracked[--c->n_tracked];
}

void cluster_free(struct cluster **pc)
{
	struct cluster *c = *pc;
	if (!c)
		return;
	for (int i = 0; i < F_COUNT; i++)
		if (c->fetch[i])
			free(engine_cancel(c->engine, c->fetch[i]));
	while (c->n_tracked)
		tracked_drop(c, c->n_tracked - 1);
	free(c->tracked);
	if (c->prom_req)
		prom_cancel(c->prom, c->prom_req);
	prom_free(&c->prom);
	prom_usage_clear(&c->prom_usage);
	free(c->prom_error);
	engine_info_clear(&c->info);
	service_list_clear(&c->services);
	task_list_clear(&c->tasks);
	node_list_clear(&c->nodes);
	free(c->error);
	free(c);
	*pc = NULL;
}

void cluster_set_listener(struct cluster *c, cluster_changed_fn fn, void *ud)
{
	c->changed = fn;
	c->changed_ud = ud;
}

static void notify(struct cluster *c)
{
	c->generation++;
	if (c->changed)
		c->changed(c->changed_ud);
}

static void set_error(struct cluster *c, const char *msg, bool unreachable)
{
	free(c->error);
	c->error = xstrdup(msg);
	c->unreachable = unreachable;
}

static void fetch_start(struct cluster *c, enum fetch f);

static bool fetching(const struct cluster *c)
{
	for (int i = 0; i < F_COUNT; i++)
		if (c->fetch[i])
			return true;
	return false;
}

/* In cluster_on_fetch: decode the reply into a new list of type T and put it in place of
 * *dst, which stays as it was when the reply does not decode. */
#define TAKE_LIST(T, decode, dst)                                                                \
	do {                                                                                         \
		struct T l = {0};                                                                        \
		rc = decode(r->body, r->len, &l, &err);                                                  \
		if (rc == 0) {                                                                           \
			T##_clear(dst);                                                                      \
			*(dst) = l;                                                                          \
		}                                                                                        \
	} while (0)

static void cluster_on_fetch(void *ud, const struct engine_reply *r)
{
	struct req_ctx *ctx = ud;
	struct cluster *c = ctx->c;
	enum fetch f = ctx->what;
	free(ctx);
	c->fetch[f] = NULL;
	if (r->error) {
		c->round_failed = true;
		c->info_ns = 0;   /* the engine may come back as another one */
		set_error(c, r->error, r->unreachable);
		if (f == F_PING || r->unreachable)
			engine_reset_version(c->engine);
		notify(c);
		return;
	}
	char *err = NULL;
	int rc = 0;
	switch (f) {
	case F_PING:
		if (c->want_after_ping) {
			c->want_after_ping = false;
			for (int i = F_INFO; i < F_COUNT; i++)
				fetch_start(c, (enum fetch)i);
		}
		return;
	case F_INFO: {
		struct engine_info info = {0};
		rc = decode_info(r->body, r->len, &info, &err);
		if (rc == 0) {
			engine_info_clear(&c->info);
			c->info = info;
			c->info_ns = now_ns();
		}
		break;
	}
	case F_SERVICES:
		TAKE_LIST(service_list, decode_services, &c->services);
		break;
	case F_TASKS:
		TAKE_LIST(task_list, decode_tasks, &c->tasks);
		break;
	case F_NODES:
		TAKE_LIST(node_list, decode_nodes, &c->nodes);
		break;
	case F_COUNT:
		break;
	}
	if (rc != 0) {
		char *msg = xasprintf("the engine sent a reply glovebox cannot read: %s", err);
		c->round_failed = true;
		set_error(c, msg, false);
		free(msg);
		free(err);
	} else if (!c->round_failed && !fetching(c)) {
		free(c->error);
		c->error = NULL;
		c->unreachable = false;
		c->updated_ns = now_ns();
	}
	notify(c);
}

static void fetch_start(struct cluster *c, enum fetch f)
{
	static const char *const paths[F_COUNT] = {
		[F_INFO] = "/info", [F_SERVICES] = "/services?status=true", [F_TASKS] = "/tasks",
		[F_NODES] = "/nodes",
	};
	static const char *const whats[F_COUNT] = {
		[F_INFO] = "asking the engine about itself", [F_SERVICES] = "listing services",
		[F_TASKS] = "listing tasks", [F_NODES] = "listing nodes",
	};
	if (c->fetch[f])
		return;
	struct req_ctx *ctx = xcalloc(1, sizeof *ctx);
	ctx->c = c;
	ctx->what = f;
	if (f == F_PING)
		c->fetch[f] = engine_negotiate(c->engine, cluster_on_fetch, ctx);
	else
		c->fetch[f] = engine_request(c->engine, "GET", paths[f], NULL, whats[f], cluster_on_fetch, ctx);
}

void cluster_refresh(struct cluster *c)
{
	if (!fetching(c))
		c->round_failed = false;
	if (engine_api_minor(c->engine) == 0) {
		c->want_after_ping = true;
		fetch_start(c, F_PING);
		return;
	}
	bool info_fresh = c->info_ns && now_ns() - c->info_ns < INFO_EVERY_NS;
	for (int i = info_fresh ? F_INFO + 1 : F_INFO; i < F_COUNT; i++)
		fetch_start(c, (enum fetch)i);
}

static struct tracked *tracked_get(struct cluster *c, const char *cid)
{
	for (size_t i = 0; i < c->n_tracked; i++)
		if (strcmp(c->tracked[i].cid, cid) == 0)
			return &c->tracked[i];
	c->tracked = xreallocarray(c->tracked, c->n_tracked + 1, sizeof *c->tracked);
	struct tracked *t = &c->tracked[c->n_tracked++];
	memset(t, 0, sizeof *t);
	t->cid = xstrdup(cid);
	return t;
}

static struct tracked *tracked_find(struct cluster *c, const char *cid)
{
	for (size_t i = 0; i < c->n_tracked; i++)
		if (strcmp(c->tracked[i].cid, cid) == 0)
			return &c->tracked[i];
	return NULL;
}

/* Stats and inspect replies: a failure only means no figures for that container (it may
 * have just stopped); it is not the cluster's error. */
static void on_container(void *ud, const struct engine_reply *r)
{
	struct req_ctx *ctx = ud;
	struct cluster *c = ctx->c;
	struct tracked *t = tracked_find(c, ctx->cid);
	if (t)
		t->req = NULL;
	if (t && !r->error) {
		char *err = NULL;
		if (ctx->what == F_INFO) {  /* container inspect */
			struct container_state cs = {0};
			if (decode_container_state(r->body, r->len, &cs, &err) == 0) {
				t->inspected = true;
				t->oom_killed = cs.oom_killed;
				t->exit_code = cs.exit_code;
				container_state_clear(&cs);
			}
		} else {
			struct stats_sample s = {0};
			if (decode_stats(r->body, r->len, &s, &err) == 0 && !s.empty) {
				if (!ctx->precise && t->has_last) {
					s.precpu_total = t->last.cpu_total;
					s.presystem_cpu = t->last.system_cpu;
				}
				if (ctx->precise || t->has_last)
					t->cpu_percent = stats_cpu_percent(&s);
				t->mem_used = stats_mem_used(&s);
				t->has_usage = ctx->precise || t->has_last;
				if (t->has_usage)
					c->engine_usage_ns = mono_ns();
				stats_sample_clear(&t->last);
				t->last = s;
				t->has_last = true;
			} else {
				stats_sample_clear(&s);
			}
		}
		free(err);
	}
	free(ctx->cid);
	free(ctx);
	notify(c);
}

static void container_request(struct cluster *c, struct tracked *t, bool inspect, bool precise)
{
	struct req_ctx *ctx = xcalloc(1, sizeof *ctx);
	ctx->c = c;
	ctx->cid = xstrdup(t->cid);
	ctx->precise = precise;
	ctx->what = inspect ? F_INFO : F_TASKS;
	char *path;
	if (inspect)
		path = xasprintf("/containers/%s/json", t->cid);
	else if (precise)
		path = xasprintf("/containers/%s/stats?stream=false", t->cid);
	else
		path = xasprintf("/containers/%s/stats?stream=false&one-shot=true", t->cid);
	t->req = engine_request(c->engine, "GET", path, NULL,
	                        inspect ? "inspecting a container" : "reading container usage",
	                        on_container, ctx);
	free(path);
}

const char *usage_source_name(enum usage_source s)
{
	return s == USAGE_PROMETHEUS ? "prometheus" : "engine";
}

static void on_prom(void *ud, const struct prom_result *r, const char *err, bool unreachable)
{
	struct cluster *c = ud;
	(void)unreachable;
	c->prom_req = NULL;
	if (r) {
		prom_usage_clear(&c->prom_usage);
		prom_usage_from(r, &c->prom_usage);
		c->prom_ns = mono_ns();
		free(c->prom_error);
		c->prom_error = NULL;
		c->prom_backoff_ms = 0;
		c->prom_retry_ns = 0;
	} else {
		free(c->prom_error);
		c->prom_error = xstrdup(err);
		c->prom_backoff_ms = c->prom_backoff_ms ? c->prom_backoff_ms * 2 : PROM_BACKOFF_FIRST_MS;
		if (c->prom_backoff_ms > PROM_BACKOFF_MAX_MS)
			c->prom_backoff_ms = PROM_BACKOFF_MAX_MS;
		c->prom_retry_ns = mono_ns() + c->prom_backoff_ms * 1000000LL;
	}
	notify(c);
}

/* One round of the usage query, unless one is in flight or the backoff says wait. */
static void prom_round(struct cluster *c)
{
	if (c->prom_req || (c->prom_retry_ns && mono_ns() < c->prom_retry_ns))
		return;
	char *q = prom_usage_query(c->prom_window_s);
	c->prom_req = prom_query(c->prom, q, "reading usage across the cluster", on_prom, c);
	free(q);
}

/* The metrics remote the session configured, once: a client for it. */
static void prom_attach(struct cluster *c)
{
	if (c->prom)
		return;
	const struct engine_remote *rm = engine_remote(c->engine, "metrics");
	if (!rm)
		return;
	c->prom = prom_new(c->engine, rm);
	c->prom_window_s = rm->user_param;
}

void cluster_sample(struct cluster *c, bool precise)
{
	if (engine_api_minor(c->engine) == 0)
		return;
	prom_attach(c);
	struct job_inputs in = {
		.services = &c->services, .tasks = &c->tasks, .local_node_id = c->info.node_id,
	};
	uint64_t gen = ++c->generation;
	const char **ids = NULL;
	size_t n = 0;
	if (c->prom) {
		prom_round(c);
	} else {
		n = jobs_running_local_containers(&in, &ids);
		for (size_t i = 0; i < n; i++) {
			struct tracked *t = tracked_get(c, ids[i]);
			t->seen = gen;
			if (!t->req)
				container_request(c, t, false, precise);
		}
		free(ids);
		ids = NULL;
	}
	n = jobs_failed_local_containers(&in, &ids);
	for (size_t i = 0; i < n; i++) {
		struct tracked *t = tracked_get(c, ids[i]);
		t->seen = gen;
		if (!t->req && !t->inspected)
			container_request(c, t, true, false);
	}
	free(ids);
	/* Forget containers no task refers to any more. */
	for (size_t i = c->n_tracked; i-- > 0;)
		if (c->tracked[i].seen != gen)
			tracked_drop(c, i);
}

enum usage_source cluster_usage_source(const struct cluster *c)
{
	return c->prom || engine_remote(c->engine, "metrics") ? USAGE_PROMETHEUS : USAGE_ENGINE;
}

int64_t cluster_usage_age_ms(const struct cluster *c)
{
	int64_t at = c->prom ? c->prom_ns : c->engine_usage_ns;
	return at ? (mono_ns() - at) / 1000000 : -1;
}

const char *cluster_usage_error(const struct cluster *c) { return c->prom_error; }
const char *cluster_usage_url(const struct cluster *c)
{
	const struct engine_remote *rm = engine_remote(c->engine, "metrics");
	return c->prom ? prom_url(c->prom) : rm ? rm->base_url : NULL;
}

struct prom *cluster_prom(const struct cluster *c)
{
	return c->prom;
}

bool cluster_node_used(const struct cluster *c, const char *node_id, bool *cpu_known,
                       double *cpu_percent, bool *mem_known, uint64_t *mem_used)
{
	const struct prom_node *n = c->prom && c->prom_ns ? prom_usage_node(&c->prom_usage, node_id) : NULL;
	*cpu_known = n && n->has_cpu;
	*mem_known = n && n->has_mem;
	*cpu_percent = n ? n->cpu_percent : 0;
	*mem_used = n ? n->mem_used : 0;
	return n != NULL;
}

bool cluster_busy(const struct cluster *c)
{
	if (fetching(c))
		return true;
	for (size_t i = 0; i < c->n_tracked; i++)
		if (c->tracked[i].req)
			return true;
	return false;
}

const char *cluster_error(const struct cluster *c) { return c->error; }
bool cluster_unreachable(const struct cluster *c) { return c->unreachable; }
int64_t cluster_updated_ns(const struct cluster *c) { return c->updated_ns; }
uint64_t cluster_generation(const struct cluster *c) { return c->generation; }
const struct engine_info *cluster_info(const struct cluster *c) { return &c->info; }
const struct service_list *cluster_services(const struct cluster *c) { return &c->services; }
const struct task_list *cluster_tasks(const struct cluster *c) { return &c->tasks; }
const struct node_list *cluster_nodes(const struct cluster *c) { return &c->nodes; }

bool cluster_container_oom(const struct cluster *c, const char *cid, bool *oom_killed)
{
	for (size_t i = 0; cid && i < c->n_tracked; i++)
		if (c->tracked[i].inspected && strcmp(c->tracked[i].cid, cid) == 0) {
			*oom_killed = c->tracked[i].oom_killed;
			return true;
		}
	/* Prometheus confirms OOM kills on any node; its silence proves nothing. */
	const struct prom_container *pc = c->prom ? prom_usage_find(&c->prom_usage, cid) : NULL;
	if (pc && pc->ooms > 0) {
		*oom_killed = true;
		return true;
	}
	return false;
}

const struct node *cluster_node(const struct cluster *c, const char *id)
{
	for (size_t i = 0; id && i < c->nodes.n; i++)
		if (str_eq(c->nodes.v[i].id, id))
			return &c->nodes.v[i];
	return NULL;
}

void cluster_container_figures(const struct cluster *c, struct usage **usage, size_t *n_usage,
                               struct cstate **cstates, size_t *n_cstates)
{
	const struct prom_usage *pu = &c->prom_usage;
	size_t np = c->prom ? pu->n : 0;
	struct usage *u = xcalloc(c->n_tracked + np + 1, sizeof *u);
	struct cstate *cs = xcalloc(c->n_tracked + np + 1, sizeof *cs);
	size_t nu = 0, ncs = 0;
	for (size_t i = 0; i < c->n_tracked; i++) {
		const struct tracked *t = &c->tracked[i];
		if (t->has_usage)
			u[nu++] = (struct usage){t->cid, t->cpu_percent, t->mem_used};
		if (t->inspected)
			cs[ncs++] = (struct cstate){t->cid, t->oom_killed, t->exit_code};
	}
	/* Prometheus's figures: usage wherever the container runs; OOM events confirm an OOM kill
	 * where no inspect of the connected node said otherwise. */
	for (size_t i = 0; i < np; i++) {
		const struct prom_container *pc = &pu->v[i];
		if (pc->has_cpu && pc->has_mem)
			u[nu++] = (struct usage){pc->id, pc->cpu_percent, pc->mem_used};
		bool inspected = false;
		for (size_t k = 0; k < c->n_tracked && !inspected; k++)
			inspected = c->tracked[k].inspected && strcmp(c->tracked[k].cid, pc->id) == 0;
		if (pc->ooms > 0 && !inspected)
			cs[ncs++] = (struct cstate){pc->id, true, 0};   /* the task has the exit code */
	}
	*usage = u;
	*n_usage = nu;
	*cstates = cs;
	*n_cstates = ncs;
}
