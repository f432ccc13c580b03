/* A sparkline: a series of samples in one line of cells, one cell per sample, its height the
 * sample's share of the range, e.g. "CPU ▁▂▄█▇▃  min 2% max 98%".
 *
 * Cells are the Unicode lower blocks "▁".."█" (eight levels, block k is (k + 1) eighths high
 * and a sample gets the lowest block that reaches it), or in ASCII "_.-:=+*#" (the same eight
 * levels, for non-UTF-8 locales). A missing sample (NAN: no data
 * for that step, e.g. while Prometheus was away) is a blank cell, never a zero. When there are
 * more samples than cells, each cell shows the largest sample of its share of the series (peaks
 * survive); fewer samples are drawn right-aligned, the newest at the right edge.
 *
 * The scale runs from 0 (or the smallest sample, when it is negative) to `max` when it is
 * given (a limit, 100 % of a CPU count), else to the largest sample, so a flat series at 0
 * draws as the lowest level and one known value still shows.
 *
 * spark_render() is pure and writes exactly width columns; spark_draw() paints it. */
#ifndef GB_WIDGETS_SPARK_H
#define GB_WIDGETS_SPARK_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "widgets/theme.h"

struct spark {
	const double *v;     /* borrowed samples, oldest first; NAN for a missing one */
	size_t n;
	double max;          /* the top of the scale; <= 0: the largest sample */
};

/* The smallest and largest known sample; false when there is none. */
bool spark_range(const struct spark *s, double *lo, double *hi);

/* Render s in exactly width columns into buf (sz bytes; 3 * width + 1 is enough). Returns the
 * bytes written. */
size_t spark_render(char *buf, size_t sz, int width, const struct spark *s, bool ascii);

/* Paint s at (y, x) in width columns of win, in the theme's meter colour (THEME_METER_OK). */
void spark_draw(WINDOW *win, int y, int x, int width, const struct spark *s,
                const struct theme *th);

#endif
