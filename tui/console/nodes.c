/* The nodes view: see nodes.h. */
#include "tui/console/nodes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "api/core/attention.h"
#include "api/core/roles.h"
#include "api/swarm/actions.h"
#include "api/swarm/audit.h"
#include "tui/console/app.h"
#include "tui/console/histline.h"
#include "tui/console/triage.h"
#include "widgets/dialog.h"
#include "widgets/meter.h"

enum { C_HOST, C_ROLE, C_AVAIL, C_STATE, C_CLASS, C_CPU, C_MEM, C_TASKS, N_COLS };

/* At 80 columns everything fits; narrower, class goes first, then role, tasks, the bars. */
static const struct table_column nodes_columns[N_COLS] = {
	[C_HOST]  = {"HOSTNAME", 8, 32, 2, 9, TABLE_LEFT, true},
	[C_ROLE]  = {"ROLE", 7, 7, 0, 2, TABLE_LEFT, true},
	[C_AVAIL] = {"AVAIL", 6, 6, 0, 8, TABLE_LEFT, true},
	[C_STATE] = {"STATE", 5, 12, 1, 7, TABLE_LEFT, true},
	[C_CLASS] = {"CLASS", 5, 16, 1, 1, TABLE_LEFT, true},
	[C_CPU]   = {"CPU", 8, 24, 2, 5, TABLE_LEFT, true},
	[C_MEM]   = {"MEM", 8, 28, 2, 5, TABLE_LEFT, true},
	[C_TASKS] = {"TASKS", 5, 5, 0, 3, TABLE_RIGHT, true},
};

enum { OP_NODE_PAUSE = OP_SCREEN, OP_NODE_ACTIVATE, OP_NODE_DRAIN };

/* The bar shows the KB_BAR entries in this order (Quit early: a narrow bar drops entries from
 * the end); KB_NOHELP entries are the global keys'. Esc is the global back (it clears the
 * filter first): listed here, left to the global keys. */
static const struct keybinding nodes_keys[] = {
	{KEY_F(1), "F1", "Help", NULL, KB_BAR | KB_NOHELP, OP_HELP},
	{KEY_F(10), "F10", "Quit", NULL, KB_BAR | KB_NOHELP, OP_QUIT},
	{27, "Esc", "Back", "Back to the jobs", KB_BAR, OP_BACK},
	{'p', "p", "Pause", "Pause the selected node: its running jobs keep running, the swarm places no new tasks on it", KB_BAR, OP_NODE_PAUSE},
	{'a', "a", "Activate", "Activate the selected node: the swarm places new tasks on it again", KB_BAR, OP_NODE_ACTIVATE},
	{'D', "D", "Drain", "Drain the selected node, after a confirmation: the swarm stops every task running on it and moves the jobs to other nodes where they fit", KB_BAR, OP_NODE_DRAIN},
	{'/', "/", "Filter", NULL, KB_BAR | KB_NOHELP, OP_FILTER},
	{0, NULL, NULL, NULL, 0, 0},
};

static const struct help_section nodes_help[] = {
	{"Nodes", nodes_keys},
	{"Moving and sorting", table_keys},
	{NULL, NULL},
};

struct nodes_screen {
	struct app *app;
	const struct node **rows;      /* borrowed from the cluster, by hostname */
	struct node_usage *usage;      /* parallel to rows */
	size_t n;
	uint64_t generation;           /* the cluster's, when rows were taken */
	struct table *table;
	struct rect area;

	struct dialog *confirm;        /* the drain confirmation while open */
	char *confirm_id;              /* the node it asks about */

	/* One action at a time; it goes on when the view is closed (the stack keeps the screen). */
	struct action *action;
	enum audit_action act;
	char *act_host;
	bool act_done;
	bool act_ok;
	char *act_msg;                 /* the outcome for the status line */

	struct histline hist;          /* the selected node's last hour, with Prometheus */
};

static const struct node *row_node(struct nodes_screen *s, size_t row)
{
	return row < s->n ? s->rows[row] : NULL;
}

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static size_t nodes_src_count(void *ctx) { return ((struct nodes_screen *)ctx)->n; }

static const char *nodes_src_id(void *ctx, size_t row)
{
	const struct node *n = row_node(ctx, row);
	return n && n->id ? n->id : "";
}

/* "64 MiB" as "64M": the bars are narrow. */
static void short_bytes(char *buf, size_t sz, int64_t bytes)
{
	char b[32];
	format_bytes(b, sizeof b, bytes > 0 ? (uint64_t)bytes : 0);
	size_t j = 0;
	for (size_t i = 0; b[i] && j + 1 < sz; i++)
		if (b[i] != ' ' && b[i] != 'i' && !(b[i] == 'B' && i > 0 && b[i - 1] != ' '))
			buf[j++] = b[i];
	buf[j] = '\0';
}

/* The bar of a node: reserved against capacity, "reserved/capacity". With Prometheus, three
 * figures in one bar: what is in use (node-exporter) as the first segment, the reservation
 * beyond it as the second, "used/reserved/capacity". */
static void usage_meter(const struct cluster *cl, const struct node *n, const struct node_usage *u,
                        int col, struct meter *m, char *text, size_t sz)
{
	bool cpu_known = false, mem_known = false;
	double cpu_pct = 0;
	uint64_t mem_used = 0;
	if (n)
		cluster_node_used(cl, n->id, &cpu_known, &cpu_pct, &mem_known, &mem_used);
	memset(m, 0, sizeof *m);
	if (col == C_CPU) {
		double used = cpu_pct / 100;
		m->total = u->cpu_capacity;
		m->value = cpu_known ? used : u->cpu_reserved;
		m->value2 = cpu_known && u->cpu_reserved > used ? u->cpu_reserved - used : 0;
		if (cpu_known)
			snprintf(text, sz, "%.2g/%.4g/%.4g", used, u->cpu_reserved, u->cpu_capacity);
		else
			snprintf(text, sz, "%.4g/%.4g", u->cpu_reserved, u->cpu_capacity);
	} else {
		char a[16], b[16], c[16];
		m->total = (double)u->mem_capacity;
		m->value = mem_known ? (double)mem_used : (double)u->mem_reserved;
		m->value2 = mem_known && (double)u->mem_reserved > (double)mem_used
		          ? (double)u->mem_reserved - (double)mem_used : 0;
		short_bytes(a, sizeof a, u->mem_reserved);
		short_bytes(b, sizeof b, u->mem_capacity);
		short_bytes(c, sizeof c, (int64_t)mem_used);
		if (mem_known)
			snprintf(text, sz, "%s/%s/%s", c, a, b);
		else
			snprintf(text, sz, "%s/%s", a, b);
	}
	m->known = m->total > 0;
	m->text = text;
}

static void nodes_src_cell(void *ctx, size_t row, int col, char *buf, size_t sz)
{
	struct nodes_screen *s = ctx;
	const struct node *n = row_node(s, row);
	char *t = NULL;
	struct meter m;
	buf[0] = '\0';
	if (!n)
		return;
	const struct node_usage *u = &s->usage[row];
	switch (col) {
	case C_HOST:  t = sanitize_str(str_or(n->hostname, n->id ? n->id : "-"), 0); break;
	case C_ROLE:  t = sanitize_str(str_or(n->role, "-"), 0); break;
	case C_AVAIL: t = sanitize_str(str_or(n->availability, "-"), 0); break;
	case C_STATE: t = sanitize_str(str_or(n->state, "-"), 0); break;
	case C_CLASS: t = sanitize_str(str_or(u->class_name, "-"), 0); break;
	case C_CPU:
	case C_MEM:
		usage_meter(s->app->cluster, n, u, col, &m, buf, sz);
		if (!m.known)
			snprintf(buf, sz, "n/a");
		return;
	case C_TASKS:
		snprintf(buf, sz, "%u", u->tasks_running);
		return;
	}
	snprintf(buf, sz, "%s", t ? t : "");
	free(t);
}

static bool is(const char *s, const char *what)
{
	return s && strcmp(s, what) == 0;
}

static enum theme_role nodes_src_role(void *ctx, size_t row, int col)
{
	const struct node *n = row_node(ctx, row);
	(void)col;
	if (!n)
		return THEME_NORMAL;
	if (!is(n->state, "ready"))
		return THEME_ROW_FAILED;
	if (!is(n->availability, "active"))
		return THEME_ROW_PENDING;
	return THEME_NORMAL;
}

static bool nodes_src_draw(void *ctx, size_t row, int col, WINDOW *win, int y, int x, int width,
                     bool selected)
{
	struct nodes_screen *s = ctx;
	char text[64];
	struct meter m;
	if (row >= s->n || (col != C_CPU && col != C_MEM))
		return false;
	usage_meter(s->app->cluster, row_node(s, row), &s->usage[row], col, &m, text, sizeof text);
	meter_draw(win, y, x, width, &m, &s->app->theme, selected);
	return true;
}

static int nodes_cmp_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }
static int nodes_cmp_dbl(double a, double b) { return a < b ? -1 : a > b; }

static double share(double part, double whole)
{
	return whole > 0 ? part / whole : 0;
}

static int nodes_src_compare(void *ctx, size_t a, size_t b, int col)
{
	struct nodes_screen *s = ctx;
	const struct node *x = s->rows[a], *y = s->rows[b];
	const struct node_usage *p = &s->usage[a], *q = &s->usage[b];
	switch (col) {
	case C_HOST:  return nodes_cmp_str(x->hostname, y->hostname);
	case C_ROLE:  return nodes_cmp_str(x->role, y->role);
	case C_AVAIL: return nodes_cmp_str(x->availability, y->availability);
	case C_STATE: return nodes_cmp_str(x->state, y->state);
	case C_CLASS: return nodes_cmp_str(p->class_name, q->class_name);
	case C_CPU:   return nodes_cmp_dbl(share(p->cpu_reserved, p->cpu_capacity), share(q->cpu_reserved, q->cpu_capacity));
	case C_MEM:   return nodes_cmp_dbl(share((double)p->mem_reserved, (double)p->mem_capacity),
	                             share((double)q->mem_reserved, (double)q->mem_capacity));
	case C_TASKS: return (p->tasks_running > q->tasks_running) - (p->tasks_running < q->tasks_running);
	}
	return 0;
}

static const struct table_source nodes_source = {
	.row_count = nodes_src_count,
	.row_id = nodes_src_id,
	.render_cell = nodes_src_cell,
	.cell_role = nodes_src_role,
	.draw_cell = nodes_src_draw,
	.compare = nodes_src_compare,
};

static int by_hostname(const void *a, const void *b)
{
	const struct node *x = *(const struct node *const *)a, *y = *(const struct node *const *)b;
	int c = nodes_cmp_str(x->hostname, y->hostname);
	return c ? c : nodes_cmp_str(x->id, y->id);
}

static void nodes_data_changed(void *data);

static struct nodes_screen *nodes_new(struct app *a)
{
	struct nodes_screen *s = xcalloc(1, sizeof *s);
	s->app = a;
	histline_init(&s->hist, a);
	s->table = table_new(nodes_columns, N_COLS, &nodes_source, s, &a->theme);
	table_set_empty_text(s->table, "no nodes yet: waiting for the engine");
	nodes_data_changed(s);
	return s;
}

static void nodes_free(void *data)
{
	struct nodes_screen *s = data;
	action_free(&s->action);
	histline_clear(&s->hist);
	dialog_free(&s->confirm);
	free(s->confirm_id);
	free(s->act_host);
	free(s->act_msg);
	table_free(&s->table);
	free(s->rows);
	free(s->usage);
	free(s);
}

static struct table *nodes_table(void *data)
{
	struct nodes_screen *s = data;
	return s->table;
}

static struct widget *nodes_widget(void *data)
{
	struct nodes_screen *s = data;
	return table_widget(s->table);
}

static const struct keybinding *nodes_keys_now(const void *data)
{
	(void)data;
	return nodes_keys;
}

static void nodes_place(void *data, struct rect area)
{
	struct nodes_screen *s = data;
	s->area = area;
	/* Line 0: title and counts; then the table; the last two lines (three with Prometheus:
	 * its last hour): the selected node. */
	int below = histline_shown(&s->hist) ? 3 : 2;
	widget_place(table_widget(s->table), stdscr,
	             (struct rect){area.y + 1, area.x, area.h - 1 - below, area.w});
	if (s->confirm)
		widget_place(dialog_widget(s->confirm), stdscr, area);
}

static void nodes_data_changed(void *data)
{
	struct nodes_screen *s = data;
	const struct cluster *cl = s->app->cluster;
	const struct node_list *l = cluster_nodes(cl);
	s->n = l->n;
	s->rows = xreallocarray(s->rows, l->n + 1, sizeof *s->rows);
	s->usage = xreallocarray(s->usage, l->n + 1, sizeof *s->usage);
	for (size_t i = 0; i < l->n; i++)
		s->rows[i] = &l->v[i];
	qsort(s->rows, s->n, sizeof *s->rows, by_hostname);
	for (size_t i = 0; i < s->n; i++)
		node_usage_get(s->rows[i], cluster_services(cl), cluster_tasks(cl), &s->usage[i]);
	s->generation = cluster_generation(cl);
	table_refresh(s->table);
}

/* The rows point into the cluster's data, which a poll can replace before the app rebuilds
 * (keys are read after the poll): take them again first. */
static void rows_sync(struct nodes_screen *s)
{
	if (s->generation != cluster_generation(s->app->cluster))
		nodes_data_changed(s);
}

static const struct node *selected(struct nodes_screen *s, size_t *row)
{
	size_t r;
	if (!table_selected_row(s->table, &r))
		return NULL;
	if (row)
		*row = r;
	return row_node(s, r);
}

/* Two lines on the selected node: "alpha: manager (leader), engine 27.1, address 10.0.0.2" and
 * "CPU 0.5 of 4 reserved (13%), memory 1 GiB of 8 GiB (13%), 3 tasks running", with
 * ", GPUs 1 of 2" before the tasks on a node that advertises GPUs. */
static void detail_text(struct nodes_screen *s, char *who, char *use, size_t sz)
{
	size_t row;
	const struct node *n = selected(s, &row);
	who[0] = use[0] = '\0';
	if (!n)
		return;
	const struct node_usage *u = &s->usage[row];
	char *host = sanitize_str(str_or(n->hostname, n->id ? n->id : "-"), 0);
	char *role = sanitize_str(str_or(n->role, "-"), 0);
	char *ver = sanitize_str(str_or(n->engine_version, "?"), 0);
	char *addr = sanitize_str(str_or(n->addr, "?"), 0);
	snprintf(who, sz, "%s: %s%s, engine %s, address %s", host, role, n->leader ? " (leader)" : "", ver, addr);
	char mr[32], mc[32];
	format_bytes(mr, sizeof mr, u->mem_reserved > 0 ? (uint64_t)u->mem_reserved : 0);
	format_bytes(mc, sizeof mc, u->mem_capacity > 0 ? (uint64_t)u->mem_capacity : 0);
	char gpus[64] = "";
	if (u->gpu_capacity > 0)
		snprintf(gpus, sizeof gpus, ", GPUs %lld of %lld", (long long)u->gpu_reserved,
		         (long long)u->gpu_capacity);
	snprintf(use, sz, "CPU %.4g of %.4g reserved (%.0f%%), memory %s of %s (%.0f%%)%s, %u task%s running",
	         u->cpu_reserved, u->cpu_capacity, 100 * share(u->cpu_reserved, u->cpu_capacity), mr, mc,
	         100 * share((double)u->mem_reserved, (double)u->mem_capacity), gpus, u->tasks_running,
	         u->tasks_running == 1 ? "" : "s");
	free(host);
	free(role);
	free(ver);
	free(addr);
}

static void nodes_draw(void *data)
{
	struct nodes_screen *s = data;
	const struct theme *th = &s->app->theme;
	struct rect r = s->area;
	size_t ready = 0, paused = 0, drained = 0;
	rows_sync(s);
	for (size_t i = 0; i < s->n; i++) {
		ready += is(s->rows[i]->state, "ready");
		paused += is(s->rows[i]->availability, "pause");
		drained += is(s->rows[i]->availability, "drain");
	}
	char line[1024];
	snprintf(line, sizeof line, "nodes  %zu: %zu ready, %zu paused, %zu drained%s", s->n, ready, paused,
	         drained, s->action ? "  (an action is running)" : "");
	widget_put(stdscr, r.y, r.x, r.w, line, theme_attr(th, THEME_HEADER), true, th->ascii);
	widget_draw(table_widget(s->table));
	char use[512];
	detail_text(s, line, use, sizeof use);
	if (histline_shown(&s->hist))
		histline_draw(&s->hist, r.y + r.h - 3, r.x, r.w);
	widget_put(stdscr, r.y + r.h - 2, r.x, r.w, line, theme_attr(th, THEME_NORMAL), true, th->ascii);
	widget_put(stdscr, r.y + r.h - 1, r.x, r.w, use, theme_attr(th, THEME_NORMAL), true, th->ascii);
	if (s->confirm)
		widget_draw(dialog_widget(s->confirm));
}

/* --- actions --- */

static const char *verb_ing(enum audit_action act)
{
	return act == AUDIT_PAUSE_NODE ? "pausing" : act == AUDIT_ACTIVATE_NODE ? "activating" : "draining";
}

static void nodes_on_progress(void *ud, const char *step)
{
	struct nodes_screen *s = ud;
	char *clean = sanitize_str(step, 0);
	char *msg = xasprintf("%s node %s: %s...", verb_ing(s->act), s->act_host, clean);
	app_notice(s->app, msg);
	free(msg);
	free(clean);
}

static void nodes_on_done(void *ud, const struct action_result *r)
{
	static const char *const said[] = {
		[AUDIT_PAUSE_NODE] = "paused: its running jobs keep running; the swarm places no new tasks on it",
		[AUDIT_ACTIVATE_NODE] = "activated: the swarm places new tasks on it again",
		[AUDIT_DRAIN_NODE] = "drained: the swarm stops its tasks and places them on other nodes where they fit",
	};
	struct nodes_screen *s = ud;
	char *why = sanitize_str(r->error ? r->error : "the node could not be updated", 0);
	s->act_done = true;
	s->act_ok = r->ok;
	if (r->ok)
		s->act_msg = xasprintf("%s %s (audit record %s)", s->act_host, said[s->act],
		                       r->audit_config ? r->audit_config : "none");
	else
		s->act_msg = xasprintf("%s node %s failed: %s", verb_ing(s->act), s->act_host, why);
	free(why);
}

static void nodes_start(struct nodes_screen *s, const struct node *n, enum audit_action act)
{
	const struct actor *who = app_actor(s->app);
	const char *host = str_or(n->hostname, n->id);
	struct audit_record rec;
	audit_record_init(&rec, who->user, act, host, n->id, NULL, NULL);
	s->act = act;
	s->act_done = false;
	free(s->act_host);
	s->act_host = sanitize_str(host, 0);
	free(s->act_msg);
	s->act_msg = NULL;
	char *msg = xasprintf("%s node %s...", verb_ing(act), s->act_host);
	app_notice(s->app, msg);
	free(msg);
	s->action = action_node_availability(s->app->session->engine, &rec, NULL, nodes_on_progress, nodes_on_done, s);
	audit_clear(&rec);
	s->app->dirty = true;
}

/* Whether a node action may start now (the checks of the keys' table passed); says why not
 * on the status line. */
static bool nodes_may_act(struct nodes_screen *s)
{
	if (s->action) {
		char *msg = xasprintf("still %s node %s: one action at a time", verb_ing(s->act), s->act_host);
		app_say(s->app, STATUS_WARN, msg);
		free(msg);
		return false;
	}
	if (!engine_api_minor(s->app->session->engine)) {
		app_say(s->app, STATUS_WARN, "the engine is not connected: try again once it answers");
		return false;
	}
	return true;
}

static void ask_drain(struct nodes_screen *s, const struct node *n)
{
	const struct cluster *cl = s->app->cluster;
	unsigned count = 0;
	char *names = node_running_jobs(n, cluster_services(cl), cluster_tasks(cl), &count);
	const char *host = str_or(n->hostname, n->id);
	char *title = xasprintf("Drain node %s?", host);
	char *text = xasprintf("Draining %s stops all %u task%s running on it%s%s%s and moves their jobs to "
	                       "other nodes where they fit: the jobs lose what they hold in memory, and a job "
	                       "that fits nowhere else waits. Pause (p) keeps running jobs running and only "
	                       "stops new tasks from landing there.",
	                       host, count, count == 1 ? "" : "s", names ? " (jobs " : "", names ? names : "",
	                       names ? ")" : "");
	/* Not "Drain": its hot key would be D, and D twice would drain at once. */
	static const char *const buttons[] = {"Yes, drain", "Cancel"};
	dialog_free(&s->confirm);
	s->confirm = dialog_new(title, text, buttons, 2, 1, &s->app->theme);
	free(s->confirm_id);
	s->confirm_id = xstrdup(n->id);
	widget_place(dialog_widget(s->confirm), stdscr, s->area);
	free(title);
	free(text);
	free(names);
}

static void confirm_key(struct nodes_screen *s, int key)
{
	if (!(dialog_handle_key(s->confirm, key) & WR_DONE))
		return;
	bool yes = dialog_result(s->confirm) == 0;
	dialog_free(&s->confirm);
	const struct node *n = cluster_node(s->app->cluster, s->confirm_id);
	if (!yes)
		app_notice(s->app, "drain cancelled: the node was not changed");
	else if (!n)
		app_say(s->app, STATUS_WARN, "that node is gone from the swarm");
	else if (screen_allowed(s->app, &nodes_screen_ops, s, NEEDS_ADMIN) && nodes_may_act(s))
		nodes_start(s, n, AUDIT_DRAIN_NODE);
}

/* p, a and D, once a node is selected and the user is an admin (nodes_fns). */
static int nodes_availability(void *data, int op)
{
	struct nodes_screen *s = data;
	enum audit_action act = op == OP_NODE_PAUSE ? AUDIT_PAUSE_NODE
	                      : op == OP_NODE_ACTIVATE ? AUDIT_ACTIVATE_NODE : AUDIT_DRAIN_NODE;
	const struct node *n = selected(s, NULL);
	if (!nodes_may_act(s))
		return WR_HANDLED | WR_REDRAW;
	const char *want = node_availability_for(act);
	if (is(n->availability, want)) {
		char *host = sanitize_str(str_or(n->hostname, n->id), 0);
		char *msg = xasprintf("%s is already %s", host, want);
		app_say(s->app, STATUS_WARN, msg);
		free(msg);
		free(host);
		return WR_HANDLED | WR_REDRAW;
	}
	if (act == AUDIT_DRAIN_NODE)
		ask_drain(s, n);
	else
		nodes_start(s, n, act);
	return WR_HANDLED | WR_REDRAW;
}

static const struct screen_fn nodes_fns[] = {
	{OP_NODE_PAUSE, nodes_availability, NEEDS_NODE | NEEDS_ADMIN},
	{OP_NODE_ACTIVATE, nodes_availability, NEEDS_NODE | NEEDS_ADMIN},
	{OP_NODE_DRAIN, nodes_availability, NEEDS_NODE | NEEDS_ADMIN},
	{0, NULL, 0},
};

/* The rows first (a poll may have replaced the cluster's data since the last rebuild); the
 * drain confirmation, while open, takes every key. */
static int nodes_input(void *data, wint_t ch, bool is_code)
{
	struct nodes_screen *s = data;
	rows_sync(s);
	if (!s->confirm)
		return WR_IGNORED;
	if (!is_code && ch > 0xff)
		return WR_HANDLED;   /* no dialog key: dropped, as everywhere */
	if (is_code && ch == KEY_RESIZE)
		return WR_IGNORED;
	confirm_key(s, (int)ch);
	return WR_HANDLED | WR_REDRAW;
}

static bool nodes_busy(const void *data)
{
	const struct nodes_screen *s = data;
	return s->action != NULL;
}

/* The selected node's last hour: asked when the selection moves, and now and then. */
static void nodes_tick_hist(struct nodes_screen *s)
{
	size_t row;
	const struct node *n = table_selected_row(s->table, &row) ? row_node(s, row) : NULL;
	if (!n || !n->id || !histline_due(&s->hist, n->id))
		return;
	char *qc = prom_hist_node_query(n->id, false), *qm = prom_hist_node_query(n->id, true);
	histline_ask(&s->hist, qc, qm);
	free(qc);
	free(qm);
}

static void nodes_tick(void *data)
{
	struct nodes_screen *s = data;
	nodes_tick_hist(s);
	if (!s->action)
		return;
	if (!s->act_done) {
		action_tick(s->action, mono_ns());   /* nothing before it is due */
		if (!s->act_done)
			return;
	}
	action_free(&s->action);
	app_say(s->app, s->act_ok ? STATUS_INFO : STATUS_ERROR, s->act_msg);
	app_request_refresh(s->app);
	s->app->dirty = true;
}

static int nodes_wait_ms(const void *data)
{
	const struct nodes_screen *s = data;
	if (s->action && s->act_done)
		return 0;
	int act = s->action ? action_wait_ms(s->action, mono_ns()) : -1, hist = histline_wait_ms(&s->hist);
	return act < 0 ? hist : hist < 0 || act < hist ? act : hist;
}

const struct screen_ops nodes_screen_ops = {
	.name = "nodes",
	.keys = nodes_keys_now,
	.help = nodes_help,
	.fns = nodes_fns,
	.admin_only = "only admins may pause, activate or drain nodes",
	.place = nodes_place,
	.draw = nodes_draw,
	.input = nodes_input,
	.data_changed = nodes_data_changed,
	.tick = nodes_tick,
	.wait_ms = nodes_wait_ms,
	.table = nodes_table,
	.widget = nodes_widget,
	.busy = nodes_busy,
	.free = nodes_free,
};

/* --- the entry point --- */

void nodes_screen_open(struct app *a)
{
	const struct actor *who = app_actor(a);
	if (!triage_role_known(a->triage) && actor_may(who, ACT_NODE, NULL) == PERMIT_DENY) {
		app_say(a, STATUS_WARN, "the nodes view is for admins, and glovebox is still reading the "
		                        "policy that says who they are: try again in a moment");
		return;
	}
	if (actor_may(who, ACT_NODE, NULL) == PERMIT_DENY) {
		char *user = sanitize_str(str_or(who->user, "?"), 0);
		char *msg = xasprintf("the nodes view is for admins: %s uses glovebox as a researcher", user);
		app_say(a, STATUS_WARN, msg);
		free(msg);
		free(user);
		return;
	}
	/* The view shown or kept is shown again, with its action and its selection. */
	struct nodes_screen *s = screen_take(a, &nodes_screen_ops);
	if (s)
		nodes_data_changed(s);
	else
		s = nodes_new(a);
	screen_pop_all(a);
	screen_push(a, &nodes_screen_ops, s);
	app_request_refresh(a);
}
