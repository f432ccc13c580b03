/* The "last hour" line of the tasks view (a job) and the nodes view (the selected node): CPU
 * and memory sparklines from Prometheus (api/metrics/promhist.h, widgets/spark.h), asked for
 * when the subject changes and every HISTLINE_EVERY_MS after, never blocking. Only drawn when
 * usage comes from Prometheus (histline_shown). */
#ifndef GB_TUI_CONSOLE_HISTLINE_H
#define GB_TUI_CONSOLE_HISTLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "api/metrics/promhist.h"

#define HISTLINE_EVERY_MS 30000

struct app;

struct histline {
	struct app *app;              /* borrowed */
	struct prom_hist *req;
	double cpu[PROMHIST_POINTS], mem[PROMHIST_POINTS];
	bool have;
	char *err;                    /* owned: why the last request failed */
	char *key;                    /* owned: what the figures are of (a service or node ID) */
	int64_t next;                 /* mono ms */
};

void histline_init(struct histline *h, struct app *a);
void histline_clear(struct histline *h);
/* Whether the line is shown: usage comes from Prometheus. */
bool histline_shown(const struct histline *h);
/* Whether to ask now for key: the line is shown, nothing is in flight, and key is new or the
 * last figures are HISTLINE_EVERY_MS old. A new key drops the old figures. */
bool histline_due(struct histline *h, const char *key);
/* Ask with the two queries (borrowed; NULL: nothing to ask). */
void histline_ask(struct histline *h, const char *cpu_query, const char *mem_query);
/* For the screen's wait_ms: -1 when nothing is due. */
int histline_wait_ms(const struct histline *h);
/* "last hour  CPU ▁▂▄█ 2-98%  MEM ▁▂▂▃ 10-31 MiB" in w columns at (y, x). */
void histline_draw(const struct histline *h, int y, int x, int w);

#endif
