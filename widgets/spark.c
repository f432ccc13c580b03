#include "widgets/spark.h"

#include <math.h>
#include <string.h>

#include "widgets/widget.h"

static const char *const blocks[8] = {
	"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
};
static const char ascii_levels[8] = {'_', '.', '-', ':', '=', '+', '*', '#'};

bool spark_range(const struct spark *s, double *lo, double *hi)
{
	bool any = false;
	for (size_t i = 0; i < s->n; i++) {
		double x = s->v[i];
		if (!isfinite(x))
			continue;
		if (!any || x < *lo)
			*lo = x;
		if (!any || x > *hi)
			*hi = x;
		any = true;
	}
	return any;
}

/* The sample of cell c of cells: the largest known one of its share of the series, NAN when
 * its share has none. */
static double cell_value(const struct spark *s, size_t c, size_t cells)
{
	if (s->n <= cells) {   /* right-aligned, one sample a cell */
		size_t pad = cells - s->n;
		return c < pad ? NAN : s->v[c - pad];
	}
	size_t from = c * s->n / cells, to = (c + 1) * s->n / cells;
	double best = NAN;
	for (size_t i = from; i < to; i++)
		if (isfinite(s->v[i]) && (!isfinite(best) || s->v[i] > best))
			best = s->v[i];
	return best;
}

size_t spark_render(char *buf, size_t sz, int width, const struct spark *s, bool ascii)
{
	size_t at = 0;
	if (sz == 0)
		return 0;
	double lo = 0, hi = 0;
	bool any = width > 0 && spark_range(s, &lo, &hi);
	double bottom = lo < 0 ? lo : 0, top = s->max > 0 ? s->max : hi;
	for (int c = 0; c < width; c++) {
		double x = any ? cell_value(s, (size_t)c, (size_t)width) : NAN;
		const char *cell = " ";
		char one[2] = {0};
		if (isfinite(x)) {
			/* Block k is (k + 1) eighths high: a sample gets the lowest that reaches it. */
			double share = top > bottom ? (x - bottom) / (top - bottom) : 0;
			int level = share <= 0 ? 0 : share >= 1 ? 7 : (int)ceil(share * 8) - 1;
			if (level < 0)
				level = 0;
			if (ascii) {
				one[0] = ascii_levels[level];
				cell = one;
			} else {
				cell = blocks[level];
			}
		}
		size_t len = strlen(cell);
		if (at + len >= sz)
			break;
		memcpy(buf + at, cell, len);
		at += len;
	}
	buf[at] = '\0';
	return at;
}

void spark_draw(WINDOW *win, int y, int x, int width, const struct spark *s,
                const struct theme *th)
{
	char buf[4 * 512 + 1];
	if (width <= 0)
		return;
	if (width > 512)
		width = 512;
	spark_render(buf, sizeof buf, width, s, th->ascii);
	widget_put(win, y, x, width, buf, theme_attr(th, THEME_METER_OK), true, th->ascii);
}
