/* The services screen: every job with its state and live CPU and memory bars. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/xalloc.h"
#include "tui/app.h"
#include "widgets/meter.h"
#include "widgets/sanitize.h"

enum { C_NAME, C_OWNER, C_CLASS, C_IMAGE, C_REPL, C_STATE, C_CPU, C_MEM, C_AGE, N_COLS };

/* At 80 columns everything fits; narrower, class goes first, then image, age, owner. */
static const struct table_column columns[N_COLS] = {
	[C_NAME]  = {"NAME", 10, 28, 2, 9, TABLE_LEFT, true},
	[C_OWNER] = {"OWNER", 6, 16, 1, 4, TABLE_LEFT, true},
	[C_CLASS] = {"CLASS", 7, 10, 0, 1, TABLE_LEFT, true},
	[C_IMAGE] = {"IMAGE", 8, 40, 1, 2, TABLE_LEFT, true},
	[C_REPL]  = {"REPL", 4, 7, 0, 6, TABLE_RIGHT, true},
	[C_STATE] = {"STATE", 12, 60, 4, 8, TABLE_LEFT, true},
	[C_CPU]   = {"CPU", 8, 24, 1, 7, TABLE_LEFT, true},
	[C_MEM]   = {"MEM", 8, 24, 1, 7, TABLE_LEFT, true},
	[C_AGE]   = {"AGE", 3, 5, 0, 3, TABLE_RIGHT, true},
};

const struct keybinding services_keys[] = {
	{'\r', "Enter", "Tasks", "Show the tasks of the selected job: states, errors, exit codes, OOM kills", 0, OP_OPEN},
	{KEY_ENTER, NULL, NULL, NULL, 0, OP_OPEN},
	{'\n', NULL, NULL, NULL, 0, OP_OPEN},
	{'n', "n", "New", "Submit a new job: image, class, datasets, resources; the data-use terms when they need accepting", 0, OP_NEW},
	{0, NULL, NULL, NULL, 0, 0},
};

const struct keybinding services_bar[] = {
	{KEY_F(1), "F1", "Help", NULL, KB_BAR, OP_HELP},
	/* Quit early: the key bar drops entries from the end when narrow. */
	{KEY_F(10), "F10", "Quit", NULL, KB_BAR, OP_QUIT},
	{'\r', "Enter", "Tasks", NULL, KB_BAR, OP_OPEN},
	{'/', "/", "Filter", NULL, KB_BAR, OP_FILTER},
	{'>', "<>", "Sort", NULL, KB_BAR, 0},
	{'n', "n", "New", NULL, KB_BAR, OP_NEW},
	{0, NULL, NULL, NULL, 0, 0},
};

struct services_screen {
	struct app *app;
	struct table *table;
	struct rect area;
};

static const struct job *job_at(struct services_screen *s, size_t row)
{
	return row < s->app->jobs.n ? &s->app->jobs.v[row] : NULL;
}

static size_t src_count(void *ctx)
{
	struct services_screen *s = ctx;
	return s->app->jobs.n;
}

static const char *src_id(void *ctx, size_t row)
{
	const struct job *j = job_at(ctx, row);
	return j && j->id ? j->id : "";
}

/* A usage bar from the job's gauge; text is the percentage when known. */
static void bar(const struct gauge *g, struct meter *m, char *text, size_t sz)
{
	memset(m, 0, sizeof *m);
	m->known = g->known;
	m->total = g->total;
	m->value = g->value;
	snprintf(text, sz, "%.0f%%", g->percent);
	m->text = g->known ? text : NULL;
}

static void cpu_meter(const struct app *a, const struct job *j, struct meter *m, char *text, size_t sz)
{
	struct gauge g;
	job_cpu_gauge(j, cluster_info(a->cluster)->ncpu, &g);
	bar(&g, m, text, sz);
}

static void mem_meter(const struct app *a, const struct job *j, struct meter *m, char *text, size_t sz)
{
	struct gauge g;
	job_mem_gauge(j, cluster_info(a->cluster)->mem_total, &g);
	bar(&g, m, text, sz);
}

static void state_text(const struct job *j, char *buf, size_t sz)
{
	const char *name = job_state_name(j->state);
	char *reason = j->reason ? sanitize_str(j->reason, 0) : NULL;
	if (j->state == JOB_FAILED && j->has_exit_code && reason)
		snprintf(buf, sz, "%s (exit %d): %s", name, j->exit_code, reason);
	else if (reason && *reason)
		snprintf(buf, sz, "%s: %s", name, reason);
	else
		snprintf(buf, sz, "%s", name);
	free(reason);
}

static void src_cell(void *ctx, size_t row, int col, char *buf, size_t sz)
{
	struct services_screen *s = ctx;
	const struct job *j = job_at(s, row);
	char tmp[64];
	struct meter m;
	char *t = NULL;
	if (!j) {
		buf[0] = '\0';
		return;
	}
	switch (col) {
	case C_NAME:  t = sanitize_str(j->name, 0); break;
	case C_OWNER: t = sanitize_str(j->owner ? j->owner : "-", 0); break;
	case C_CLASS: t = sanitize_str(j->class_name ? j->class_name : "-", 0); break;
	case C_IMAGE: t = sanitize_str(j->image, 0); break;
	case C_REPL:
		snprintf(buf, sz, "%llu/%llu", (unsigned long long)j->running, (unsigned long long)j->desired);
		return;
	case C_STATE:
		state_text(j, buf, sz);
		return;
	case C_CPU:
		cpu_meter(s->app, j, &m, tmp, sizeof tmp);
		snprintf(buf, sz, "%s", m.known ? tmp : "n/a");
		return;
	case C_MEM:
		mem_meter(s->app, j, &m, tmp, sizeof tmp);
		snprintf(buf, sz, "%s", m.known ? tmp : "n/a");
		return;
	case C_AGE:
		if (j->created_ns > 0)
			format_age(buf, sz, (now_ns() - j->created_ns) / 1000000000LL);
		else
			snprintf(buf, sz, "-");
		return;
	default:
		buf[0] = '\0';
		return;
	}
	snprintf(buf, sz, "%s", t);
	free(t);
}

static enum theme_role src_role(void *ctx, size_t row, int col)
{
	const struct job *j = job_at(ctx, row);
	(void)col;
	if (!j)
		return THEME_NORMAL;
	switch (j->state) {
	case JOB_PENDING:  return THEME_ROW_PENDING;
	case JOB_FAILED:
	case JOB_OOM:      return THEME_ROW_FAILED;
	case JOB_COMPLETE:
	case JOB_STOPPED:  return THEME_ROW_DIM;
	default:           return j->failures ? THEME_ROW_PENDING : THEME_NORMAL;
	}
}

static bool src_draw(void *ctx, size_t row, int col, WINDOW *win, int y, int x, int width,
                     bool selected)
{
	struct services_screen *s = ctx;
	const struct job *j = job_at(s, row);
	char text[64];
	struct meter m;
	if (!j || (col != C_CPU && col != C_MEM))
		return false;
	if (col == C_CPU)
		cpu_meter(s->app, j, &m, text, sizeof text);
	else
		mem_meter(s->app, j, &m, text, sizeof text);
	meter_draw(win, y, x, width, &m, &s->app->theme, selected);
	return true;
}

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }
static int cmp_dbl(double a, double b) { return a < b ? -1 : a > b; }
static int cmp_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

static int state_order(enum job_state s)
{
	/* Ascending puts what needs attention first. */
	static const int order[] = {[JOB_OOM] = 0, [JOB_FAILED] = 1, [JOB_PENDING] = 2,
		[JOB_STARTING] = 3, [JOB_RUNNING] = 4, [JOB_COMPLETE] = 5, [JOB_STOPPED] = 6};
	return order[s];
}

static int src_compare(void *ctx, size_t a, size_t b, int col)
{
	const struct job *x = job_at(ctx, a), *y = job_at(ctx, b);
	switch (col) {
	case C_NAME:  return cmp_str(x->name, y->name);
	case C_OWNER: return cmp_str(x->owner, y->owner);
	case C_CLASS: return cmp_str(x->class_name, y->class_name);
	case C_IMAGE: return cmp_str(x->image, y->image);
	case C_REPL:  return cmp_u64(x->running, y->running);
	case C_STATE: return state_order(x->state) - state_order(y->state);
	case C_CPU:   return cmp_dbl(x->sampled ? x->cpu_percent : -1, y->sampled ? y->cpu_percent : -1);
	case C_MEM:   return cmp_u64(x->sampled ? x->mem_used + 1 : 0, y->sampled ? y->mem_used + 1 : 0);
	case C_AGE:   return -cmp_u64((uint64_t)x->created_ns, (uint64_t)y->created_ns);
	}
	return 0;
}

static const struct table_source source = {
	.row_count = src_count,
	.row_id = src_id,
	.render_cell = src_cell,
	.cell_role = src_role,
	.draw_cell = src_draw,
	.compare = src_compare,
};

struct services_screen *services_screen_new(struct app *a)
{
	struct services_screen *s = xcalloc(1, sizeof *s);
	s->app = a;
	s->table = table_new(columns, N_COLS, &source, s, &a->theme);
	table_sort_by(s->table, C_NAME, false);
	table_set_empty_text(s->table, "no jobs yet");
	return s;
}

void services_screen_free(struct services_screen **ps)
{
	if (!*ps)
		return;
	table_free(&(*ps)->table);
	free(*ps);
	*ps = NULL;
}

struct table *services_screen_table(struct services_screen *s) { return s->table; }

const struct job *services_screen_selected(struct services_screen *s)
{
	size_t row;
	return table_selected_row(s->table, &row) ? job_at(s, row) : NULL;
}

void services_screen_place(struct services_screen *s, struct rect area)
{
	s->area = area;
	/* Line 0: title; then the table; the last line: the selected job's full reason. */
	widget_place(table_widget(s->table), stdscr,
	             (struct rect){area.y + 1, area.x, area.h - 2, area.w});
}

void services_screen_data_changed(struct services_screen *s)
{
	table_refresh(s->table);
}

void services_screen_draw(struct services_screen *s)
{
	struct app *a = s->app;
	struct rect r = s->area;
	const struct theme *th = &a->theme;
	char *where = sanitize_str(engine_endpoint(a->cli->engine)->display, 0);
	char *title = xasprintf("glovebox  %s", where);
	widget_put(stdscr, r.y, r.x, r.w, title, theme_attr(th, THEME_HEADER), true, th->ascii);
	free(title);
	free(where);
	widget_draw(table_widget(s->table));
	const struct job *j = services_screen_selected(s);
	char line[1024] = "";
	if (j && j->reason) {
		char *reason = sanitize_str(j->reason, 0);
		char *name = sanitize_str(j->name, 0);
		snprintf(line, sizeof line, "%s: %s", name, reason);
		free(reason);
		free(name);
	}
	widget_put(stdscr, r.y + r.h - 1, r.x, r.w, line, theme_attr(th, THEME_NORMAL), true, th->ascii);
}

int services_screen_key(struct services_screen *s, int key)
{
	const struct keybinding *k = keytable_find(services_keys, key);
	if (k && k->op == OP_OPEN) {
		const struct job *j = services_screen_selected(s);
		if (j)
			app_open_tasks(s->app, j->id);
		return WR_HANDLED | WR_REDRAW;
	}
	if (k && k->op == OP_NEW) {
		app_open_submit(s->app);
		return WR_HANDLED | WR_REDRAW;
	}
	return WR_IGNORED;
}
