/* An htop-style bar meter: an optional label, then "[" bar "]" with the value text inside the
 * bar on the right, e.g. "CPU[|||||     52%]".
 *
 * Two stacked segments: the first (value) is the measured quantity and takes the threshold
 * colour (below warn_pct: OK, below crit_pct: WARN, else CRIT, of value/total); the second
 * (value2) follows it in its own colour, e.g. the rest of a reservation after the usage, or
 * the headroom up to a limit. Values beyond total fill the bar; the text still says "130%".
 *
 * Forms: ASCII ("|" first segment, "#" second, as htop's monochrome meters) when ascii is true,
 * otherwise block characters ("█" with eighth blocks "▏".."▉" for the last partial cell of the
 * first segment, "░" for the second). The text alone tells the value, so the meter reads right
 * without colours. A value that is not known yet (known == false, a non-finite value, or no
 * total) shows "n/a" centred in an empty bar, never 0.
 *
 * meter_render() is pure and produces exactly width columns; meter_draw() paints the same
 * text with the theme's colours (or monochrome attributes). */
#ifndef GB_WIDGETS_METER_H
#define GB_WIDGETS_METER_H

#include <stdbool.h>
#include <stddef.h>

#include "widgets/theme.h"

enum meter_level { METER_UNKNOWN, METER_OK, METER_WARN, METER_CRIT };

struct meter {
	const char *label;   /* borrowed, printable, may be NULL; "Mem " (include a space if wanted) */
	double total;        /* the amount of a full bar; <= 0 means not known */
	double value;        /* first segment */
	double value2;       /* second segment, stacked after the first; 0 = none */
	const char *text;    /* borrowed value text; NULL: the percentage of value/total, "52%" */
	bool known;          /* false (the zero value): "n/a" */
	int warn_pct;        /* 0: 70 */
	int crit_pct;        /* 0: 90 */
};

/* Where meter_render put things, in columns from the start, for painting. */
struct meter_layout {
	int width;              /* columns written */
	int bar_x;              /* column of '[', -1 when too narrow for brackets */
	int inner_x, inner_w;   /* the cells of the bar */
	int fill1, fill2;       /* inner cells [0, fill1) first segment, [fill1, fill2) second */
	int text_x, text_w;     /* the value text (columns from the start), text_w 0: none */
	enum meter_level level;
};

enum meter_level meter_level(const struct meter *m);

/* Render m in exactly width columns into buf (sz bytes; 4 * width + 1 is always enough
 * unless the label or text hold combining characters). Below 3 columns the brackets go,
 * the label goes when it leaves less than 3 columns, the text when it does not fit the bar.
 * lay may be NULL. Returns the bytes written. */
size_t meter_render(char *buf, size_t sz, int width, const struct meter *m, bool ascii,
                    struct meter_layout *lay);

/* Paint m at (y, x) in width columns of win with th's attributes and th->ascii; selected
 * keeps a table's selection highlight behind the empty part. Clipped to win. */
void meter_draw(WINDOW *win, int y, int x, int width, const struct meter *m,
                const struct theme *th, bool selected);

#endif
