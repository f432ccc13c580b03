/* Will a job fit now? From the nodes of its class, their capacity and the reservations of the
 * tasks the swarm keeps running on them, the same arithmetic the scheduler does (it schedules
 * on reservations only), generic resources (GPUs) included. Pure. */
#ifndef GB_API_CORE_FIT_H
#define GB_API_CORE_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/engine/model.h"

/* The generic resource a class's GPUs are reserved as (policy "gpus"): nvidia's
 * swarm-resource matches only this kind; nodes advertise it with
 * --node-generic-resource GPU=<id>. */
#define GRES_GPU "GPU"

struct fit {
	unsigned nodes;            /* ready, active nodes that satisfy the constraints */
	unsigned fits;             /* of those, with room for the job now */
	unsigned short_cpu, short_mem;   /* of those, without enough CPU / memory */
	unsigned short_gpu;        /* of those, without enough free GPUs */
	int64_t best_free_gpus;    /* the most free GPUs on any matching node */
	double best_free_cpus;     /* the most free CPUs on any matching node */
	int64_t best_free_mem;     /* the most free memory on any matching node */
};

/* Whether node n satisfies one placement constraint ("node.labels.k==v", "node.role!=worker",
 * node.hostname, node.id, node.platform.os/arch). Constraints on what glovebox cannot see
 * (engine.labels) count as satisfied. */
bool node_satisfies(const struct node *n, const char *constraint);

/* Free capacity of a node: capacity minus the reservations of tasks that should run there. */
void node_free(const struct node *n, const struct service_list *services,
               const struct task_list *tasks, double *free_cpus, int64_t *free_mem);
/* The same for one kind of generic resource: what the node advertises minus what the tasks
 * that should run there reserve. */
int64_t node_free_generic(const struct node *n, const struct service_list *services,
                          const struct task_list *tasks, const char *kind);

/* gpus: GRES_GPU a job reserves, 0 for none. */
void fit_check(const struct node_list *nodes, const struct service_list *services,
               const struct task_list *tasks, const char *const *constraints, size_t n_constraints,
               double cpus, int64_t memory, unsigned gpus, struct fit *out);

/* "fits now on 2 of 3 highram nodes", "will queue: insufficient memory on all 3 highram nodes
 * (largest free: 12 GiB)", "will queue: no node of class highram is ready". New string. */
char *fit_describe(const struct fit *f, const char *class_name, double cpus, int64_t memory);

#endif
