/* The cluster as glovebox last saw it: engine info, services, tasks, and usage and final
 * states of containers on the connected node. Fetching is asynchronous through the engine
 * (engine.h): the owner of the loop calls cluster_refresh()/cluster_sample() and keeps
 * driving engine_poll(); the listener is told whenever something arrived or failed.
 * Shared by `glovebox ls` and the console, so both show the same figures. */
#ifndef GB_API_SWARM_CLUSTER_H
#define GB_API_SWARM_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "api/core/jobs.h"
#include "api/engine/engine.h"
#include "api/engine/model.h"

struct cluster;

typedef void (*cluster_changed_fn)(void *ud);

/* e is borrowed and must outlive the cluster. */
struct cluster *cluster_new(struct engine *e);
/* Cancels the cluster's requests in flight. */
void cluster_free(struct cluster **c);

void cluster_set_listener(struct cluster *c, cluster_changed_fn fn, void *ud);

/* Fetch engine info, services (with status), tasks and nodes; negotiate the API version first when
 * the engine has none. A fetch already in flight is not started twice. */
void cluster_refresh(struct cluster *c);

/* Sample usage of the running containers on the connected node and inspect its failed
 * containers not inspected yet. precise: stats with stream=false (the engine waits about a
 * second, CPU % over that second, like `docker stats --no-stream`); otherwise one-shot
 * samples where the API has them (>= 1.41), CPU % from the delta to glovebox's previous
 * sample of the same container. Needs a refresh to have completed. */
void cluster_sample(struct cluster *c, bool precise);

/* Requests of this cluster in flight. */
bool cluster_busy(const struct cluster *c);

/* The last refresh's error (a sentence), NULL when it succeeded; borrowed. */
const char *cluster_error(const struct cluster *c);
/* Whether that error means the engine could not be reached at all. */
bool cluster_unreachable(const struct cluster *c);
/* When the data was last refreshed successfully (CLOCK_REALTIME ns), 0 = never. */
int64_t cluster_updated_ns(const struct cluster *c);
/* Bumped whenever the data changes, so a view can tell it must rebuild. */
uint64_t cluster_generation(const struct cluster *c);

/* Borrowed views; valid until the next poll. */
const struct engine_info *cluster_info(const struct cluster *c);
const struct service_list *cluster_services(const struct cluster *c);
const struct task_list *cluster_tasks(const struct cluster *c);
const struct node_list *cluster_nodes(const struct cluster *c);
/* The node with that id, or NULL. */
const struct node *cluster_node(const struct cluster *c, const char *id);

/* Whether the container (on the connected node) was inspected; if so *oom_killed tells
 * whether the kernel's OOM killer ended it. */
bool cluster_container_oom(const struct cluster *c, const char *cid, bool *oom_killed);

/* What jobs_derive() takes from the containers on the connected node (struct job_inputs):
 * the usage of those sampled and the final states of those inspected. *usage and *cstates are
 * new arrays the caller frees; their container ids are borrowed from c, valid until the next
 * poll. api/swarm/jobview.h builds the jobs from these. */
void cluster_container_figures(const struct cluster *c, struct usage **usage, size_t *n_usage,
                               struct cstate **cstates, size_t *n_cstates);

/* Realtime clock in unix ns. */
int64_t now_ns(void);

#endif
