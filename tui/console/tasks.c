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
#include "tui/console/histline.h"
#include "tui/console/logs.h"
#include "tui/console/triage.h"

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
	struct histline hist;         /* the job's last hour, with Prometheus */
};

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
	histline_init(&s->hist, a);
	s->table = table_new(tasks_columns, N_COLS, &tasks_source, s, &a->theme);
	table_set_empty_text(s->table, "no tasks: the swarm has not scheduled this job yet");
	return s;
}

static void tasks_free(void *data)
{
	struct tasks_screen *s = data;
	histline_clear(&s->hist);
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

/* Ask for the hour of every container the job's tasks had, now and then. */
static void tasks_tick(void *data)
{
	struct tasks_screen *s = data;
	if (!histline_due(&s->hist, s->service_id))
		return;
	const char **ids = xcalloc(s->n + 1, sizeof *ids);
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i]->container_id && *s->rows[i]->container_id)
			ids[n++] = s->rows[i]->container_id;
	char *qc = prom_hist_query(ids, n, false), *qm = prom_hist_query(ids, n, true);
	histline_ask(&s->hist, qc, qm);
	free(qc);
	free(qm);
	free(ids);
}

static int tasks_wait_ms(const void *data)
{
	const struct tasks_screen *s = data;
	return histline_wait_ms(&s->hist);
}

static void tasks_place(void *data, struct rect area)
{
	struct tasks_screen *s = data;
	s->area = area;
	/* Two lines of summary above the table (a third, the last hour, with Prometheus); below
	 * it what glovebox saw fail this session, then the selected task's error. */
	int top = histline_shown(&s->hist) ? 3 : 2;
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
	if (histline_shown(&s->hist))
		histline_draw(&s->hist, r.y + 2, r.x, r.w);
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
