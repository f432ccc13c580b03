/* A job's or a node's usage over the last hour from Prometheus, for sparklines
 * (widgets/spark.h): CPU (one CPU = 100, summed over the job's containers or the node's CPUs,
 * a rate over two steps) and memory (bytes), one sample a step, NAN where Prometheus has none. Two range queries
 * through the client (prom.h); never blocks. */
#ifndef GB_API_METRICS_PROMHIST_H
#define GB_API_METRICS_PROMHIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/metrics/prom.h"

#define PROMHIST_SPAN_S 3600
#define PROMHIST_STEP_S 60
#define PROMHIST_POINTS (PROMHIST_SPAN_S / PROMHIST_STEP_S + 1)
#define PROMHIST_MAX_IDS 64

struct prom_hist;

/* What arrived: both series, or err (a sentence). Borrowed during the call. */
typedef void (*prom_hist_fn)(void *ud, const double *cpu, const double *mem, size_t n,
                             const char *err);

/* The query of one series over the containers ids (64-hex; at most PROMHIST_MAX_IDS used):
 * mem false for CPU. New string, NULL when no id is a container ID. Pure. */
char *prom_hist_query(const char *const *ids, size_t n, bool mem);
/* The points of a matrix result on the grid start, start + step, ... (n points), summed over
 * its series; NAN where none has a point. Pure. */
void prom_hist_grid(const struct prom_result *r, int64_t start, int64_t step, double *out, size_t n);

/* A node's series from node-exporter (series labelled swarm_node_id, docs/metrics.md): CPUs
 * busy (one CPU = 100) or memory in use (MemTotal - MemAvailable). New string, NULL when
 * node_id is not a swarm node ID (letters and digits only). Pure. */
char *prom_hist_node_query(const char *node_id, bool mem);

/* Ask for the hour up to now (unix seconds) of the containers ids (copied). fn once, unless
 * cancelled by prom_hist_free. p borrowed. NULL when no id is a container ID. */
struct prom_hist *prom_hist_start(struct prom *p, const char *const *ids, size_t n, int64_t now,
                                  prom_hist_fn fn, void *ud);
/* The same with the two queries given (borrowed for the call): CPU, then memory. */
struct prom_hist *prom_hist_start_queries(struct prom *p, const char *cpu_query,
                                          const char *mem_query, int64_t now, prom_hist_fn fn,
                                          void *ud);
void prom_hist_free(struct prom_hist **h);

#endif
