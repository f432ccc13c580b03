#include "api/metrics/promhist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/chars.h"
#include "api/base/xalloc.h"

char *prom_hist_query(const char *const *ids, size_t n, bool mem)
{
	char *alt = NULL;
	size_t used = 0;
	for (size_t i = 0; i < n && used < PROMHIST_MAX_IDS; i++) {
		const char *id = ids[i];
		size_t k = 0;
		while (id && k < 64 && char_is_lower_hex((unsigned char)id[k]))
			k++;
		if (!id || k != 64 || id[64])
			continue;   /* only IDs go into the query: nothing to escape */
		char *t = alt ? xasprintf("%s|%s", alt, id) : xstrdup(id);
		free(alt);
		alt = t;
		used++;
	}
	if (!alt)
		return NULL;
	char *sel = xasprintf("{id=~\".*/(docker-)?(%s)(\\\\.scope)?\"}", alt);
	char *q = mem ? xasprintf("sum(container_memory_working_set_bytes%s)", sel)
	              : xasprintf("sum(rate(container_cpu_usage_seconds_total%s[%ds])) * 100", sel,
	                          2 * PROMHIST_STEP_S);
	free(sel);
	free(alt);
	return q;
}

void prom_hist_grid(const struct prom_result *r, int64_t start, int64_t step, double *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = NAN;
	if (!r || r->type != PROM_MATRIX || step <= 0)
		return;
	for (size_t s = 0; s < r->n; s++)
		for (size_t p = 0; p < r->v[s].n_points; p++) {
			const struct prom_point *pt = &r->v[s].points[p];
			double k = (pt->t - (double)start) / (double)step;
			if (!isfinite(pt->v) || k < -0.5 || k > (double)n - 0.5)
				continue;
			size_t i = (size_t)llround(k);
			out[i] = isfinite(out[i]) ? out[i] + pt->v : pt->v;
		}
}

struct prom_hist {
	struct prom *p;
	struct prom_req *req[2];   /* CPU, memory */
	double cpu[PROMHIST_POINTS], mem[PROMHIST_POINTS];
	int pending;
	char *err;
	int64_t start;
	prom_hist_fn fn;
	void *ud;
};

static void prom_hist_on(struct prom_hist *h, int which, const struct prom_result *r, const char *err)
{
	h->req[which] = NULL;
	if (err && !h->err)
		h->err = xstrdup(err);
	prom_hist_grid(r, h->start, PROMHIST_STEP_S, which ? h->mem : h->cpu, PROMHIST_POINTS);
	if (--h->pending == 0)
		h->fn(h->ud, h->cpu, h->mem, PROMHIST_POINTS, h->err);
}

static void prom_hist_on_cpu(void *ud, const struct prom_result *r, const char *err, bool unreachable)
{
	(void)unreachable;
	prom_hist_on(ud, 0, r, err);
}

static void prom_hist_on_mem(void *ud, const struct prom_result *r, const char *err, bool unreachable)
{
	(void)unreachable;
	prom_hist_on(ud, 1, r, err);
}

char *prom_hist_node_query(const char *node_id, bool mem)
{
	size_t k = 0;
	while (node_id && k < 64 && char_is_alnum((unsigned char)node_id[k]))
		k++;   /* swarm node IDs are letters and digits: nothing to escape in the query */
	if (!node_id || k == 0 || node_id[k])
		return NULL;
	if (mem)
		return xasprintf("sum(node_memory_MemTotal_bytes{swarm_node_id=\"%s\"}) - "
		                 "sum(node_memory_MemAvailable_bytes{swarm_node_id=\"%s\"})", node_id, node_id);
	return xasprintf("sum(rate(node_cpu_seconds_total{mode!=\"idle\",swarm_node_id=\"%s\"}[%ds])) * 100",
	                 node_id, 2 * PROMHIST_STEP_S);
}

struct prom_hist *prom_hist_start(struct prom *p, const char *const *ids, size_t n, int64_t now,
                                  prom_hist_fn fn, void *ud)
{
	char *qc = prom_hist_query(ids, n, false), *qm = prom_hist_query(ids, n, true);
	struct prom_hist *h = qc && qm ? prom_hist_start_queries(p, qc, qm, now, fn, ud) : NULL;
	free(qc);
	free(qm);
	return h;
}

struct prom_hist *prom_hist_start_queries(struct prom *p, const char *qc, const char *qm,
                                          int64_t now, prom_hist_fn fn, void *ud)
{
	if (!p || !qc || !qm)
		return NULL;
	struct prom_hist *h = xcalloc(1, sizeof *h);
	h->p = p;
	h->fn = fn;
	h->ud = ud;
	h->start = now - PROMHIST_SPAN_S;   /* the last point is now: a new job has one at once */
	h->pending = 2;
	int64_t end = h->start + PROMHIST_SPAN_S;
	h->req[0] = prom_query_range(p, qc, h->start, end, PROMHIST_STEP_S, "CPU over the last hour",
	                             prom_hist_on_cpu, h);
	h->req[1] = prom_query_range(p, qm, h->start, end, PROMHIST_STEP_S, "memory over the last hour",
	                             prom_hist_on_mem, h);
	return h;
}

void prom_hist_free(struct prom_hist **ph)
{
	struct prom_hist *h = *ph;
	if (!h)
		return;
	for (int i = 0; i < 2; i++)
		if (h->req[i])
			prom_cancel(h->p, h->req[i]);
	free(h->err);
	free(h);
	*ph = NULL;
}
