/* The tasks of one job: see tasks.h. */
#include "tui/console/tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "api/core/jobtext.h"
#include "api/metrics/promhist.h"
#include "tui/console/app.h"
#include "tui/console/logs.h"
#include "tui/console/triage.h"
#include "widgets/spark.h"

enum { C_SLOT, C_NODE, C_DESIRED, C_STATE, C_EXIT, C_ERROR, C_ID, N_COLS };

static const struct table_column tasks_columns[N_COLS] = {
	[C_SLOT]    = {"SLOT", 4, 6, 0, 8, TABLE_RIGHT, true},
	[C_NODE]    = {"NODE", 6, 20, 1, 3, TABLE_LEFT, true},
	[C_DESIRED] = {"DESIRED", 7, 8, 0, 4, TABLE_LEFT, true},
	[C_STATE]   = {"STATE", 12, 20, 1, 9, TABLE_LEFT, true},
	[C_EXIT]    = {"EXIT", 4, 4, 0, 5, TABLE_RIGHT, true},
	[C_ERROR]   = {"ERROR", 10, 0, 4, 7, TABLE_LEFT, false},
	[C_ID]      = {"TASK", 12, 12, 0, 1, TABLE_LEFT, false},
};

enum { OP_LOGS = OP_SCREEN, OP_TASK_LOGS };

/* The bar shows the KB_BAR entries in this order (Quit early: a narrow bar drops entries from
 * the end); KB_NOHELP entries are the global and the table keys'. Esc is the global back (it
 * clears the filter first): listed here, left to the global keys. */
static const struct keybinding tasks_keys[] = {
	{KEY_F(1), "F1", "Help", NULL, KB_BAR | KB_NOHELP, OP_HELP},
	{KEY_F(10), "F10", "Quit", NULL, KB_BAR | KB_NOHELP, OP_QUIT},
	{27, "Esc", "Back", "Back to the jobs", KB_BAR, OP_BACK},
	{'/', "/", "Filter", NULL, KB_BAR | KB_NOHELP, OP_FILTER},
	{'>', "<>", "Sort", NULL, KB_BAR | KB_NOHELP, 0},
	{'l', "l", "Logs", "The logs of this job: follow, search, wrap, timestamps", KB_BAR, OP_LOGS},
	{'\r', "Enter", NULL, "The logs of the selected task only: that replica, on its node", 0, OP_TASK_LOGS},
	{0, NULL, NULL, NULL, 0, 0},
};

static const struct help_section tasks_help[] = {
	{"Tasks of a job", tasks_keys},
	{"Moving and sorting", table_keys},
	{NULL, NULL},
};

struct tasks_screen {
	struct app *app;
	char *service_id;
	const struct task **rows;      /* borrowed from the cluster, newest first */
	size_t n;
	struct table *table;
	struct rect area;
	/* The last hour from Prometheus (api/metrics/promhist.h), asked for again every
	 * TASKS_HIST_EVERY_MS while the screen is shown; only with Prometheus configured. */
	struct prom_hist *hist;
	double cpu[PROMHIST_POINTS], mem[PROMHIST_POINTS];
	bool have_hist;
	char *hist_err;
	int64_t next_hist;            /* mono ms */
};

#define TASKS_HIST_EVERY_MS 30000

static const struct service *tasks_find_service(struct tasks_screen *s)
{
	const struct service_list *l = cluster_services(s->app->cluster);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id && strcmp(l->v[i].id, s->service_id) == 0)
			return &l->v[i];
	return NULL;
}

static const struct task *row_task(struct tasks_screen *s, size_t row)
{
	return row < s->n ? s->rows[row] : NULL;
}

static size_t tasks_src_count(void *ctx) { return ((struct tasks_screen *)ctx)->n; }

static const char *tasks_src_id(void *ctx, size_t row)
{
	const struct task *t = row_task(ctx, row);
	return t && t->id ? t->id : "";
}

/* Why a task ended, in words; OOM only when the container state says so. */
static char *task_error(struct tasks_screen *s, const struct task *t)
{
	bool oom = false;
	const struct service *svc = tasks_find_service(s);
	if (cluster_container_oom(s->app->cluster, t->container_id, &oom) && oom) {
		if (svc && svc->limit_memory > 0) {
			char b[32];
			format_bytes(b, sizeof b, (uint64_t)svc->limit_memory);
			return xasprintf("OOM killed (limit %s)", b);
		}
		return xstrdup("OOM killed");
	}
	return xstrdup(t->err ? t->err : "");
}

static void tasks_src_cell(void *ctx, size_t row, int col, char *buf, size_t sz)
{
	struct tasks_screen *s = ctx;
	const struct task *t = row_task(s, row);
	char age[16];
	char *txt = NULL;
	buf[0] = '\0';
	if (!t)
		return;
	switch (col) {
	case C_SLOT:
		if (t->slot)
			snprintf(buf, sz, "%llu", (unsigned long long)t->slot);
		else
			snprintf(buf, sz, "-");
		return;
	case C_NODE: {
		const struct node *n = cluster_node(s->app->cluster, t->node_id);
		txt = sanitize_str(n && n->hostname ? n->hostname : t->node_id ? t->node_id : "-", 0);
		break;
	}
	case C_DESIRED:
		txt = sanitize_str(t->desired_state, 0);
		break;
	case C_STATE: {
		char *st = sanitize_str(t->state, 0);
		format_age(age, sizeof age, t->timestamp_ns > 0 ? (now_ns() - t->timestamp_ns) / 1000000000LL : 0);
		snprintf(buf, sz, "%s %s ago", st, age);
		free(st);
		return;
	}
	case C_EXIT:
		if (t->has_exit_code && (t->exit_code || strcmp(t->state ? t->state : "", "running") != 0))
			snprintf(buf, sz, "%d", t->exit_code);
		return;
	case C_ERROR: {
		char *e = task_error(s, t);
		txt = sanitize_str(e, 0);
		free(e);
		break;
	}
	case C_ID:
		txt = sanitize(t->id ? t->id : "", t->id ? strnlen(t->id, 12) : 0, 0);
		break;
	}
	snprintf(buf, sz, "%s", txt ? txt : "");
	free(txt);
}

static enum theme_role tasks_src_role(void *ctx, size_t row, int col)
{
	const struct task *t = row_task(ctx, row);
	const char *st = t && t->state ? t->state : "";
	(void)col;
	if (!strcmp(st, "failed") || !strcmp(st, "rejected"))
		return THEME_ROW_FAILED;
	if (!strcmp(st, "pending"))
		return THEME_ROW_PENDING;
	if (t && t->desired_state && strcmp(t->desired_state, "running") != 0)
		return THEME_ROW_DIM;
	return THEME_NORMAL;
}

static int tasks_src_compare(void *ctx, size_t a, size_t b, int col)
{
	const struct task *x = row_task(ctx, a), *y = row_task(ctx, b);
	switch (col) {
	case C_SLOT:    return (x->slot > y->slot) - (x->slot < y->slot);
	case C_NODE:    return strcmp(x->node_id ? x->node_id : "", y->node_id ? y->node_id : "");
	case C_DESIRED: return strcmp(x->desired_state ? x->desired_state : "", y->desired_state ? y->desired_state : "");
	case C_STATE:   return (x->timestamp_ns < y->timestamp_ns) - (x->timestamp_ns > y->timestamp_ns);
	case C_EXIT:    return x->exit_code - y->exit_code;
	}
	return 0;
}

static const struct table_source tasks_source = {
	.row_count = tasks_src_count,
	.row_id = tasks_src_id,
	.render_cell = tasks_src_cell,
	.cell_role = tasks_src_role,
	.compare = tasks_src_compare,
};

static int newest_first(const void *a, const void *b)
{
	const struct task *x = *(const struct task *const *)a, *y = *(const struct task *const *)b;
	if (x->created_ns != y->created_ns)
		return x->created_ns > y->created_ns ? -1 : 1;
	return 0;
}

static struct tasks_screen *tasks_new(struct app *a, const char *service_id)
{
	struct tasks_screen *s = xcalloc(1, sizeof *s);
	s->app = a;
	s->service_id = xstrdup(service_id);
	s->table = table_new(tasks_columns, N_COLS, &tasks_source, s, &a->theme);
	table_set_empty_text(s->table, "no tasks: the swarm has not scheduled this job yet");
	return s;
}

static void tasks_free(void *data)
{
	struct tasks_screen *s = data;
	prom_hist_free(&s->hist);
	free(s->hist_err);
	table_free(&s->table);
	free(s->rows);
	free(s->service_id);
	free(s);
}

static struct table *tasks_table(void *data)
{
	struct tasks_screen *s = data;
	return s->table;
}

static struct widget *tasks_widget(void *data)
{
	struct tasks_screen *s = data;
	return table_widget(s->table);
}

static const struct keybinding *tasks_keys_now(const void *data)
{
	(void)data;
	return tasks_keys;
}

/* Whether the history line is shown: usage comes from Prometheus. */
static bool tasks_hist_shown(const struct tasks_screen *s)
{
	return cluster_usage_source(s->app->cluster) == USAGE_PROMETHEUS;
}

static void tasks_on_hist(void *ud, const double *cpu, const double *mem, size_t n, const char *err)
{
	struct tasks_screen *s = ud;
	prom_hist_free(&s->hist);   /* nothing of it is touched after the callback */
	free(s->hist_err);
	s->hist_err = err ? xstrdup(err) : NULL;
	memcpy(s->cpu, cpu, n * sizeof *cpu);
	memcpy(s->mem, mem, n * sizeof *mem);
	s->have_hist = true;
	s->app->dirty = true;
}

/* Ask for the hour of every container the job's tasks had, now and then. */
static void tasks_tick(void *data)
{
	struct tasks_screen *s = data;
	int64_t now = mono_ms();
	struct prom *p = cluster_prom(s->app->cluster);
	if (s->hist || now < s->next_hist || !p || !tasks_hist_shown(s))
		return;
	s->next_hist = now + TASKS_HIST_EVERY_MS;
	const char **ids = xcalloc(s->n + 1, sizeof *ids);
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i]->container_id && *s->rows[i]->container_id)
			ids[n++] = s->rows[i]->container_id;
	s->hist = prom_hist_start(p, ids, n, now_ns() / 1000000000LL, tasks_on_hist, s);
	free(ids);
}

static int tasks_wait_ms(const void *data)
{
	const struct tasks_screen *s = data;
	if (s->hist || !tasks_hist_shown(s))
		return -1;
	int64_t ms = s->next_hist - mono_ms();
	return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
}

/* "last hour  CPU ▁▂▄█▇▃ 2-98%  MEM ▁▁▂▂▃▃ 10-31 MiB", the sparklines as wide as fits. */
static void tasks_draw_hist(struct tasks_screen *s, int y)
{
	const struct theme *th = &s->app->theme;
	struct rect r = s->area;
	if (!s->have_hist || s->hist_err) {
		char *why = s->hist_err ? sanitize_str(s->hist_err, 0) : NULL;
		char *line = xasprintf("last hour: %s", why ? why : "asking Prometheus...");
		widget_put(stdscr, y, r.x, r.w, line, theme_attr(th, THEME_NORMAL), true, th->ascii);
		free(line);
		free(why);
		return;
	}
	struct spark cpu = {.v = s->cpu, .n = PROMHIST_POINTS}, mem = {.v = s->mem, .n = PROMHIST_POINTS};
	double clo = 0, chi = 0, mlo = 0, mhi = 0;
	bool hc = spark_range(&cpu, &clo, &chi), hm = spark_range(&mem, &mlo, &mhi);
	char ct[48] = "no data", a[32], b[32], mt[64] = "no data";
	if (hc)
		snprintf(ct, sizeof ct, "%.0f-%.0f%%", clo, chi);
	if (hm) {
		format_bytes(a, sizeof a, (uint64_t)mlo);
		format_bytes(b, sizeof b, (uint64_t)mhi);
		snprintf(mt, sizeof mt, "%s-%s", a, b);
	}
	/* The rest of the line split between the two sparklines. */
	int fixed = (int)(strlen("last hour  CPU   MEM  ") + strlen(ct) + strlen(mt) + 2);
	int w = (r.w - fixed) / 2;
	if (w > PROMHIST_POINTS)
		w = PROMHIST_POINTS;
	int x = r.x;
	x += widget_put(stdscr, y, x, r.w, "last hour  CPU ", theme_attr(th, THEME_NORMAL), false, th->ascii);
	if (w >= 4) {
		spark_draw(stdscr, y, x, w, &cpu, th);
		x += w;
	}
	char *t = xasprintf(" %s  MEM ", ct);
	x += widget_put(stdscr, y, x, r.x + r.w - x, t, theme_attr(th, THEME_NORMAL), false, th->ascii);
	free(t);
	if (w >= 4 && x + w < r.x + r.w) {
		spark_draw(stdscr, y, x, w, &mem, th);
		x += w;
	}
	t = xasprintf(" %s", mt);
	if (x < r.x + r.w)
		widget_put(stdscr, y, x, r.x + r.w - x, t, theme_attr(th, THEME_NORMAL), true, th->ascii);
	free(t);
}

static void tasks_place(void *data, struct rect area)
{
	struct tasks_screen *s = data;
	s->area = area;
	/* Two lines of summary above the table (a third, the last hour, with Prometheus); below
	 * it what glovebox saw fail this session, then the selected task's error. */
	int top = tasks_hist_shown(s) ? 3 : 2;
	widget_place(table_widget(s->table), stdscr,
	             (struct rect){area.y + top, area.x, area.h - top - 2, area.w});
}

static void tasks_data_changed(void *data)
{
	struct tasks_screen *s = data;
	const struct task_list *l = cluster_tasks(s->app->cluster);
	s->n = 0;
	s->rows = xreallocarray(s->rows, l->n + 1, sizeof *s->rows);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].service_id && strcmp(l->v[i].service_id, s->service_id) == 0)
			s->rows[s->n++] = &l->v[i];
	qsort(s->rows, s->n, sizeof *s->rows, newest_first);
	table_refresh(s->table);
}

/* "restarts 2 of 5 (on-failure)": every task after the first of its slot is a restart, which
 * is how the swarm counts against max_attempts. Only the tasks the swarm still keeps count. */
static void restarts_text(struct tasks_screen *s, const struct service *svc, char *buf, size_t sz)
{
	unsigned restarts = 0, failures = 0;
	for (size_t i = 0; i < s->n; i++) {
		const char *st = s->rows[i]->state ? s->rows[i]->state : "";
		failures += !strcmp(st, "failed") || !strcmp(st, "rejected");
		bool first = true;   /* the first task seen of its slot is no restart */
		for (size_t j = 0; j < i && first; j++)
			first = s->rows[j]->slot != s->rows[i]->slot;
		restarts += !first;
	}
	const char *cond = svc->restart_condition ? svc->restart_condition : "any";
	if (!strcmp(cond, "none"))
		snprintf(buf, sz, "failures %u, no restarts (condition none)", failures);
	else if (svc->restart_max_attempts)
		snprintf(buf, sz, "restarts %u of %llu (%s)", restarts,
		         (unsigned long long)svc->restart_max_attempts, cond);
	else
		snprintf(buf, sz, "restarts %u, no limit (%s)", restarts, cond);
}

static void tasks_draw(void *data)
{
	struct tasks_screen *s = data;
	struct app *a = s->app;
	const struct theme *th = &a->theme;
	struct rect r = s->area;
	const struct service *svc = tasks_find_service(s);
	char line[1024];
	if (svc) {
		char *name = sanitize_str(svc->name, 0), *image = sanitize_str(svc->image, 0);
		char lim[96] = "", cpu[32] = "no limit", mem[32] = "no limit", rs[96];
		if (svc->limit_memory > 0)
			format_bytes(mem, sizeof mem, (uint64_t)svc->limit_memory);
		if (svc->limit_nano_cpus > 0)
			snprintf(cpu, sizeof cpu, "%.4g", (double)svc->limit_nano_cpus / 1e9);
		snprintf(lim, sizeof lim, "cpu %s  mem %s", cpu, mem);
		restarts_text(s, svc, rs, sizeof rs);
		snprintf(line, sizeof line, "tasks of %s", name);
		widget_put(stdscr, r.y, r.x, r.w, line, theme_attr(th, THEME_HEADER), true, th->ascii);
		snprintf(line, sizeof line, "%s  |  %s  |  %s", image, lim, rs);
		widget_put(stdscr, r.y + 1, r.x, r.w, line, theme_attr(th, THEME_NORMAL), true, th->ascii);
		free(name);
		free(image);
	} else {
		widget_put(stdscr, r.y, r.x, r.w, "this job is gone (removed)", theme_attr(th, THEME_HEADER),
		           true, th->ascii);
	}
	if (tasks_hist_shown(s))
		tasks_draw_hist(s, r.y + 2);
	widget_draw(table_widget(s->table));
	job_history_line(line, sizeof line, jobview_history(a->view), s->service_id, now_ns());
	widget_put(stdscr, r.y + r.h - 2, r.x, r.w, line, theme_attr(th, THEME_NORMAL), true, th->ascii);
	size_t row;
	line[0] = '\0';
	if (table_selected_row(s->table, &row)) {
		const struct task *t = row_task(s, row);
		char *e = task_error(s, t);
		const char *why = *e ? e : t->message ? t->message : "";
		char *clean = sanitize_str(why, 0);
		snprintf(line, sizeof line, "%s", clean);
		free(clean);
		free(e);
	}
	widget_put(stdscr, r.y + r.h - 1, r.x, r.w, line, theme_attr(th, THEME_NORMAL), true, th->ascii);
}

static int tasks_open_logs(void *data, int op)
{
	struct tasks_screen *s = data;
	(void)op;
	logs_screen_open(s->app, s->service_id, NULL);
	return WR_HANDLED | WR_REDRAW;
}

static int tasks_open_task_logs(void *data, int op)
{
	struct tasks_screen *s = data;
	size_t row;
	(void)op;
	const struct task *t = table_selected_row(s->table, &row) ? row_task(s, row) : NULL;
	if (t && t->id)   /* Enter on an empty list does nothing, and says nothing */
		logs_screen_open(s->app, s->service_id, t);
	return WR_HANDLED | WR_REDRAW;
}

static const struct screen_fn tasks_fns[] = {
	{OP_LOGS, tasks_open_logs, 0},
	{OP_TASK_LOGS, tasks_open_task_logs, 0},
	{0, NULL, 0},
};

const struct screen_ops tasks_screen_ops = {
	.name = "tasks",
	.keys = tasks_keys_now,
	.help = tasks_help,
	.fns = tasks_fns,
	.place = tasks_place,
	.draw = tasks_draw,
	.data_changed = tasks_data_changed,
	.tick = tasks_tick,
	.wait_ms = tasks_wait_ms,
	.table = tasks_table,
	.widget = tasks_widget,
	.free = tasks_free,
};

void tasks_screen_open(struct app *a, const char *service_id)
{
	struct tasks_screen *s = tasks_new(a, service_id);
	screen_pop_all(a);
	screen_push(a, &tasks_screen_ops, s);
	tasks_data_changed(s);
}
