/* Triage: which jobs need a person first, and why; node capacity against reservations; and
 * what glovebox remembers of a job's failures beyond the few tasks the swarm keeps.
 *
 * The attention order, most urgent first:
 *   oom       the kernel's OOM killer ended at least one of its containers
 *   restarts  it failed ATTENTION_RESTART_LOOP times or more and is still being restarted
 *   pending   waiting for the scheduler longer than a threshold (default 10 minutes), with the
 *             scheduler's reason and, from node resources and reservations, which resource
 *             is short on which nodes
 *   expired   past its glovebox.expires-at label
 *   failed    its newest task failed and nothing restarts it
 * then every other job. Within a kind, more failures, longer waits and older expiries come
 * first; ties go by name. Pure: the caller passes the time and the cluster data. */
#ifndef GB_API_CORE_ATTENTION_H
#define GB_API_CORE_ATTENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/core/jobs.h"
#include "api/engine/model.h"

#define ATTENTION_PENDING_DEFAULT 600   /* seconds */
#define ATTENTION_RESTART_LOOP 3        /* failures */

/* ---- lifetime ---- */

/* The job's expiry: its service's label glovebox.expires-at (UTC, "2026-11-22T08:11:44Z" or
 * any RFC 3339 time), as unix seconds. false when the label is absent or unreadable. */
bool job_expires_at(const struct job *j, int64_t *at);
bool service_expires_at(const struct service *s, int64_t *at);

/* "expires in 3h", "expires in 12m", "expired 12m ago", "expired 2d ago". */
void format_expiry(char *buf, size_t sz, int64_t at, int64_t now);

/* ---- restart history ---- */

/* One failed task glovebox saw. */
struct seen_failure {
	char *task_id;
	uint64_t slot;
	int64_t time_ns;           /* the task's status timestamp */
	bool has_exit_code;
	int exit_code;
	bool oom;                  /* the container state said OOM killed */
	char *err;                 /* the task's Status.Err, or NULL */
};

/* What glovebox saw fail during this session, per service: the swarm keeps only about five
 * tasks per slot, so a job that restarts for hours loses its history there. Bounded: at most
 * RESTART_HISTORY_KEEP failures per service are kept (the counts go on), and services that
 * are gone are forgotten. */
#define RESTART_HISTORY_KEEP 100

struct restart_history;

struct restart_history *restart_history_new(void);
void restart_history_free(struct restart_history **h);

/* Whether a container was inspected and found OOM killed; the console passes a wrapper of
 * cluster_container_oom(). Returns whether the container's state is known. */
typedef bool (*oom_lookup_fn)(const void *ud, const char *container_id, bool *oom_killed);

/* Take in the failed (and rejected) tasks of a refresh. oom may be NULL. A task seen again
 * is counted once; an OOM learnt later (the container is inspected after the task failed)
 * updates its entry. */
void restart_history_update(struct restart_history *h, const struct service_list *services,
                            const struct task_list *tasks, oom_lookup_fn oom, const void *oom_ud);

/* Failures and OOM kills seen for a service (0 when unknown). */
unsigned restart_history_failures(const struct restart_history *h, const char *service_id,
                                  unsigned *ooms);
/* The kept failures of a service, oldest first; borrowed until the next update. */
size_t restart_history_list(const struct restart_history *h, const char *service_id,
                            const struct seen_failure **v);

/* ---- the attention order ---- */

enum attention_kind { ATT_NONE, ATT_FAILED, ATT_EXPIRED, ATT_PENDING, ATT_RESTARTS, ATT_OOM };

/* "oom", "restarts", "pending", "expired", "failed", "none". */
const char *attention_kind_name(enum attention_kind k);

struct attention {
	enum attention_kind kind;
	int64_t weight;            /* within a kind, larger is more urgent */
	char *why;                 /* owned; a short sentence, NULL for ATT_NONE */
	bool has_expiry, expired;
	int64_t expires_at;        /* unix seconds */
	bool pending;
	int64_t pending_since;     /* unix seconds; the oldest waiting task's creation or status time */
	unsigned failures, ooms;   /* the larger of the swarm's and the history's counts */
	char *shortage;            /* owned; for pending jobs, which resource is short where; NULL */
};

struct attention_inputs {
	const struct service_list *services;
	const struct task_list *tasks;
	const struct node_list *nodes;
	const struct restart_history *history;   /* may be NULL */
	int64_t now;                             /* unix seconds */
	int64_t pending_threshold;               /* seconds; 0 = ATTENTION_PENDING_DEFAULT */
};

void attention_assess(const struct attention_inputs *in, const struct job *j, struct attention *out);
void attention_clear(struct attention *a);

/* Negative when a is more urgent than b, positive when less, 0 when equal. */
int attention_cmp(const struct attention *a, const struct attention *b);

/* Assess every job into att[i] (parallel to jobs->v; the caller clears each) and fill
 * order[] with the indices of jobs, most urgent first, ties by name. */
void attention_rank(const struct attention_inputs *in, const struct job_list *jobs,
                    struct attention *att, size_t *order);

/* Why a pending service cannot be placed, worked out the way the scheduler does from
 * reservations: "memory short on vm, n2 (most free: 2 GiB; needs 4 GiB)", "CPU short on n3
 * (most free: 0.5; needs 1)" (the most free among the nodes short of it), "no ready, active node satisfies node.labels.glovebox.class==gpu",
 * or "CPU and memory would fit on 2 nodes now" (then the reason lies elsewhere: GPUs, max
 * replicas, a node just lost). New string; NULL when the service reserves nothing. */
char *attention_shortage(const struct node_list *nodes, const struct service_list *services,
                         const struct task_list *tasks, const struct service *s);

/* ---- nodes ---- */

/* A node's reservations against its capacity, as the scheduler counts them. */
struct node_usage {
	double cpu_reserved, cpu_capacity;     /* CPUs */
	int64_t mem_reserved, mem_capacity;    /* bytes */
	int64_t gpu_reserved, gpu_capacity;    /* generic resource GRES_GPU (fit.h) */
	unsigned tasks_running;                /* tasks on it whose current state is running */
	const char *class_name;                /* borrowed: node label glovebox.class, or NULL */
};

void node_usage_get(const struct node *n, const struct service_list *services,
                    const struct task_list *tasks, struct node_usage *out);

/* The jobs with tasks running on node n, for a drain warning: "a, b, c" (at most five names,
 * each once); *count gets the number of running tasks. New string, NULL when no named job
 * runs there. */
char *node_running_jobs(const struct node *n, const struct service_list *services,
                        const struct task_list *tasks, unsigned *count);

/* ---- tasks of one job ---- */

/* The service's tasks, by slot (by node for global services), newest first within a slot.
 * Fills *v (borrowed pointers into tasks, grown with xrealloc; the caller frees the array)
 * and returns how many. */
size_t job_tasks(const struct task_list *tasks, const struct service *s, const struct task ***v);

#endif
