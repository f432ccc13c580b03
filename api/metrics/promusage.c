#include "api/metrics/promusage.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"

/* Only series whose id ends in a container ID: cAdvisor also exports every other cgroup. */
#define CSEL "{id=~\".*[0-9a-f]{64}(\\\\.scope)?\"}"
#define NSEL "swarm_node_id!=\"\""

char *prom_usage_query(int64_t window_s)
{
	if (window_s <= 0)
		window_s = PROM_RATE_WINDOW_DEFAULT;
	/* One request: each part tagged with label gb, joined with `or` (their label sets differ
	 * by gb, so none hides another). */
	return xasprintf(
		"label_replace(sum by (id) (rate(container_cpu_usage_seconds_total" CSEL "[%" PRId64 "s])), \"gb\", \"cpu\", \"\", \"\")"
		" or label_replace(sum by (id) (container_memory_working_set_bytes" CSEL "), \"gb\", \"mem\", \"\", \"\")"
		" or label_replace(max by (id) (container_spec_memory_limit_bytes" CSEL "), \"gb\", \"limit\", \"\", \"\")"
		" or label_replace(max by (id) (max_over_time(container_oom_events_total" CSEL "[" PROM_OOM_LOOKBACK "])), \"gb\", \"oom\", \"\", \"\")"
		" or label_replace(sum by (swarm_node_id) (1 - rate(node_cpu_seconds_total{mode=\"idle\"," NSEL "}[%" PRId64 "s])), \"gb\", \"node_cpu\", \"\", \"\")"
		" or label_replace(sum by (swarm_node_id) (node_memory_MemTotal_bytes{" NSEL "}) - sum by (swarm_node_id) (node_memory_MemAvailable_bytes{" NSEL "}), \"gb\", \"node_mem\", \"\", \"\")",
		window_s, window_s);
}

static int container_cmp(const void *a, const void *b)
{
	return strcmp(((const struct prom_container *)a)->id, ((const struct prom_container *)b)->id);
}

static struct prom_container *container_get(struct prom_usage *u, const char *id)
{
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->v[i].id, id) == 0)
			return &u->v[i];
	u->v = xreallocarray(u->v, u->n + 1, sizeof *u->v);
	struct prom_container *c = &u->v[u->n++];
	memset(c, 0, sizeof *c);
	memcpy(c->id, id, sizeof c->id);
	return c;
}

static struct prom_node *node_get(struct prom_usage *u, const char *id)
{
	for (size_t i = 0; i < u->n_nodes; i++)
		if (strcmp(u->nodes[i].node_id, id) == 0)
			return &u->nodes[i];
	u->nodes = xreallocarray(u->nodes, u->n_nodes + 1, sizeof *u->nodes);
	struct prom_node *n = &u->nodes[u->n_nodes++];
	memset(n, 0, sizeof *n);
	n->node_id = xstrdup(id);
	return n;
}

/* Bytes from a float sample: whole, not negative, within uint64. */
static uint64_t bytes_of(double v)
{
	return v >= 18446744073709549568.0 ? UINT64_MAX : (uint64_t)llround(v);
}

void prom_usage_from(const struct prom_result *r, struct prom_usage *out)
{
	memset(out, 0, sizeof *out);
	if (r->type != PROM_VECTOR)
		return;
	for (size_t i = 0; i < r->n; i++) {
		const struct prom_series *s = &r->v[i];
		const char *gb = prom_series_label(s, "gb");
		if (!gb || s->n_points != 1)
			continue;
		double v = s->points[0].v;
		if (!isfinite(v) || v < 0)
			continue;
		if (strncmp(gb, "node_", 5) == 0) {
			const char *nid = prom_series_label(s, "swarm_node_id");
			if (!nid || !*nid)
				continue;
			struct prom_node *n = node_get(out, nid);
			if (strcmp(gb, "node_cpu") == 0)
				n->has_cpu = true, n->cpu_percent = v * 100;
			else if (strcmp(gb, "node_mem") == 0)
				n->has_mem = true, n->mem_used = bytes_of(v);
			continue;
		}
		char cid[65];
		if (!prom_container_id(prom_series_label(s, "id"), cid)) {
			out->ignored++;
			continue;
		}
		struct prom_container *c = container_get(out, cid);
		if (strcmp(gb, "cpu") == 0)
			c->has_cpu = true, c->cpu_percent = v * 100;
		else if (strcmp(gb, "mem") == 0)
			c->has_mem = true, c->mem_used = bytes_of(v);
		else if (strcmp(gb, "limit") == 0)
			c->has_limit = true, c->mem_limit = bytes_of(v);
		else if (strcmp(gb, "oom") == 0)
			c->ooms = bytes_of(v);
	}
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, container_cmp);
}

const struct prom_container *prom_usage_find(const struct prom_usage *u, const char *cid)
{
	if (!cid || !u->n || strlen(cid) != 64)
		return NULL;
	struct prom_container key;
	memcpy(key.id, cid, sizeof key.id);
	return bsearch(&key, u->v, u->n, sizeof *u->v, container_cmp);
}

const struct prom_node *prom_usage_node(const struct prom_usage *u, const char *node_id)
{
	for (size_t i = 0; node_id && i < u->n_nodes; i++)
		if (strcmp(u->nodes[i].node_id, node_id) == 0)
			return &u->nodes[i];
	return NULL;
}

void prom_usage_clear(struct prom_usage *u)
{
	for (size_t i = 0; i < u->n_nodes; i++)
		free(u->nodes[i].node_id);
	free(u->nodes);
	free(u->v);
	memset(u, 0, sizeof *u);
}
