#include "tui/console/histline.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "api/core/jobs.h"
#include "tui/console/app.h"
#include "widgets/spark.h"

void histline_init(struct histline *h, struct app *a)
{
	memset(h, 0, sizeof *h);
	h->app = a;
}

void histline_clear(struct histline *h)
{
	prom_hist_free(&h->req);
	free(h->err);
	free(h->key);
	memset(h, 0, sizeof *h);
}

bool histline_shown(const struct histline *h)
{
	return cluster_usage_source(h->app->cluster) == USAGE_PROMETHEUS;
}

bool histline_due(struct histline *h, const char *key)
{
	if (!histline_shown(h) || h->req || !key || !cluster_prom(h->app->cluster))
		return false;
	if (!h->key || strcmp(h->key, key) != 0) {
		free(h->key);
		h->key = xstrdup(key);
		h->have = false;
		return true;
	}
	return mono_ms() >= h->next;
}

static void histline_on(void *ud, const double *cpu, const double *mem, size_t n, const char *err)
{
	struct histline *h = ud;
	prom_hist_free(&h->req);   /* nothing of it is touched after the callback */
	free(h->err);
	h->err = err ? xstrdup(err) : NULL;
	memcpy(h->cpu, cpu, n * sizeof *cpu);
	memcpy(h->mem, mem, n * sizeof *mem);
	h->have = true;
	h->app->dirty = true;
}

void histline_ask(struct histline *h, const char *cpu_query, const char *mem_query)
{
	h->next = mono_ms() + HISTLINE_EVERY_MS;
	h->req = prom_hist_start_queries(cluster_prom(h->app->cluster), cpu_query, mem_query,
	                                 now_ns() / 1000000000LL, histline_on, h);
}

int histline_wait_ms(const struct histline *h)
{
	if (h->req || !histline_shown(h))
		return -1;
	int64_t ms = h->next - mono_ms();
	return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
}

void histline_draw(const struct histline *h, int y, int x0, int width)
{
	const struct theme *th = &h->app->theme;
	attr_t normal = theme_attr(th, THEME_NORMAL);
	if (!h->have || h->err) {
		char *why = h->err ? sanitize_str(h->err, 0) : NULL;
		char *line = xasprintf("last hour: %s", why ? why : "asking Prometheus...");
		widget_put(stdscr, y, x0, width, line, normal, true, th->ascii);
		free(line);
		free(why);
		return;
	}
	struct spark cpu = {.v = h->cpu, .n = PROMHIST_POINTS}, mem = {.v = h->mem, .n = PROMHIST_POINTS};
	double clo = 0, chi = 0, mlo = 0, mhi = 0;
	char ct[48] = "no data", a[32], b[32], mt[64] = "no data";
	if (spark_range(&cpu, &clo, &chi))
		snprintf(ct, sizeof ct, "%.0f-%.0f%%", clo, chi);
	if (spark_range(&mem, &mlo, &mhi)) {
		format_bytes(a, sizeof a, mlo > 0 ? (uint64_t)mlo : 0);
		format_bytes(b, sizeof b, mhi > 0 ? (uint64_t)mhi : 0);
		snprintf(mt, sizeof mt, "%s-%s", a, b);
	}
	/* What is left of the line after the words goes to the two sparklines, half each. */
	int fixed = (int)(strlen("last hour  CPU   MEM  ") + strlen(ct) + strlen(mt) + 2);
	int w = (width - fixed) / 2, x = x0, end = x0 + width;
	if (w > PROMHIST_POINTS)
		w = PROMHIST_POINTS;
	x += widget_put(stdscr, y, x, width, "last hour  CPU ", normal, false, th->ascii);
	if (w >= 4) {
		spark_draw(stdscr, y, x, w, &cpu, th);
		x += w;
	}
	char *t = xasprintf(" %s  MEM ", ct);
	if (x < end)
		x += widget_put(stdscr, y, x, end - x, t, normal, false, th->ascii);
	free(t);
	if (w >= 4 && x + w < end) {
		spark_draw(stdscr, y, x, w, &mem, th);
		x += w;
	}
	t = xasprintf(" %s", mt);
	if (x < end)
		widget_put(stdscr, y, x, end - x, t, normal, true, th->ascii);
	free(t);
}
