#include "api/core/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/str.h"
#include "api/base/xalloc.h"

const char *job_state_name(enum job_state s)
{
	switch (s) {
	case JOB_RUNNING:  return "running";
	case JOB_STARTING: return "starting";
	case JOB_PENDING:  return "pending";
	case JOB_FAILED:   return "failed";
	case JOB_OOM:      return "oom";
	case JOB_COMPLETE: return "complete";
	case JOB_STOPPED:  return "stopped";
	}
	return "unknown";
}

/* Task states by what they mean for the job (swarmkit api/types.proto TaskState). */
static enum job_state task_job_state(const char *state)
{
	static const struct { const char *name; enum job_state js; } map[] = {
		{"running", JOB_RUNNING},
		{"new", JOB_PENDING}, {"pending", JOB_PENDING}, {"allocated", JOB_PENDING},
		{"assigned", JOB_STARTING}, {"accepted", JOB_STARTING}, {"preparing", JOB_STARTING},
		{"ready", JOB_STARTING}, {"starting", JOB_STARTING},
		{"complete", JOB_COMPLETE},
		{"failed", JOB_FAILED}, {"rejected", JOB_FAILED},
	};
	for (size_t i = 0; state && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(state, map[i].name) == 0)
			return map[i].js;
	return JOB_STOPPED;
}

/* Which state speaks for the whole job when its tasks disagree: the most urgent. */
static int state_rank(enum job_state s)
{
	switch (s) {
	case JOB_OOM:      return 6;
	case JOB_FAILED:   return 5;
	case JOB_PENDING:  return 4;
	case JOB_STARTING: return 3;
	case JOB_RUNNING:  return 2;
	case JOB_COMPLETE: return 1;
	case JOB_STOPPED:  return 0;
	}
	return 0;
}

static const struct cstate *cstate_find(const struct job_inputs *in, const char *cid)
{
	for (size_t i = 0; cid && i < in->n_cstates; i++)
		if (str_eq(in->cstates[i].container_id, cid))
			return &in->cstates[i];
	return NULL;
}

static const struct usage *usage_find(const struct job_inputs *in, const char *cid)
{
	for (size_t i = 0; cid && i < in->n_usage; i++)
		if (str_eq(in->usage[i].container_id, cid))
			return &in->usage[i];
	return NULL;
}

static bool task_is_local(const struct job_inputs *in, const struct task *t)
{
	return in->local_node_id && str_eq(t->node_id, in->local_node_id) && t->container_id &&
	       *t->container_id;
}

static size_t collect(const struct job_inputs *in, const char ***ids, enum job_state want)
{
	size_t n = 0;
	for (size_t i = 0; i < in->tasks->n; i++) {
		const struct task *t = &in->tasks->v[i];
		if (!task_is_local(in, t) || task_job_state(t->state) != want)
			continue;
		*ids = xreallocarray(*ids, n + 1, sizeof **ids);
		(*ids)[n++] = t->container_id;
	}
	return n;
}

size_t jobs_failed_local_containers(const struct job_inputs *in, const char ***ids)
{
	return collect(in, ids, JOB_FAILED);
}

size_t jobs_running_local_containers(const struct job_inputs *in, const char ***ids)
{
	return collect(in, ids, JOB_RUNNING);
}

/* Tasks grouped by service, so each job finds its own without scanning them all. */
static int task_cmp(const void *a, const void *b)
{
	const struct task *x = *(const struct task *const *)a, *y = *(const struct task *const *)b;
	int c = str_cmp(x->service_id, y->service_id);
	if (c)
		return c;
	if (x->created_ns != y->created_ns)
		return x->created_ns > y->created_ns ? -1 : 1;   /* newest first */
	return x->timestamp_ns > y->timestamp_ns ? -1 : x->timestamp_ns < y->timestamp_ns;
}

/* A slot's key: the slot for replicated services, the node for global ones. */
static bool same_slot(const struct service *s, const struct task *a, const struct task *b)
{
	if (s->mode == MODE_GLOBAL || s->mode == MODE_GLOBAL_JOB)
		return str_eq(a->node_id, b->node_id);
	return a->slot == b->slot;
}

static char *oom_reason(int64_t limit)
{
	if (limit > 0) {
		char b[32];
		format_bytes(b, sizeof b, (uint64_t)limit);
		return xasprintf("OOM killed (limit %s)", b);
	}
	return xstrdup("OOM killed");
}

/* Whether figures keyed by the task's container may describe it. */
static bool task_has_figures(const struct job_inputs *in, const struct task *t)
{
	if (in->figures_everywhere)
		return t->container_id && *t->container_id;
	return task_is_local(in, t);
}

static const struct cstate *task_cstate(const struct job_inputs *in, const struct task *t)
{
	return task_has_figures(in, t) ? cstate_find(in, t->container_id) : NULL;
}

/* OOM is read from the container state, never guessed from exit code 137 alone. */
static bool jobs_task_oom(const struct job_inputs *in, const struct task *t)
{
	const struct cstate *cs = task_cstate(in, t);
	return cs && cs->oom_killed;
}

/* Why a failed task failed, in words. */
static char *failure_reason(const struct job_inputs *in, const struct service *s,
                            const struct task *t)
{
	const struct cstate *cs = task_cstate(in, t);
	if (cs && cs->oom_killed)
		return oom_reason(s->limit_memory);
	if (t->err && strstr(t->err, "bind source path does not exist"))
		return xasprintf("a data directory is missing on the node: %s", t->err);
	if (t->err && *t->err) {
		if (t->has_exit_code && t->exit_code == 137 && !cs)
			return xasprintf("%s: killed (possibly out of memory; the node's containers are not visible from here)", t->err);
		return xstrdup(t->err);
	}
	if (t->has_exit_code)
		return xasprintf("exit code %d", t->exit_code);
	return xstrdup(t->message && *t->message ? t->message : "failed");
}

static char *image_short(const char *image)
{
	if (!image)
		return xstrdup("");
	const char *at = strchr(image, '@');
	return at ? xstrndup(image, (size_t)(at - image)) : xstrdup(image);
}

static void derive_one(const struct job_inputs *in, const struct service *s,
                       const struct task *const *tasks, size_t n, struct job *j)
{
	j->id = xstrdup(s->id);
	j->name = xstrdup(s->name);
	j->image = image_short(s->image);
	j->owner = xstrdup(labels_get(&s->labels, "glovebox.owner"));
	j->class_name = xstrdup(labels_get(&s->labels, "glovebox.class"));
	j->managed = j->owner != NULL;
	j->cpu_limit = (double)s->limit_nano_cpus / 1e9;
	j->mem_limit = s->limit_memory;
	j->created_ns = s->created_ns;
	j->service = s;
	if (s->has_status) {
		j->running = s->running_tasks;
		j->desired = s->desired_tasks;
	} else {
		j->desired = s->mode == MODE_REPLICATED ? s->replicas : 0;
	}

	enum job_state state = JOB_STOPPED;
	const struct task *speaker = NULL;    /* the current task whose state the job shows */
	const struct task *last_failure = NULL;
	unsigned running = 0;
	for (size_t i = 0; i < n; i++) {
		const struct task *t = tasks[i];
		enum job_state ts = task_job_state(t->state);
		if (ts == JOB_FAILED) {
			j->failures++;
			j->ooms += jobs_task_oom(in, t);
			if (!last_failure)
				last_failure = t;
			if (jobs_task_oom(in, t))
				ts = JOB_OOM;
		}
		/* Only the newest task of each slot is current; tasks are sorted newest first. */
		bool newest = true;
		for (size_t k = 0; k < i && newest; k++)
			if (same_slot(s, tasks[k], t))
				newest = false;
		if (!newest)
			continue;
		if (ts == JOB_RUNNING) {
			running++;
			if (!j->node_id)
				j->node_id = t->node_id;
			const struct usage *u = task_has_figures(in, t) ? usage_find(in, t->container_id) : NULL;
			if (u) {
				j->sampled++;
				j->cpu_percent += u->cpu_percent;
				j->mem_used += u->mem_used;
			}
		}
		if (!speaker || state_rank(ts) > state_rank(state)) {
			state = ts;
			speaker = t;
		}
	}
	if (!s->has_status)
		j->running = running;
	j->state = state;
	if (!j->node_id && speaker)
		j->node_id = speaker->node_id && *speaker->node_id ? speaker->node_id : NULL;

	switch (state) {
	case JOB_PENDING:
		if (speaker->err && *speaker->err)
			j->reason = xstrdup(speaker->err);
		else if (speaker->message && *speaker->message)
			j->reason = xstrdup(speaker->message);
		break;
	case JOB_FAILED:
	case JOB_OOM:
		j->reason = failure_reason(in, s, speaker);
		j->has_exit_code = speaker->has_exit_code;
		j->exit_code = speaker->exit_code;
		break;
	case JOB_STARTING:
	case JOB_RUNNING:
		if (last_failure) {
			char *why = failure_reason(in, s, last_failure);
			j->reason = xasprintf("%s after %u failure%s; last: %s",
			                      state == JOB_RUNNING ? "restarted" : "restarting",
			                      j->failures, j->failures == 1 ? "" : "s", why);
			free(why);
			j->has_exit_code = last_failure->has_exit_code;
			j->exit_code = last_failure->exit_code;
		}
		break;
	case JOB_COMPLETE:
	case JOB_STOPPED:
		break;
	}
}

void jobs_derive(const struct job_inputs *in, struct job_list *out)
{
	size_t nt = in->tasks ? in->tasks->n : 0;
	const struct task **sorted = xcalloc(nt ? nt : 1, sizeof *sorted);
	for (size_t i = 0; i < nt; i++)
		sorted[i] = &in->tasks->v[i];
	qsort(sorted, nt, sizeof *sorted, task_cmp);

	out->n = in->services->n;
	out->v = xcalloc(out->n ? out->n : 1, sizeof *out->v);
	for (size_t i = 0; i < out->n; i++) {
		const struct service *s = &in->services->v[i];
		/* Binary search for the first task of this service. */
		size_t lo = 0, hi = nt;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (str_cmp(sorted[mid]->service_id, s->id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		size_t end = lo;
		while (end < nt && str_eq(sorted[end]->service_id, s->id))
			end++;
		derive_one(in, s, sorted + lo, end - lo, &out->v[i]);
	}
	free(sorted);
}

void job_list_clear(struct job_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct job *j = &l->v[i];
		free(j->id);
		free(j->name);
		free(j->image);
		free(j->owner);
		free(j->class_name);
		free(j->reason);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Limits are per task: n sampled tasks together may use n times the limit. */
void job_cpu_gauge(const struct job *j, int64_t node_cpus, struct gauge *g)
{
	unsigned n = j->sampled ? j->sampled : 1;
	double cpus = j->cpu_limit > 0 ? j->cpu_limit * n : (double)(node_cpus > 0 ? node_cpus : 1);
	g->known = j->sampled > 0;
	g->value = j->cpu_percent;
	g->total = cpus * 100;
	g->percent = g->value / g->total * 100;
}

void job_mem_gauge(const struct job *j, int64_t node_mem, struct gauge *g)
{
	unsigned n = j->sampled ? j->sampled : 1;
	double total = j->mem_limit > 0 ? (double)j->mem_limit * n : (double)node_mem;
	g->known = j->sampled > 0 && total > 0;
	g->value = (double)j->mem_used;
	g->total = total;
	g->percent = total > 0 ? g->value / total * 100 : 0;
}

void format_bytes(char *buf, size_t sz, uint64_t bytes)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v >= 100 || v == (double)(uint64_t)v)
		snprintf(buf, sz, "%.0f %s", v, units[u]);
	else
		snprintf(buf, sz, "%.1f %s", v, units[u]);
}

void format_age(char *buf, size_t sz, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, sz, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, sz, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, sz, "%lldh", (long long)(s / 3600));
	else if (s < 365 * 86400LL)
		snprintf(buf, sz, "%lldd", (long long)(s / 86400));
	else
		snprintf(buf, sz, "%lldy", (long long)(s / (365 * 86400LL)));
}

const struct job *job_find(const struct job_list *jobs, const char *name, char **err)
{
	for (size_t i = 0; i < jobs->n; i++)
		if (str_eq(jobs->v[i].name, name))
			return &jobs->v[i];
	for (size_t i = 0; i < jobs->n; i++)
		if (str_eq(jobs->v[i].id, name))
			return &jobs->v[i];
	const struct job *found = NULL;
	size_t len = strlen(name);
	for (size_t i = 0; len > 0 && i < jobs->n; i++) {
		if (!jobs->v[i].id || strncmp(jobs->v[i].id, name, len) != 0)
			continue;
		if (found) {
			*err = xasprintf("\"%s\" is the start of more than one job's ID: give more of it, or the name", name);
			return NULL;
		}
		found = &jobs->v[i];
	}
	if (!found)
		*err = xasprintf("no job named \"%s\"", name);
	return found;
}

const struct node *node_find(const struct node_list *nodes, const char *name, char **err)
{
	*err = NULL;
	const struct node *found = NULL;
	for (size_t i = 0; i < nodes->n; i++)
		if (str_eq(nodes->v[i].hostname, name) || str_eq(nodes->v[i].id, name)) {
			if (found) {
				*err = xasprintf("more than one node is called \"%s\": use its ID", name);
				return NULL;
			}
			found = &nodes->v[i];
		}
	if (found)
		return found;
	size_t len = strlen(name);
	for (size_t i = 0; len > 0 && i < nodes->n; i++) {
		if (!nodes->v[i].id || strncmp(nodes->v[i].id, name, len) != 0)
			continue;
		if (found) {
			*err = xasprintf("\"%s\" is the start of more than one node's ID", name);
			return NULL;
		}
		found = &nodes->v[i];
	}
	return found;
}
