/* The jobs list: see services.h. */
#include "tui/console/services.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/str.h"
#include "api/base/xalloc.h"
#include "api/core/attention.h"
#include "api/core/jobtext.h"
#include "tui/console/app.h"
#include "tui/console/logs.h"
#include "tui/console/nodes.h"
#include "tui/console/submit.h"
#include "tui/console/tasks.h"
#include "tui/console/triage.h"
#include "widgets/meter.h"

enum { C_NAME, C_OWNER, C_CLASS, C_IMAGE, C_REPL, C_STATE, C_CPU, C_MEM, C_NODE, C_AGE, C_EXPIRES, N_COLS };

/* At 80 columns everything but the node and the expiry fits (an expired job says so in its
 * state); narrower, class goes first, then image, age, owner. */
static const struct table_column services_columns[N_COLS] = {
	[C_NAME]  = {"NAME", 10, 28, 2, 9, TABLE_LEFT, true},
	[C_OWNER] = {"OWNER", 6, 16, 1, 4, TABLE_LEFT, true},
	[C_CLASS] = {"CLASS", 7, 10, 0, 1, TABLE_LEFT, true},
	[C_IMAGE] = {"IMAGE", 8, 40, 1, 2, TABLE_LEFT, true},
	[C_REPL]  = {"REPL", 4, 7, 0, 6, TABLE_RIGHT, true},
	[C_STATE] = {"STATE", 12, 60, 4, 8, TABLE_LEFT, true},
	[C_CPU]   = {"CPU", 8, 24, 1, 7, TABLE_LEFT, true},
	[C_MEM]   = {"MEM", 8, 24, 1, 7, TABLE_LEFT, true},
	[C_NODE]  = {"NODE", 6, 16, 0, 0, TABLE_LEFT, true},
	[C_AGE]   = {"AGE", 3, 5, 0, 3, TABLE_RIGHT, true},
	[C_EXPIRES] = {"EXPIRES", 7, 8, 0, 1, TABLE_RIGHT, true},
};

enum { OP_OPEN = OP_SCREEN, OP_LOGS, OP_NEW, OP_REMOVE, OP_PAUSE, OP_ATTENTION, OP_NODES };

/* The bar shows the KB_BAR entries in this order (Quit early: a narrow bar drops entries from
 * the end); the help lists the others' keynames, but those flagged KB_NOHELP, whose keys the
 * global and the table keys handle and document. */
static const struct keybinding services_keys[] = {
	{KEY_F(1), "F1", "Help", NULL, KB_BAR | KB_NOHELP, OP_HELP},
	{KEY_F(10), "F10", "Quit", NULL, KB_BAR | KB_NOHELP, OP_QUIT},
	{'\r', "Enter", "Tasks", "Show the tasks of the selected job: states, errors, exit codes, OOM kills", KB_BAR, OP_OPEN},
	{KEY_ENTER, NULL, NULL, NULL, 0, OP_OPEN},
	{'\n', NULL, NULL, NULL, 0, OP_OPEN},
	{'/', "/", "Filter", NULL, KB_BAR | KB_NOHELP, OP_FILTER},
	{'>', "<>", "Sort", NULL, KB_BAR | KB_NOHELP, 0},
	{'n', "n", "New", "Submit a new job: image, class, datasets, resources; the data-use terms when they need accepting", KB_BAR, OP_NEW},
	{'l', "l", "Logs", "The logs of the selected job: follow, search, wrap, timestamps", KB_BAR, OP_LOGS},
	{'x', "x", "Remove", "Remove the selected job after you confirm: its tasks stop, its network goes; "
	 "removing another user's job (admins) needs a reason, kept in the audit log", KB_BAR, OP_REMOVE},
	{'p', "p", "Pause", "Pause the selected job (scale it to 0: the job and its network stay), or resume "
	 "a paused one (back to 1); on record in the audit log", 0, OP_PAUSE},
	{'!', "!", "Attention", "Attention first, or back: OOM kills, restart loops, long waits, expired and "
	 "failed jobs at the top, with why in the STATE column", KB_BAR, OP_ATTENTION},
	{'N', "N", "Nodes", "The nodes (admins): reservations against capacity, tasks; pause, activate, drain", KB_BAR, OP_NODES},
	{0, NULL, NULL, NULL, 0, 0},
};

static const struct help_section services_help[] = {
	{"Jobs", services_keys},
	{"Moving and sorting", table_keys},
	{NULL, NULL},
};

struct services_screen {
	struct app *app;
	struct table *table;
	struct rect area;
	/* Rows follow the jobview's attention order while attention is on, its name order
	 * otherwise (api/swarm/jobview.h). */
	bool attention;
	int saved_sort;              /* the sort before attention went on */
	bool saved_desc;
};

static size_t job_index(struct services_screen *s, size_t row)
{
	const struct jobview *v = s->app->view;
	return s->attention && row < jobview_count(v) ? jobview_ranked(v, row) : row;
}

static const struct job *job_at(struct services_screen *s, size_t row)
{
	return jobview_job(s->app->view, job_index(s, row));
}

/* The job's assessment, or NULL. */
static const struct attention *att_at(struct services_screen *s, size_t row)
{
	return jobview_attention(s->app->view, job_index(s, row));
}

static size_t services_src_count(void *ctx)
{
	struct services_screen *s = ctx;
	return jobview_count(s->app->view);
}

static const char *services_src_id(void *ctx, size_t row)
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

/* The CPU (col C_CPU) or memory bar of the job on row, from the jobview's gauges. */
static void usage_meter(struct services_screen *s, size_t row, int col, struct meter *m, char *text,
                        size_t sz)
{
	struct gauge cpu, mem;
	jobview_gauges(s->app->view, job_index(s, row), &cpu, &mem);
	bar(col == C_CPU ? &cpu : &mem, m, text, sz);
}

/* With attention on, why a job needs it; otherwise its state and reason. An expired job says
 * so first: at 80 columns the EXPIRES column is not shown. */
static void state_text(struct services_screen *s, size_t row, const struct job *j, char *buf, size_t sz)
{
	const struct attention *att = att_at(s, row);
	if (s->attention && att && att->kind != ATT_NONE && att->why) {
		char *why = sanitize_str(att->why, 0);
		snprintf(buf, sz, "%s", why);
		free(why);
		return;
	}
	const char *name = job_state_name(j->state);
	const char *exp = att && att->expired ? "expired, " : "";
	char *reason = j->reason ? sanitize_str(j->reason, 0) : NULL;
	if (j->state == JOB_FAILED && j->has_exit_code && reason)
		snprintf(buf, sz, "%s%s (exit %d): %s", exp, name, j->exit_code, reason);
	else if (reason && *reason)
		snprintf(buf, sz, "%s%s: %s", exp, name, reason);
	else
		snprintf(buf, sz, "%s%s", exp, name);
	free(reason);
}

/* The nodes other than j's first that run a task of it (at most a few are counted). */
static unsigned job_other_nodes(const struct services_screen *s, const struct job *j)
{
	const struct task_list *tl = cluster_tasks(s->app->cluster);
	const char *seen[8];
	unsigned n = 0;
	for (size_t i = 0; j->id && j->node_id && i < tl->n && n < 8; i++) {
		const struct task *t = &tl->v[i];
		if (!str_eq(t->service_id, j->id) || !str_eq(t->state, "running") || !t->node_id ||
		    str_eq(t->node_id, j->node_id))
			continue;
		bool dup = false;
		for (unsigned k = 0; k < n && !dup; k++)
			dup = str_eq(seen[k], t->node_id);
		if (!dup)
			seen[n++] = t->node_id;
	}
	return n;
}

static void services_src_cell(void *ctx, size_t row, int col, char *buf, size_t sz)
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
	case C_OWNER: t = sanitize_str(j->owner ? j->owner : JOB_NOT_GLOVEBOX, 0); break;
	case C_CLASS: t = sanitize_str(j->class_name ? j->class_name : "-", 0); break;
	case C_IMAGE: t = sanitize_str(j->image, 0); break;
	case C_REPL:
		snprintf(buf, sz, "%llu/%llu", (unsigned long long)j->running, (unsigned long long)j->desired);
		return;
	case C_STATE:
		state_text(s, row, j, buf, sz);
		return;
	case C_EXPIRES: {
		/* "in 3h", or just "expired": the line below the table says since when. */
		int64_t at, now = now_ns() / 1000000000LL;
		if (job_expires_at(j, &at) && at <= now)
			snprintf(buf, sz, "expired");
		else
			job_expiry_cell(buf, sz, j, now);
		return;
	}
	case C_CPU:
	case C_MEM:
		usage_meter(s, row, col, &m, tmp, sizeof tmp);
		snprintf(buf, sz, "%s", m.known ? tmp : "n/a");
		return;
	case C_NODE: {
		/* Where it runs: the first running task's node, "+N" for the other nodes it runs on. */
		const struct node *n = j->node_id ? cluster_node(s->app->cluster, j->node_id) : NULL;
		char *host = sanitize_str(n && n->hostname ? n->hostname : j->node_id ? j->node_id : "-", 0);
		unsigned others = job_other_nodes(s, j);
		if (others)
			snprintf(buf, sz, "%s +%u", host, others);
		else
			snprintf(buf, sz, "%s", host);
		free(host);
		return;
	}
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

static enum theme_role services_src_role(void *ctx, size_t row, int col)
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

static bool services_src_draw(void *ctx, size_t row, int col, WINDOW *win, int y, int x, int width,
                     bool selected)
{
	struct services_screen *s = ctx;
	const struct job *j = job_at(s, row);
	char text[64];
	struct meter m;
	if (!j || (col != C_CPU && col != C_MEM))
		return false;
	usage_meter(s, row, col, &m, text, sizeof text);
	meter_draw(win, y, x, width, &m, &s->app->theme, selected);
	return true;
}

static int services_cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }
static int services_cmp_dbl(double a, double b) { return a < b ? -1 : a > b; }
static int services_cmp_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

static int state_order(enum job_state s)
{
	/* Ascending puts what needs attention first. */
	static const int order[] = {[JOB_OOM] = 0, [JOB_FAILED] = 1, [JOB_PENDING] = 2,
		[JOB_STARTING] = 3, [JOB_RUNNING] = 4, [JOB_COMPLETE] = 5, [JOB_STOPPED] = 6};
	return order[s];
}

static int64_t expiry_key(const struct job *j)
{
	int64_t at;
	return job_expires_at(j, &at) ? at : INT64_MAX;   /* no expiry: last */
}

static int services_src_compare(void *ctx, size_t a, size_t b, int col)
{
	const struct job *x = job_at(ctx, a), *y = job_at(ctx, b);
	switch (col) {
	case C_NAME:  return services_cmp_str(x->name, y->name);
	case C_OWNER: return services_cmp_str(x->owner, y->owner);
	case C_CLASS: return services_cmp_str(x->class_name, y->class_name);
	case C_IMAGE: return services_cmp_str(x->image, y->image);
	case C_REPL:  return services_cmp_u64(x->running, y->running);
	case C_STATE: return state_order(x->state) - state_order(y->state);
	case C_CPU:   return services_cmp_dbl(x->sampled ? x->cpu_percent : -1, y->sampled ? y->cpu_percent : -1);
	case C_MEM:   return services_cmp_u64(x->sampled ? x->mem_used + 1 : 0, y->sampled ? y->mem_used + 1 : 0);
	case C_NODE:  return services_cmp_str(x->node_id, y->node_id);
	case C_AGE:   return -services_cmp_u64((uint64_t)x->created_ns, (uint64_t)y->created_ns);
	case C_EXPIRES: return (expiry_key(x) > expiry_key(y)) - (expiry_key(x) < expiry_key(y));
	}
	return 0;
}

static const struct table_source services_source = {
	.row_count = services_src_count,
	.row_id = services_src_id,
	.render_cell = services_src_cell,
	.cell_role = services_src_role,
	.draw_cell = services_src_draw,
	.compare = services_src_compare,
};

static struct services_screen *services_new(struct app *a)
{
	struct services_screen *s = xcalloc(1, sizeof *s);
	s->app = a;
	s->table = table_new(services_columns, N_COLS, &services_source, s, &a->theme);
	table_sort_by(s->table, C_NAME, false);
	table_set_empty_text(s->table, "no jobs yet");
	return s;
}

static void services_free(void *data)
{
	struct services_screen *s = data;
	table_free(&s->table);
	free(s);
}

static struct table *services_table(void *data)
{
	struct services_screen *s = data;
	return s->table;
}

static struct widget *services_widget(void *data)
{
	struct services_screen *s = data;
	return table_widget(s->table);
}

static const struct keybinding *services_keys_now(const void *data)
{
	(void)data;
	return services_keys;
}

/* The selected job, or NULL. */
static const struct job *services_selected(struct services_screen *s)
{
	size_t row;
	return table_selected_row(s->table, &row) ? job_at(s, row) : NULL;
}

static void services_place(void *data, struct rect area)
{
	struct services_screen *s = data;
	s->area = area;
	/* Line 0: title; then the table; the last line: the selected job's full reason. */
	widget_place(table_widget(s->table), stdscr,
	             (struct rect){area.y + 1, area.x, area.h - 2, area.w});
}

static void services_data_changed(void *data)
{
	struct services_screen *s = data;
	table_refresh(s->table);
}

/* '!': attention first, then back to the sort the table had. */
static void attention_toggle(struct services_screen *s)
{
	s->attention = !s->attention;
	if (s->attention) {
		s->saved_sort = table_sort_col(s->table, &s->saved_desc);
		table_sort_by(s->table, -1, false);   /* the rows' own order: attention_rank's */
	} else {
		table_sort_by(s->table, s->saved_sort, s->saved_desc);
	}
	app_notice(s->app, s->attention ? "attention first: press ! again for the previous order"
	                                : "attention order off");
}

static void services_draw(void *data)
{
	struct services_screen *s = data;
	struct app *a = s->app;
	struct rect r = s->area;
	const struct theme *th = &a->theme;
	char *where = sanitize_str(engine_endpoint(a->session->engine)->display, 0);
	char *title = xasprintf("glovebox  %s%s", where, s->attention ? "  [attention first]" : "");
	widget_put(stdscr, r.y, r.x, r.w, title, theme_attr(th, THEME_HEADER), true, th->ascii);
	free(title);
	free(where);
	widget_draw(table_widget(s->table));
	size_t row = 0;
	const struct job *j = table_selected_row(s->table, &row) ? job_at(s, row) : NULL;
	const struct attention *att = j ? att_at(s, row) : NULL;
	char line[1024] = "";
	/* The selected job's whole reason (with attention on: why it needs it), and its expiry. */
	const char *why = s->attention && att && att->why ? att->why : j ? j->reason : NULL;
	if (j && (why || (att && att->has_expiry))) {
		char exp[64] = "";
		if (att && att->has_expiry && !(s->attention && att->kind == ATT_EXPIRED))
			format_expiry(exp, sizeof exp, att->expires_at, now_ns() / 1000000000LL);
		char *raw = xasprintf("%s: %s%s%s", j->name, why ? why : "", why && *exp ? "; " : "", exp);
		char *clean = sanitize_str(raw, 0);
		snprintf(line, sizeof line, "%s", clean);
		free(clean);
		free(raw);
	}
	widget_put(stdscr, r.y + r.h - 1, r.x, r.w, line, theme_attr(th, THEME_NORMAL), true, th->ascii);
}

/* --- the keys' functions --- */

static int services_open_tasks(void *data, int op)
{
	struct services_screen *s = data;
	const struct job *j = services_selected(s);
	(void)op;
	if (j)   /* Enter on an empty list does nothing, and says nothing */
		tasks_screen_open(s->app, j->id);
	return WR_HANDLED | WR_REDRAW;
}

/* l, n, N and d: the screen or the action each opens (NEEDS_JOB checked the selection for l
 * and d; the nodes view says itself who may see it). */
static int services_open(void *data, int op)
{
	struct services_screen *s = data;
	switch (op) {
	case OP_LOGS:   logs_screen_open(s->app, services_selected(s)->id, NULL); break;
	case OP_NEW:    submit_screen_open(s->app); break;
	case OP_NODES:  nodes_screen_open(s->app); break;
	case OP_REMOVE: triage_remove(s->app, services_selected(s)->id); break;
	case OP_ATTENTION: attention_toggle(s); break;
	}
	return WR_HANDLED | WR_REDRAW;
}

/* Pause a job, or resume a paused one. */
static int services_pause(void *data, int op)
{
	struct services_screen *s = data;
	const struct job *j = services_selected(s);
	(void)op;
	triage_scale(s->app, j->id, j->service && j->service->replicas == 0 ? 1 : 0);
	return WR_HANDLED | WR_REDRAW;
}

static const struct screen_fn services_fns[] = {
	{OP_OPEN, services_open_tasks, 0},
	{OP_LOGS, services_open, NEEDS_JOB},
	{OP_NEW, services_open, 0},
	{OP_REMOVE, services_open, NEEDS_JOB},
	{OP_PAUSE, services_pause, NEEDS_JOB},
	{OP_ATTENTION, services_open, 0},
	{OP_NODES, services_open, 0},
	{0, NULL, 0},
};

const struct screen_ops services_screen_ops = {
	.name = "jobs",
	.keys = services_keys_now,
	.help = services_help,
	.fns = services_fns,
	.place = services_place,
	.draw = services_draw,
	.data_changed = services_data_changed,
	.table = services_table,
	.widget = services_widget,
	.free = services_free,
};

void services_screen_open(struct app *a)
{
	screen_push(a, &services_screen_ops, services_new(a));
}
