/* The usage round: one instant query that asks Prometheus, for every container it knows, CPU
 * (a rate over a window), working set, memory limit and OOM events, and for every node
 * node-exporter labels with swarm_node_id, CPU and memory in use; and its result as figures
 * keyed by container ID and node ID. Pure (docs/metrics.md lists the queries).
 *
 * The metric names are cAdvisor's, which `glovebox collect` also writes; containers are
 * recognised by their `id` label (prom_container_id), whatever other labels a cAdvisor adds. */
#ifndef GB_API_METRICS_PROMUSAGE_H
#define GB_API_METRICS_PROMUSAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "api/metrics/promdecode.h"

/* The default window of rate(): at least four scrape intervals of a 15 s scrape. */
#define PROM_RATE_WINDOW_DEFAULT 60
/* How far back an OOM event still counts (a container that was killed is gone from the
 * next scrape; the swarm keeps its task for a while). */
#define PROM_OOM_LOOKBACK "1h"

struct prom_container {
	char id[65];
	bool has_cpu, has_mem, has_limit;
	double cpu_percent;        /* one CPU = 100, as docker stats */
	uint64_t mem_used;         /* working set: usage minus inactive file, as docker stats */
	uint64_t mem_limit;
	uint64_t ooms;             /* OOM events within PROM_OOM_LOOKBACK */
};

struct prom_node {
	char *node_id;             /* owned: the swarm node ID (label swarm_node_id) */
	bool has_cpu, has_mem;
	double cpu_percent;        /* CPUs busy, one CPU = 100 */
	uint64_t mem_used;         /* MemTotal - MemAvailable */
};

struct prom_usage {
	struct prom_container *v; size_t n;    /* sorted by id */
	struct prom_node *nodes; size_t n_nodes;
	size_t ignored;                        /* series with an id that is not a container's */
};

/* The query of a round, with rate() over window_s seconds (<= 0: the default). New string. */
char *prom_usage_query(int64_t window_s);

/* The figures in a result of that query (a vector; anything else gives none). Series whose
 * value is NaN, infinite or negative, or whose id names no container, are left out. */
void prom_usage_from(const struct prom_result *r, struct prom_usage *out);

/* The container's figures, or NULL. Borrowed. */
const struct prom_container *prom_usage_find(const struct prom_usage *u, const char *cid);
const struct prom_node *prom_usage_node(const struct prom_usage *u, const char *node_id);

void prom_usage_clear(struct prom_usage *u);

#endif
