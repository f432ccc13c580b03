/* The jobs as every screen and command reads them: the one data path from the swarm down.
 *
 *   cluster (or decoded lists) --jobview_update--> jobview --> screen or command --> table
 *
 * A jobview owns, built together in one step:
 *   - the jobs the actor may see: jobs_derive() then actor_filter_jobs(), in name order (byte
 *     order, as `glovebox ls` prints them; equal names keep the services' order);
 *   - each job's attention (attention_assess) and the attention order (attention_rank);
 *   - the restart history (api/core/attention.h), fed by every update from a good refresh, so
 *     failures are counted beyond the few tasks the swarm keeps;
 *   - the connected node's CPUs and memory, which usage is measured against for jobs without
 *     a limit.
 *
 * jobview_update() rebuilds only when the data's generation or the actor (account or role)
 * changed, and says whether it did. The attention is assessed at the `now` of that rebuild:
 * waits and expiries move with the clock only when the data does (the console refreshes every
 * few seconds), or after jobview_invalidate().
 *
 * Validity: what a jobview hands out (jobs, attention, order, the restart history and its
 * lists) is owned by it and valid until the next jobview_update() that returns true, the next
 * jobview_invalidate(), or jobview_free(). A job's `service` pointer is borrowed from the
 * source's service list: valid while that list is (for a cluster, until the next
 * engine_poll(); update after each poll before reading).
 *
 * Pure but for jobview_update_cluster(), which only reads the cluster. Never blocks. */
#ifndef GB_API_JOBVIEW_H
#define GB_API_JOBVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/core/attention.h"
#include "api/core/jobs.h"
#include "api/core/roles.h"
#include "api/engine/model.h"
#include "api/swarm/cluster.h"

struct jobview;

struct jobview_opts {
	int64_t pending_threshold;   /* seconds after which a wait needs attention;
	                              * 0 = ATTENTION_PENDING_DEFAULT */
};

/* opts may be NULL (the defaults); it is copied. Never NULL. */
struct jobview *jobview_new(const struct jobview_opts *opts);
void jobview_free(struct jobview **v);

/* What a jobview is built from; every pointer borrowed for the call (jobs keep `service`). */
struct jobview_source {
	const struct service_list *services;   /* required */
	const struct task_list *tasks;         /* NULL: no tasks */
	const struct node_list *nodes;         /* NULL: no shortages for pending jobs */
	const struct engine_info *info;        /* NULL: no connected node (no usage, no OOM) */
	const struct usage *usage;             /* running containers' figures (jobs.h) */
	size_t n_usage;
	const struct cstate *cstates;          /* inspected containers' final states (jobs.h) */
	size_t n_cstates;
	bool figures_everywhere;               /* usage and cstates hold for every node's containers
	                                        * (from Prometheus), not only the connected node's */
	uint64_t generation;                   /* differs whenever anything above changed */
	bool current;                          /* from a good refresh: feeds the restart history
	                                        * (after a failure the lists are the last good ones,
	                                        * already counted) */
};

/* Rebuild from src for actor a (borrowed for the call) at now (unix seconds), unless it was
 * built from the same generation for the same account and role. Returns whether it rebuilt:
 * then every pointer handed out before is invalid. */
bool jobview_update(struct jobview *v, const struct jobview_source *src, const struct actor *a,
                    int64_t now);
/* The same from the cluster as it stands: its lists, its generation, its containers' figures
 * (cluster_container_figures); current when it refreshed once and has no error. */
bool jobview_update_cluster(struct jobview *v, const struct cluster *c, const struct actor *a,
                            int64_t now);
/* Rebuild at the next update whatever its generation (the clock moved, an option changed). */
void jobview_invalidate(struct jobview *v);

/* The visible jobs, in name order; index i below is an index into this list. */
const struct job_list *jobview_jobs(const struct jobview *v);
size_t jobview_count(const struct jobview *v);
/* Job i, or NULL past the end. */
const struct job *jobview_job(const struct jobview *v, size_t i);
/* The attention of job i, or NULL past the end. */
const struct attention *jobview_attention(const struct jobview *v, size_t i);
/* Iteration in attention order: the index of the k-th most urgent job (k < jobview_count()),
 * most urgent first, ties by name. */
size_t jobview_ranked(const struct jobview *v, size_t k);

/* A visible job by name, else exact ID, else unique ID prefix (job_find); NULL with *err
 * (owned) when there is none or the prefix is ambiguous. *index, when not NULL, gets its index. */
const struct job *jobview_find(const struct jobview *v, const char *name, size_t *index, char **err);
/* The visible job whose ID is exactly id, or NULL; *index, when not NULL, gets its index. */
const struct job *jobview_by_id(const struct jobview *v, const char *id, size_t *index);

/* Failures glovebox saw during the session, of every service (not only the visible ones). */
const struct restart_history *jobview_history(const struct jobview *v);

/* The usage bars of job i: CPU and memory against the job's limits, or against the connected
 * node's CPUs and memory when it has none (job_cpu_gauge, job_mem_gauge). */
void jobview_gauges(const struct jobview *v, size_t i, struct gauge *cpu, struct gauge *mem);

/* How many visible jobs are in which state, for a status line. */
struct jobview_tally {
	size_t jobs, running, pending, failed;   /* failed: failed or OOM killed */
};
void jobview_tally(const struct jobview *v, struct jobview_tally *out);

#endif
