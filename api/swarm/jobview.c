/* The jobs as every screen and command reads them: see jobview.h. */
#include "api/swarm/jobview.h"

#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"

struct jobview {
	struct jobview_opts opts;
	bool built;                  /* from generation, for user and role */
	uint64_t generation;
	char *user;                  /* owned copy: the actor's strings are only borrowed */
	enum role role;

	struct job_list jobs;        /* the visible ones, in name order */
	struct attention *att;       /* parallel to jobs.v */
	size_t *order;               /* indices into jobs.v, most urgent first */
	struct restart_history *history;
	int64_t node_cpus, node_mem; /* of the connected node, 0 when unknown */
};

struct jobview *jobview_new(const struct jobview_opts *opts)
{
	struct jobview *v = xcalloc(1, sizeof *v);
	if (opts)
		v->opts = *opts;
	v->history = restart_history_new();
	return v;
}

static void attention_free(struct jobview *v)
{
	for (size_t i = 0; v->att && i < v->jobs.n; i++)
		attention_clear(&v->att[i]);
	free(v->att);
	free(v->order);
	v->att = NULL;
	v->order = NULL;
}

void jobview_free(struct jobview **pv)
{
	struct jobview *v = *pv;
	if (!v)
		return;
	attention_free(v);
	job_list_clear(&v->jobs);
	restart_history_free(&v->history);
	free(v->user);
	free(v);
	*pv = NULL;
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool up_to_date(const struct jobview *v, uint64_t generation, const struct actor *a)
{
	return v->built && v->generation == generation && v->role == a->role && str_same(v->user, a->user);
}

void jobview_invalidate(struct jobview *v)
{
	v->built = false;
}

/* The restart history's OOM lookup, from the inspected containers of the source. */
static bool oom_of(const void *ud, const char *container_id, bool *oom_killed)
{
	const struct jobview_source *src = ud;
	for (size_t i = 0; i < src->n_cstates; i++)
		if (src->cstates[i].container_id && strcmp(src->cstates[i].container_id, container_id) == 0) {
			*oom_killed = src->cstates[i].oom_killed;
			return true;
		}
	return false;
}

struct named {
	size_t idx;
	const char *name;
};

static int named_cmp(const void *x, const void *y)
{
	const struct named *a = x, *b = y;
	int c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
	if (c)
		return c;
	return (a->idx > b->idx) - (a->idx < b->idx);   /* qsort is not stable: the index is */
}

/* Jobs move by value into name order. */
static void sort_by_name(struct job_list *jobs)
{
	struct named *r = xcalloc(jobs->n + 1, sizeof *r);
	for (size_t i = 0; i < jobs->n; i++)
		r[i] = (struct named){i, jobs->v[i].name};
	qsort(r, jobs->n, sizeof *r, named_cmp);
	struct job *v = xcalloc(jobs->n + 1, sizeof *v);
	for (size_t i = 0; i < jobs->n; i++)
		v[i] = jobs->v[r[i].idx];
	free(jobs->v);
	jobs->v = v;
	free(r);
}

bool jobview_update(struct jobview *v, const struct jobview_source *src, const struct actor *a,
                    int64_t now)
{
	if (up_to_date(v, src->generation, a))
		return false;
	attention_free(v);
	job_list_clear(&v->jobs);

	/* The history first: the attention below counts what it remembers. */
	if (src->current)
		restart_history_update(v->history, src->services, src->tasks, oom_of, src);

	static const struct task_list no_tasks;
	struct job_inputs in = {
		.services = src->services,
		.tasks = src->tasks ? src->tasks : &no_tasks,
		.local_node_id = src->info ? src->info->node_id : NULL,
		.usage = src->usage, .n_usage = src->n_usage,
		.cstates = src->cstates, .n_cstates = src->n_cstates,
		.figures_everywhere = src->figures_everywhere,
	};
	jobs_derive(&in, &v->jobs);
	actor_filter_jobs(a, &v->jobs);
	sort_by_name(&v->jobs);

	struct attention_inputs ain = {
		.services = src->services, .tasks = src->tasks, .nodes = src->nodes,
		.history = v->history, .now = now, .pending_threshold = v->opts.pending_threshold,
	};
	v->att = xcalloc(v->jobs.n + 1, sizeof *v->att);
	v->order = xcalloc(v->jobs.n + 1, sizeof *v->order);
	attention_rank(&ain, &v->jobs, v->att, v->order);

	v->node_cpus = src->info ? src->info->ncpu : 0;
	v->node_mem = src->info ? src->info->mem_total : 0;
	if (!str_same(v->user, a->user)) {
		free(v->user);
		v->user = a->user ? xstrdup(a->user) : NULL;
	}
	v->role = a->role;
	v->generation = src->generation;
	v->built = true;
	return true;
}

bool jobview_update_cluster(struct jobview *v, const struct cluster *c, const struct actor *a,
                            int64_t now)
{
	uint64_t generation = cluster_generation(c);
	if (up_to_date(v, generation, a))
		return false;   /* before copying the figures: most loop turns end here */
	struct jobview_source src = {
		.services = cluster_services(c), .tasks = cluster_tasks(c), .nodes = cluster_nodes(c),
		.info = cluster_info(c), .generation = generation,
		.current = cluster_updated_ns(c) && !cluster_error(c),
		.figures_everywhere = cluster_usage_source(c) == USAGE_PROMETHEUS,
	};
	struct usage *usage;
	struct cstate *cstates;
	cluster_container_figures(c, &usage, &src.n_usage, &cstates, &src.n_cstates);
	src.usage = usage;
	src.cstates = cstates;
	bool rebuilt = jobview_update(v, &src, a, now);
	free(usage);
	free(cstates);
	return rebuilt;
}

const struct job_list *jobview_jobs(const struct jobview *v) { return &v->jobs; }
size_t jobview_count(const struct jobview *v) { return v->jobs.n; }
const struct restart_history *jobview_history(const struct jobview *v) { return v->history; }

const struct job *jobview_job(const struct jobview *v, size_t i)
{
	return i < v->jobs.n ? &v->jobs.v[i] : NULL;
}

const struct attention *jobview_attention(const struct jobview *v, size_t i)
{
	return i < v->jobs.n ? &v->att[i] : NULL;
}

size_t jobview_ranked(const struct jobview *v, size_t k)
{
	return k < v->jobs.n ? v->order[k] : k;
}

const struct job *jobview_find(const struct jobview *v, const char *name, size_t *index, char **err)
{
	const struct job *j = job_find(&v->jobs, name, err);
	if (j && index)
		*index = (size_t)(j - v->jobs.v);
	return j;
}

const struct job *jobview_by_id(const struct jobview *v, const char *id, size_t *index)
{
	for (size_t i = 0; id && i < v->jobs.n; i++)
		if (v->jobs.v[i].id && strcmp(v->jobs.v[i].id, id) == 0) {
			if (index)
				*index = i;
			return &v->jobs.v[i];
		}
	return NULL;
}

void jobview_gauges(const struct jobview *v, size_t i, struct gauge *cpu, struct gauge *mem)
{
	const struct job *j = jobview_job(v, i);
	if (!j) {
		memset(cpu, 0, sizeof *cpu);
		memset(mem, 0, sizeof *mem);
		return;
	}
	job_cpu_gauge(j, v->node_cpus, cpu);
	job_mem_gauge(j, v->node_mem, mem);
}

void jobview_tally(const struct jobview *v, struct jobview_tally *out)
{
	memset(out, 0, sizeof *out);
	out->jobs = v->jobs.n;
	for (size_t i = 0; i < v->jobs.n; i++) {
		enum job_state s = v->jobs.v[i].state;
		out->running += s == JOB_RUNNING;
		out->pending += s == JOB_PENDING;
		out->failed += s == JOB_FAILED || s == JOB_OOM;
	}
}
