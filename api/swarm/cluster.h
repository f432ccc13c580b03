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
struct prom;

typedef void (*cluster_changed_fn)(void *ud);

/* e is borrowed and must outlive the cluster. */
struct cluster *cluster_new(struct engine *e);
/* Cancels the cluster's requests in flight. */
void cluster_free(struct cluster **c);

void cluster_set_listener(struct cluster *c, cluster_changed_fn fn, void *ud);

/* Fetch engine info, services (with status), tasks and nodes; negotiate the API version first when
 * the engine has none. A fetch already in flight is not started twice. */
void cluster_refresh(struct cluster *c);

/* Where usage figures come from: the engine's stats (the connected node's containers only),
 * or Prometheus (every node's) when the engine has a "metrics" remote (engine_set_remote,
 * configured by api/swarm/session.c from --metrics, GLOVEBOX_METRICS or the policy). */
enum usage_source { USAGE_ENGINE, USAGE_PROMETHEUS };

/* "engine", "prometheus". */
const char *usage_source_name(enum usage_source s);

/* Sample usage of the running containers on the connected node and inspect its failed
 * containers not inspected yet. With Prometheus (cluster_usage_source), one round of one
 * query instead of per-container stats: figures for the containers of every node, OOM events
 * confirming OOM kills on other nodes; failed containers on the connected node are still
 * inspected. A failed round keeps the last figures (they age, cluster_usage_age_ms) and the
 * next waits 1 s doubling to 30 s; the cluster's own error is untouched. precise: stats with stream=false (the engine waits about a
 * second, CPU % over that second, like `docker stats --no-stream`); otherwise one-shot
 * samples where the API has them (>= 1.41), CPU % from the delta to glovebox's previous
 * sample of the same container. Needs a refresh to have completed. */
void cluster_sample(struct cluster *c, bool precise);

enum usage_source cluster_usage_source(const struct cluster *c);
/* How old the usage figures are, in ms of CLOCK_MONOTONIC since they arrived; -1 when there
 * are none. */
int64_t cluster_usage_age_ms(const struct cluster *c);
/* Why the last usage round from Prometheus failed (a sentence), NULL when it did not; borrowed. */
const char *cluster_usage_error(const struct cluster *c);
/* The Prometheus client the usage rounds use (for other queries: history), NULL before the
 * first round or without Prometheus. Borrowed; valid until cluster_free. */
struct prom *cluster_prom(const struct cluster *c);
/* The Prometheus URL usage comes from, or NULL. Borrowed. */
const char *cluster_usage_url(const struct cluster *c);

/* A node's CPU (one CPU = 100) and memory in use from node-exporter via Prometheus (series
 * labelled swarm_node_id, docs/metrics.md). Returns false when there are no such figures;
 * *cpu_known / *mem_known tell which of the two arrived. */
bool cluster_node_used(const struct cluster *c, const char *node_id, bool *cpu_known,
                       double *cpu_percent, bool *mem_known, uint64_t *mem_used);

/* Requests of this cluster to the engine in flight. The Prometheus round is not one of them:
 * a slow Prometheus must not hold up the engine's retries (it has its own backoff). */
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
 * whether the kernel's OOM killer ended it. With Prometheus, also true (and *oom_killed true)
 * for a container on any node with OOM events. */
bool cluster_container_oom(const struct cluster *c, const char *cid, bool *oom_killed);

/* What jobs_derive() takes from the containers (struct job_inputs): the usage of those
 * sampled and the final states of those inspected, on the connected node; with Prometheus,
 * the usage of every node's containers and an OOM-killed state for each with OOM events. *usage and *cstates are
 * new arrays the caller frees; their container ids are borrowed from c, valid until the next
 * poll. api/swarm/jobview.h builds the jobs from these. */
void cluster_container_figures(const struct cluster *c, struct usage **usage, size_t *n_usage,
                               struct cstate **cstates, size_t *n_cstates);

/* Realtime clock in unix ns. */
int64_t now_ns(void);

#endif
