/* Jobs: what a person wants to know about a service, derived from the service, its tasks,
 * and what the connected node can tell about its own containers (usage, OOM kills).
 * A pure function of its inputs, so it is tested with captured engine replies. */
#ifndef GB_API_CORE_JOBS_H
#define GB_API_CORE_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "api/engine/model.h"

enum job_state {
	JOB_RUNNING,
	JOB_STARTING,   /* assigned to a node and on its way, or restarting after a failure */
	JOB_PENDING,    /* waiting for the scheduler; reason says why */
	JOB_FAILED,
	JOB_OOM,        /* failed, and the container state says it was OOM killed */
	JOB_COMPLETE,
	JOB_STOPPED,    /* scaled to zero, shut down, or no tasks */
};

/* "running", "starting", "pending", "failed", "oom", "complete", "stopped". */
const char *job_state_name(enum job_state s);

/* Usage of one running container: on the connected node (from stats), or on any node when the
 * figures come from Prometheus (job_inputs.figures_everywhere). */
struct usage {
	const char *container_id;   /* borrowed */
	double cpu_percent;         /* one CPU = 100 */
	uint64_t mem_used;
};

/* Final state of one container on the connected node (from container inspect), or an OOM
 * kill Prometheus confirmed on any node (container_oom_events_total > 0). */
struct cstate {
	const char *container_id;   /* borrowed */
	bool oom_killed;
	int exit_code;
};

struct job_inputs {
	const struct service_list *services;
	const struct task_list *tasks;
	const char *local_node_id;        /* NULL when unknown: then no usage or OOM lookups */
	const struct usage *usage; size_t n_usage;
	const struct cstate *cstates; size_t n_cstates;
	/* The figures above hold for containers on every node (from Prometheus), not only for
	 * the connected node's: look them up for every task. */
	bool figures_everywhere;
};

struct job {
	char *id, *name, *image;          /* owned; image without the @sha256 digest */
	char *owner, *class_name;         /* labels glovebox.owner, glovebox.class; NULL when absent */
	bool managed;                     /* made by glovebox (has glovebox.owner) */
	uint64_t running, desired;
	enum job_state state;
	char *reason;                     /* owned; NULL when there is nothing to say */
	bool has_exit_code;
	int exit_code;                    /* of the newest failed task */
	unsigned failures;                /* failed or rejected tasks the swarm still remembers */
	unsigned ooms;                    /* of those, OOM killed (known on the connected node, or
	                                   * on any node with Prometheus) */
	double cpu_limit;                 /* CPUs per task, 0 = none */
	int64_t mem_limit;                /* bytes per task, 0 = none */
	unsigned sampled;                 /* running tasks with usage figures */
	double cpu_percent;               /* sum over sampled tasks; one CPU = 100 */
	uint64_t mem_used;                /* sum over sampled tasks */
	int64_t created_ns;
	const char *node_id;              /* borrowed from the tasks: the first running task's node,
	                                   * else the node of the task whose state the job shows;
	                                   * NULL when none */
	const struct service *service;    /* borrowed from the inputs; valid while they are */
};

struct job_list { struct job *v; size_t n; };

/* Containers that need inspecting to tell OOM kills: failed tasks on the connected node.
 * Appends borrowed container ids to *ids (grown with xrealloc), returns how many. */
size_t jobs_failed_local_containers(const struct job_inputs *in, const char ***ids);

/* Containers whose usage to sample: running tasks on the connected node. */
size_t jobs_running_local_containers(const struct job_inputs *in, const char ***ids);

/* Derive one job per service, in the services' order. */
void jobs_derive(const struct job_inputs *in, struct job_list *out);

void job_list_clear(struct job_list *l);

/* What a usage bar shows: value out of total, and the percentage for its text. */
struct gauge {
	bool known;          /* false until a sample arrived */
	double value, total;
	double percent;      /* value / total * 100 */
};

/* CPU of the job's sampled tasks against their CPU limits (one CPU = 100), or against
 * node_cpus whole CPUs when the job has no limit. */
void job_cpu_gauge(const struct job *j, int64_t node_cpus, struct gauge *g);
/* Memory in use against the job's memory limits, or against node_mem bytes without one. */
void job_mem_gauge(const struct job *j, int64_t node_mem, struct gauge *g);

/* "64 MiB", "1.5 GiB", "512 B": binary units, at most one decimal. */
void format_bytes(char *buf, size_t sz, uint64_t bytes);
/* "5s", "12m", "3h", "4d", "2y": the largest unit, like docker's "About" columns but short. */
void format_age(char *buf, size_t sz, int64_t seconds);

/* The `glovebox ls --json` document: an array of objects with keys id, name, image, owner,
 * class, replicas_running, replicas_desired, state, reason, cpu_percent, cpu_limit,
 * mem_bytes, mem_limit, created_at (see docs/cli.md). Unknown values are null. Returns a
 * new string (caller frees), pretty-printed when pretty. ascii escapes every non-ASCII
 * character (\uXXXX), for output that goes to a terminal. */
char *job_list_json(const struct job_list *l, bool pretty, bool ascii);

/* The job called name: an exact name, else an exact ID, else a unique ID prefix. NULL with
 * *err (owned) when there is none or the prefix is ambiguous. */
const struct job *job_find(const struct job_list *jobs, const char *name, char **err);

/* The node called name: its host name or ID, else a unique ID prefix. NULL with *err (owned)
 * when the name or prefix is ambiguous; NULL with *err NULL when nothing matches. */
const struct node *node_find(const struct node_list *nodes, const char *name, char **err);

#endif
