#include "api/core/attention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/str.h"
#include "api/base/xalloc.h"
#include "api/core/fit.h"
#include "api/engine/decode.h"

/* ---- lifetime ---- */

bool service_expires_at(const struct service *s, int64_t *at)
{
	const char *label = s ? labels_get(&s->labels, "glovebox.expires-at") : NULL;
	if (!label)
		return false;
	int64_t ns = decode_time(label);
	if (ns <= 0)
		return false;
	*at = ns / 1000000000LL;
	return true;
}

bool job_expires_at(const struct job *j, int64_t *at)
{
	return service_expires_at(j->service, at);
}

void format_expiry(char *buf, size_t sz, int64_t at, int64_t now)
{
	char age[32];
	if (at > now) {
		format_age(age, sizeof age, at - now);
		snprintf(buf, sz, "expires in %s", age);
	} else {
		format_age(age, sizeof age, now - at);
		snprintf(buf, sz, "expired %s ago", age);
	}
}

/* ---- restart history ---- */

struct service_history {
	char *service_id;
	struct seen_failure *v;
	size_t n;
	unsigned failures, ooms;
	bool seen;                 /* still in the latest service list */
};

struct restart_history {
	struct service_history *v;
	size_t n;
};

struct restart_history *restart_history_new(void)
{
	return xcalloc(1, sizeof(struct restart_history));
}

static void failure_clear(struct seen_failure *f)
{
	free(f->task_id);
	free(f->err);
}

static void service_history_clear(struct service_history *s)
{
	for (size_t i = 0; i < s->n; i++)
		failure_clear(&s->v[i]);
	free(s->v);
	free(s->service_id);
}

void restart_history_free(struct restart_history **ph)
{
	struct restart_history *h = *ph;
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		service_history_clear(&h->v[i]);
	free(h->v);
	free(h);
	*ph = NULL;
}

static struct service_history *history_find(const struct restart_history *h, const char *id)
{
	for (size_t i = 0; id && i < h->n; i++)
		if (strcmp(h->v[i].service_id, id) == 0)
			return &h->v[i];
	return NULL;
}

static bool task_failed(const struct task *t)
{
	return str_eq(t->state, "failed") || str_eq(t->state, "rejected");
}

static void history_take(struct service_history *s, const struct task *t, oom_lookup_fn oom,
                         const void *oom_ud)
{
	bool known = false, killed = false;
	if (oom && t->container_id && *t->container_id)
		known = oom(oom_ud, t->container_id, &killed);
	for (size_t i = 0; i < s->n; i++) {
		struct seen_failure *f = &s->v[i];
		if (strcmp(f->task_id, t->id) != 0)
			continue;
		if (known && killed && !f->oom) {
			f->oom = true;
			s->ooms++;
		}
		return;
	}
	if (s->n == RESTART_HISTORY_KEEP) {
		failure_clear(&s->v[0]);
		memmove(s->v, s->v + 1, (s->n - 1) * sizeof *s->v);
		s->n--;
	}
	s->v = xreallocarray(s->v, s->n + 1, sizeof *s->v);
	s->v[s->n++] = (struct seen_failure){
		.task_id = xstrdup(t->id),
		.slot = t->slot,
		.time_ns = t->timestamp_ns,
		.has_exit_code = t->has_exit_code,
		.exit_code = t->exit_code,
		.oom = known && killed,
		.err = t->err && *t->err ? xstrdup(t->err) : NULL,
	};
	s->failures++;
	s->ooms += known && killed;
}

static int failure_time_cmp(const void *a, const void *b)
{
	const struct seen_failure *x = a, *y = b;
	return (x->time_ns > y->time_ns) - (x->time_ns < y->time_ns);
}

void restart_history_update(struct restart_history *h, const struct service_list *services,
                            const struct task_list *tasks, oom_lookup_fn oom, const void *oom_ud)
{
	for (size_t i = 0; i < h->n; i++)
		h->v[i].seen = false;
	for (size_t i = 0; i < services->n; i++) {
		const char *id = services->v[i].id;
		if (!id)
			continue;
		struct service_history *s = history_find(h, id);
		if (!s) {
			h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
			s = &h->v[h->n++];
			memset(s, 0, sizeof *s);
			s->service_id = xstrdup(id);
		}
		s->seen = true;
	}
	for (size_t i = 0; tasks && i < tasks->n; i++) {
		const struct task *t = &tasks->v[i];
		if (!t->id || !task_failed(t))
			continue;
		struct service_history *s = history_find(h, t->service_id);
		if (s)
			history_take(s, t, oom, oom_ud);
	}
	/* Forget services that are gone, keep the rest in order. */
	size_t kept = 0;
	for (size_t i = 0; i < h->n; i++) {
		if (h->v[i].seen) {
			if (h->v[i].n > 1)
				qsort(h->v[i].v, h->v[i].n, sizeof *h->v[i].v, failure_time_cmp);
			h->v[kept++] = h->v[i];
		} else {
			service_history_clear(&h->v[i]);
		}
	}
	h->n = kept;
}

unsigned restart_history_failures(const struct restart_history *h, const char *service_id,
                                  unsigned *ooms)
{
	const struct service_history *s = h ? history_find(h, service_id) : NULL;
	if (ooms)
		*ooms = s ? s->ooms : 0;
	return s ? s->failures : 0;
}

size_t restart_history_list(const struct restart_history *h, const char *service_id,
                            const struct seen_failure **v)
{
	const struct service_history *s = h ? history_find(h, service_id) : NULL;
	*v = s ? s->v : NULL;
	return s ? s->n : 0;
}

/* ---- the attention order ---- */

const char *attention_kind_name(enum attention_kind k)
{
	switch (k) {
	case ATT_OOM:      return "oom";
	case ATT_RESTARTS: return "restarts";
	case ATT_PENDING:  return "pending";
	case ATT_EXPIRED:  return "expired";
	case ATT_FAILED:   return "failed";
	case ATT_NONE:     break;
	}
	return "none";
}

static bool task_waiting(const struct task *t)
{
	return str_eq(t->desired_state, "running") &&
	       (str_eq(t->state, "new") || str_eq(t->state, "pending") || str_eq(t->state, "allocated"));
}

/* When the longest-waiting task began to wait: its creation (a task is pending from its first
 * milliseconds), or its status time when the engine gave no creation time. */
static int64_t waiting_since(const struct task_list *tasks, const char *service_id)
{
	int64_t since = 0;
	for (size_t i = 0; tasks && i < tasks->n; i++) {
		const struct task *t = &tasks->v[i];
		if (!str_eq(t->service_id, service_id) || !task_waiting(t))
			continue;
		int64_t ns = t->created_ns > 0 ? t->created_ns : t->timestamp_ns;
		if (t->timestamp_ns > 0 && t->timestamp_ns < ns)
			ns = t->timestamp_ns;
		if (ns > 0 && (since == 0 || ns < since))
			since = ns;
	}
	return since / 1000000000LL;
}

/* The newest failed task of the service, in words. */
static char *last_failure(const struct task_list *tasks, const char *service_id)
{
	const struct task *last = NULL;
	for (size_t i = 0; tasks && i < tasks->n; i++) {
		const struct task *t = &tasks->v[i];
		if (str_eq(t->service_id, service_id) && task_failed(t) &&
		    (!last || t->timestamp_ns > last->timestamp_ns))
			last = t;
	}
	if (!last)
		return NULL;
	if (last->err && *last->err)
		return xstrdup(last->err);
	if (last->has_exit_code)
		return xasprintf("exit code %d", last->exit_code);
	return NULL;
}

static const struct service *service_of(const struct attention_inputs *in, const struct job *j)
{
	if (j->service)
		return j->service;
	for (size_t i = 0; in->services && i < in->services->n; i++)
		if (str_eq(in->services->v[i].id, j->id))
			return &in->services->v[i];
	return NULL;
}

void attention_assess(const struct attention_inputs *in, const struct job *j, struct attention *out)
{
	memset(out, 0, sizeof *out);
	const struct service *s = service_of(in, j);
	int64_t threshold = in->pending_threshold > 0 ? in->pending_threshold : ATTENTION_PENDING_DEFAULT;
	char age[32], expiry[64] = "";

	unsigned hooms = 0;
	unsigned hfail = restart_history_failures(in->history, j->id, &hooms);
	out->failures = hfail > j->failures ? hfail : j->failures;
	out->ooms = hooms > j->ooms ? hooms : j->ooms;
	if (j->state == JOB_OOM && out->ooms == 0)
		out->ooms = 1;
	if (out->ooms > out->failures)
		out->failures = out->ooms;

	out->has_expiry = service_expires_at(s, &out->expires_at);
	out->expired = out->has_expiry && in->now >= out->expires_at;
	if (out->expired)
		format_expiry(expiry, sizeof expiry, out->expires_at, in->now);

	out->pending = j->state == JOB_PENDING;
	if (out->pending) {
		out->pending_since = waiting_since(in->tasks, j->id);
		if (out->pending_since == 0)
			out->pending_since = in->now;
		if (in->nodes && s)
			out->shortage = attention_shortage(in->nodes, in->services, in->tasks, s);
	}
	bool restarting = j->desired > 0 &&
	                  (j->state == JOB_RUNNING || j->state == JOB_STARTING || j->state == JOB_PENDING);
	int64_t waited = in->now - out->pending_since;

	char *why = NULL;
	if (out->ooms > 0) {
		out->kind = ATT_OOM;
		out->weight = out->failures;
		char lim[32] = "";
		if (j->mem_limit > 0) {
			format_bytes(lim, sizeof lim, (uint64_t)j->mem_limit);
		}
		why = xasprintf("OOM killed %u time%s%s%s%s; %s", out->ooms, out->ooms == 1 ? "" : "s",
		                *lim ? " (limit " : "", lim, *lim ? ")" : "",
		                restarting ? "restarting" : "not restarted");
	} else if (out->failures >= ATTENTION_RESTART_LOOP && restarting) {
		out->kind = ATT_RESTARTS;
		out->weight = out->failures;
		char *last = last_failure(in->tasks, j->id);
		why = last ? xasprintf("restart loop: %u failures; last: %s", out->failures, last)
		           : xasprintf("restart loop: %u failures", out->failures);
		free(last);
	} else if (out->pending && waited >= threshold) {
		out->kind = ATT_PENDING;
		out->weight = waited;
		format_age(age, sizeof age, waited);
		const char *reason = j->reason ? j->reason : "waiting for the scheduler";
		why = out->shortage ? xasprintf("pending %s: %s; %s", age, reason, out->shortage)
		                    : xasprintf("pending %s: %s", age, reason);
	} else if (out->expired) {
		out->kind = ATT_EXPIRED;
		out->weight = in->now - out->expires_at;
		why = xstrdup(expiry);
		*expiry = '\0';
	} else if (j->state == JOB_FAILED) {
		out->kind = ATT_FAILED;
		out->weight = out->failures;
		why = xasprintf("failed: %s", j->reason ? j->reason : "no reason given");
	}
	/* An expired job that needs attention for something else still says so. */
	if (why && *expiry) {
		char *both = xasprintf("%s; %s", why, expiry);
		free(why);
		why = both;
	}
	out->why = why;
}

void attention_clear(struct attention *a)
{
	free(a->why);
	free(a->shortage);
	memset(a, 0, sizeof *a);
}

int attention_cmp(const struct attention *a, const struct attention *b)
{
	if (a->kind != b->kind)
		return a->kind > b->kind ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return 0;
}

struct ranked {
	size_t idx;
	const struct attention *a;
	const char *name;
};

static int ranked_cmp(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	int c = attention_cmp(a->a, b->a);
	if (c)
		return c;
	c = str_cmp(a->name, b->name);
	if (c)
		return c;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

void attention_rank(const struct attention_inputs *in, const struct job_list *jobs,
                    struct attention *att, size_t *order)
{
	struct ranked *r = xcalloc(jobs->n + 1, sizeof *r);
	for (size_t i = 0; i < jobs->n; i++) {
		attention_assess(in, &jobs->v[i], &att[i]);
		r[i] = (struct ranked){ i, &att[i], jobs->v[i].name };
	}
	qsort(r, jobs->n, sizeof *r, ranked_cmp);
	for (size_t i = 0; i < jobs->n; i++)
		order[i] = r[i].idx;
	free(r);
}

/* ---- shortages ---- */

static bool node_usable(const struct node *n)
{
	return str_eq(n->state, "ready") && str_eq(n->availability, "active");
}

static bool node_matches(const struct node *n, const struct service *s)
{
	for (size_t c = 0; c < s->n_constraints; c++)
		if (s->constraints[c] && !node_satisfies(n, s->constraints[c]))
			return false;
	return true;
}

struct names {
	char *text;
	unsigned n;
};

/* "a, b, c and 2 more": at most three names. */
static void names_add(struct names *l, const struct node *n)
{
	const char *name = n->hostname ? n->hostname : n->id ? n->id : "?";
	l->n++;
	if (l->n > 3)
		return;
	char *t = l->text ? xasprintf("%s, %s", l->text, name) : xstrdup(name);
	free(l->text);
	l->text = t;
}

static char *names_text(const struct names *l)
{
	if (l->n > 3)
		return xasprintf("%s and %u more", l->text, l->n - 3);
	return xstrdup(l->text);
}

static char *constraints_text(const struct service *s)
{
	char *t = NULL;
	for (size_t c = 0; c < s->n_constraints; c++) {
		char *u = t ? xasprintf("%s and %s", t, s->constraints[c]) : xstrdup(s->constraints[c]);
		free(t);
		t = u;
	}
	return t ? t : xstrdup("its constraints");
}

char *attention_shortage(const struct node_list *nodes, const struct service_list *services,
                         const struct task_list *tasks, const struct service *s)
{
	unsigned eligible = 0, matching_unusable = 0, fits = 0;
	struct names cpu = {0}, mem = {0}, gpu = {0};
	double most_cpu = -1;
	int64_t most_mem = -1, most_gpu = -1;
	int64_t need_cpu = s->reserve_nano_cpus, need_mem = s->reserve_memory;
	int64_t need_gpu = gres_get(&s->reserve_generic, GRES_GPU);
	for (size_t i = 0; i < nodes->n; i++) {
		const struct node *n = &nodes->v[i];
		if (!node_matches(n, s))
			continue;
		if (!node_usable(n)) {
			matching_unusable++;
			continue;
		}
		eligible++;
		double fc;
		int64_t fm;
		node_free(n, services, tasks, &fc, &fm);
		/* Compare in nano-CPUs as the scheduler does. */
		bool cpu_short = (int64_t)(fc * 1e9 + 0.5) < need_cpu;
		bool mem_short = fm < need_mem;
		int64_t fg = need_gpu > 0 ? node_free_generic(n, services, tasks, GRES_GPU) : 0;
		bool gpu_short = fg < need_gpu;
		if (cpu_short)
			names_add(&cpu, n);
		if (mem_short)
			names_add(&mem, n);
		if (gpu_short)
			names_add(&gpu, n);
		if (gpu_short && fg > most_gpu)
			most_gpu = fg;
		fits += !cpu_short && !mem_short && !gpu_short;
		/* The most there is where it is short: how far the best of them falls behind. */
		if (cpu_short && fc > most_cpu)
			most_cpu = fc;
		if (mem_short && fm > most_mem)
			most_mem = fm;
	}
	char *out = NULL;
	if (eligible == 0) {
		char *c = constraints_text(s);
		if (matching_unusable)
			out = xasprintf("no ready, active node satisfies %s (%u matching node%s paused, drained or down)",
			                c, matching_unusable, matching_unusable == 1 ? "" : "s");
		else
			out = xasprintf("no ready, active node satisfies %s", c);
		free(c);
	} else if (need_cpu <= 0 && need_mem <= 0 && need_gpu <= 0) {
		out = NULL;
	} else if (fits > 0) {
		out = xasprintf("%s would fit on %u node%s now",
		                need_gpu > 0 ? "CPU, memory and GPUs" : "CPU and memory", fits, fits == 1 ? "" : "s");
	} else {
		char *cpu_part = NULL, *mem_part = NULL, *gpu_part = NULL;
		if (cpu.n) {
			char *names = names_text(&cpu);
			cpu_part = xasprintf("CPU short on %s (most free: %.3g; needs %.3g)", names,
			                     most_cpu > 0 ? most_cpu : 0.0, (double)need_cpu / 1e9);
			free(names);
		}
		if (mem.n) {
			char a[32], b[32];
			char *names = names_text(&mem);
			format_bytes(a, sizeof a, most_mem > 0 ? (uint64_t)most_mem : 0);
			format_bytes(b, sizeof b, (uint64_t)need_mem);
			mem_part = xasprintf("memory short on %s (most free: %s; needs %s)", names, a, b);
			free(names);
		}
		if (gpu.n) {
			char *names = names_text(&gpu);
			gpu_part = xasprintf("GPU short on %s (most free: %lld; needs %lld)", names,
			                     (long long)(most_gpu > 0 ? most_gpu : 0), (long long)need_gpu);
			free(names);
		}
		const char *parts[] = {cpu_part, mem_part, gpu_part};
		for (size_t k = 0; k < 3; k++) {
			if (!parts[k])
				continue;
			char *t = out ? xasprintf("%s; %s", out, parts[k]) : xstrdup(parts[k]);
			free(out);
			out = t;
		}
		free(cpu_part);
		free(mem_part);
		free(gpu_part);
	}
	free(cpu.text);
	free(mem.text);
	free(gpu.text);
	return out;
}

/* ---- nodes ---- */

void node_usage_get(const struct node *n, const struct service_list *services,
                    const struct task_list *tasks, struct node_usage *out)
{
	double fc;
	int64_t fm;
	memset(out, 0, sizeof *out);
	node_free(n, services, tasks, &fc, &fm);
	out->cpu_capacity = (double)n->nano_cpus / 1e9;
	out->mem_capacity = n->memory_bytes;
	out->cpu_reserved = out->cpu_capacity - fc;
	out->mem_reserved = n->memory_bytes - fm;
	out->gpu_capacity = gres_get(&n->generic, GRES_GPU);
	out->gpu_reserved = out->gpu_capacity - node_free_generic(n, services, tasks, GRES_GPU);
	for (size_t i = 0; i < tasks->n; i++)
		out->tasks_running += str_eq(tasks->v[i].node_id, n->id) && str_eq(tasks->v[i].state, "running");
	out->class_name = labels_get(&n->labels, "glovebox.class");
}

static bool running_on(const struct task *t, const struct node *n)
{
	return n->id && str_eq(t->node_id, n->id) && str_eq(t->state, "running");
}

char *node_running_jobs(const struct node *n, const struct service_list *services,
                        const struct task_list *tasks, unsigned *count)
{
	char *names = NULL;
	unsigned listed = 0;
	*count = 0;
	for (size_t i = 0; i < tasks->n; i++) {
		const struct task *t = &tasks->v[i];
		if (!running_on(t, n))
			continue;
		(*count)++;
		bool seen = false;   /* another task of the same job, earlier in the list */
		for (size_t k = 0; k < i && !seen; k++)
			seen = running_on(&tasks->v[k], n) && str_eq(tasks->v[k].service_id, t->service_id);
		const char *sname = NULL;
		for (size_t k = 0; k < services->n && !seen && !sname; k++)
			if (services->v[k].id && str_eq(services->v[k].id, t->service_id))
				sname = services->v[k].name;
		if (!sname || listed >= 5)
			continue;
		listed++;
		char *u = names ? xasprintf("%s, %s", names, sname) : xstrdup(sname);
		free(names);
		names = u;
	}
	return names;
}

/* ---- tasks of one job ---- */

static bool global_mode(const struct service *s)
{
	return s->mode == MODE_GLOBAL || s->mode == MODE_GLOBAL_JOB;
}

/* qsort has no context: each element carries the service mode. */
struct task_ref {
	const struct task *t;
	bool global;
};

static int task_ref_cmp(const void *x, const void *y)
{
	const struct task_ref *a = x, *b = y;
	const struct task *p = a->t, *q = b->t;
	int c = a->global ? str_cmp(p->node_id, q->node_id) : (p->slot > q->slot) - (p->slot < q->slot);
	if (c)
		return c;
	if (p->created_ns != q->created_ns)
		return p->created_ns > q->created_ns ? -1 : 1;
	if (p->timestamp_ns != q->timestamp_ns)
		return p->timestamp_ns > q->timestamp_ns ? -1 : 1;
	return str_cmp(p->id, q->id);
}

size_t job_tasks(const struct task_list *tasks, const struct service *s, const struct task ***v)
{
	struct task_ref *refs = xcalloc(tasks->n + 1, sizeof *refs);
	size_t n = 0;
	for (size_t i = 0; i < tasks->n; i++)
		if (str_eq(tasks->v[i].service_id, s->id))
			refs[n++] = (struct task_ref){ &tasks->v[i], global_mode(s) };
	qsort(refs, n, sizeof *refs, task_ref_cmp);
	*v = xreallocarray(*v, n + 1, sizeof **v);
	for (size_t i = 0; i < n; i++)
		(*v)[i] = refs[i].t;
	free(refs);
	return n;
}
