/* The log pager: see logs.h. */
#include "tui/console/logs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "api/core/roles.h"
#include "api/swarm/logring.h"
#include "api/swarm/logstream.h"
#include "tui/console/app.h"
#include "tui/console/tasks.h"
#include "tui/console/triage.h"
#include "widgets/field.h"
#include "widgets/logview.h"
#include "widgets/wrap.h"

#define PAINT_MS 50   /* at most 20 repaints a second while lines arrive */

enum logs_op { LO_FOLLOW = OP_SCREEN, LO_WRAP, LO_TIME, LO_SEARCH, LO_NEXT, LO_PREV, LO_BACK };

/* The bar shows the KB_BAR entries in this order (Quit early: a narrow bar drops entries from
 * the end); KB_NOHELP entries are the global and the log view's keys. */
static const struct keybinding logs_keys[] = {
	{KEY_F(1), "F1", "Help", NULL, KB_BAR | KB_NOHELP, OP_HELP},
	{KEY_F(10), "F10", "Quit", NULL, KB_BAR | KB_NOHELP, OP_QUIT},
	{27, "Esc", "Back", "Back to the previous screen (closes the search prompt first)", KB_BAR, LO_BACK},
	{'/', "/", "Search", "Search the lines kept; Enter finds, Esc cancels", KB_BAR, LO_SEARCH},
	{'f', "f", "Follow", "Follow new lines at the bottom, or stop following", KB_BAR, LO_FOLLOW},
	{'w', "w", "Wrap", "Wrap long lines, or cut them at the edge (Left/Right scroll)", KB_BAR, LO_WRAP},
	{'t', "t", "Time", "Show or hide the engine's time of each line", KB_BAR, LO_TIME},
	{'G', "End", "End", NULL, KB_BAR | KB_NOHELP, 0},
	{'n', "n/N", NULL, "Next or previous match", 0, LO_NEXT},
	{'N', NULL, NULL, NULL, 0, LO_PREV},
	{0, NULL, NULL, NULL, 0, 0},
};

static const struct help_section logs_help[] = {
	{"Logs of a job", logs_keys},
	{"Scrolling", logview_keys},
	{NULL, NULL},
};

struct logs_screen {
	struct app *app;
	char *service_id;
	char *task_id;                /* NULL: the job's logs; else this task's only */
	char *name;                   /* sanitised */
	struct rect area;

	struct logring *ring;
	struct logview *view;
	struct logs_stream *stream;   /* NULL before it starts and once it ended */
	bool started;                 /* authorised (or refused): nothing more to wait for */
	bool live;                    /* the request follows new lines */
	bool ended;
	char *end_text;               /* how it ended, sanitised; NULL while it runs */
	bool end_error;
	char *refused;                /* why no logs are shown, sanitised */
	bool capped;                  /* researcher_logs "tail" cut the history */
	bool timestamps;

	struct field *prompt;         /* the search prompt while open */
	char *query;                  /* the last search */
	char *message;                /* a search result, until the next key */

	bool fresh;                   /* lines arrived since the last repaint */
	int64_t next_paint;

	/* Buffers for the line being handed to the view (borrowed until the next call). */
	char ts[48], cut[64];
};

/* --- the view's source: the ring --- */

static uint64_t logs_src_first(void *ctx)
{
	struct logs_screen *s = ctx;
	return logring_first_seq(s->ring);
}

static uint64_t logs_src_end(void *ctx)
{
	struct logs_screen *s = ctx;
	return logring_next_seq(s->ring);
}

static void logs_src_line(void *ctx, uint64_t seq, struct logview_line *out)
{
	struct logs_screen *s = ctx;
	const struct logring_line *l = logring_get(s->ring, (size_t)(seq - logring_first_seq(s->ring)));
	if (!l)
		return;
	out->text = l->text;
	out->len = l->len;
	out->role = l->stream == LOG_ENGINE ? THEME_ROW_FAILED
	          : l->stream == LOG_STDERR ? THEME_ROW_PENDING : THEME_NORMAL;
	if (l->stream == LOG_ENGINE) {
		out->prefix = "engine:";
	} else if (s->timestamps) {
		if (l->ts_ns > 0)
			log_format_time(s->ts, sizeof s->ts, l->ts_ns);
		else
			snprintf(s->ts, sizeof s->ts, "%-30s", "-");
		out->prefix = s->ts;
	}
	if (l->cut > 0) {
		log_cut_marker(s->cut, sizeof s->cut, l->cut, s->app->theme.ascii);
		out->suffix = s->cut;
	}
}

static const struct logview_source logs_source = {
	.first = logs_src_first,
	.end = logs_src_end,
	.line = logs_src_line,
};

/* --- the stream --- */

static void set_text(char **dst, const char *raw)
{
	free(*dst);
	*dst = raw ? sanitize_str(raw, 0) : NULL;
}

static void on_line(void *ud, const struct log_line *line)
{
	struct logs_screen *s = ud;
	logring_push(s->ring, line);
	s->fresh = true;
}

static void on_end(void *ud, const struct logs_end *end)
{
	struct logs_screen *s = ud;
	s->ended = true;
	s->end_error = end->error && !end->removed;
	if (end->removed)
		set_text(&s->end_text, "the job was removed: no more lines will come");
	else if (end->error)
		set_text(&s->end_text, end->error);
	else
		set_text(&s->end_text, s->live ? "the engine ended the stream" : "end of the logs");
	/* Nothing more will come: stay where the reader is, even at the end. */
	logview_set_follow(s->view, false);
	logs_stream_free(&s->stream);
	s->fresh = true;
}

static const struct service *logs_find_service(struct app *a, const char *id)
{
	const struct service_list *l = cluster_services(a->cluster);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id && strcmp(l->v[i].id, id) == 0)
			return &l->v[i];
	return NULL;
}

static const struct job *logs_find_job(struct app *a, const char *id)
{
	return jobview_by_id(a->view, id, NULL);
}

/* Once the console knows who uses it: authorise, then open the stream. */
static void logs_start(struct logs_screen *s)
{
	struct app *a = s->app;
	if (s->started || !triage_role_known(a->triage))
		return;
	const struct service *svc = logs_find_service(a, s->service_id);
	s->started = true;
	if (!svc) {
		set_text(&s->refused, "the job is gone: it was removed before its logs could be read");
		return;
	}
	const struct job *j = logs_find_job(a, s->service_id);
	bool done = j && (j->state == JOB_COMPLETE || j->state == JOB_STOPPED);
	/* Timestamps always: t then shows or hides them without asking the engine again. */
	struct logs_request req = {.task_id = s->task_id, .tail = -1, .follow = !done, .timestamps = true};
	const struct actor *me = app_actor(a);
	const struct policy *pol = triage_policy(a->triage);
	char *err = NULL;
	/* pol is the policy that governs: for researchers always a trusted one (policy_fetch). */
	if (logs_authorize(pol, me->role == ROLE_ADMIN, me->user, svc, &req, &err) != 0) {
		if (me->role != ROLE_ADMIN && pol && pol->researcher_logs == LOGS_NONE)
			set_text(&s->refused, "logs are not available to researchers by the platform's "
			                      "policy (researcher_logs is \"none\"); an admin can read them");
		else
			set_text(&s->refused, err);
		free(err);
		return;
	}
	s->capped = req.capped;
	s->live = req.follow;
	s->stream = logs_stream_open(a->session->engine, svc, &req, on_line, on_end, s);
}

/* --- the screen --- */

static void logs_free(void *data)
{
	struct logs_screen *s = data;
	logs_stream_free(&s->stream);
	logview_free(&s->view);
	logring_free(&s->ring);
	field_free(&s->prompt);
	free(s->service_id);
	free(s->task_id);
	free(s->name);
	free(s->end_text);
	free(s->refused);
	free(s->query);
	free(s->message);
	free(s);
}

static const struct keybinding *logs_keys_now(const void *data)
{
	(void)data;
	return logs_keys;
}

static struct widget *logs_widget(void *data)
{
	struct logs_screen *s = data;
	return logview_widget(s->view);
}

static void logs_place(void *data, struct rect area)
{
	struct logs_screen *s = data;
	s->area = area;
	/* Line 0: what is shown; then the lines; the last line: prompt, messages, the policy. */
	widget_place(logview_widget(s->view), stdscr,
	             (struct rect){area.y + 1, area.x, area.h > 2 ? area.h - 2 : 0, area.w});
}

static void logs_tick(void *data)
{
	struct logs_screen *s = data;
	logs_start(s);   /* the role may just have become known */
	int64_t now = mono_ms();
	bool waiting = logs_stream_cut(s->stream, now, NULL) != NULL;
	logs_stream_tick(s->stream, now);
	if (waiting || logs_stream_cut(s->stream, now, NULL))
		s->app->dirty = true;   /* the footer's countdown, or the reopen it announced */
	if (s->fresh && now >= s->next_paint) {
		s->fresh = false;
		s->next_paint = now + PAINT_MS;
		logview_changed(s->view);
		s->app->dirty = true;
	}
}

static int logs_wait_ms(const void *data)
{
	const struct logs_screen *s = data;
	int64_t now = mono_ms();
	int reopen = logs_stream_wait_ms(s->stream, now);
	if (reopen > 1000)
		reopen = 1000;   /* the footer counts down */
	if (!s->fresh)
		return reopen;
	int64_t ms = s->next_paint - now;
	ms = ms < 0 ? 0 : ms;
	return reopen >= 0 && reopen < ms ? reopen : (int)ms;
}

static void header(struct logs_screen *s, char *buf, size_t sz)
{
	uint64_t top, bottom, n = logring_count(s->ring), dropped = logring_dropped(s->ring);
	char pos[96] = "no lines yet", drop[48] = "";
	if (n && logview_visible(s->view, &top, &bottom))
		snprintf(pos, sizeof pos, "lines %" PRIu64 "-%" PRIu64 " of %" PRIu64,
		         top - logring_first_seq(s->ring) + 1, bottom - logring_first_seq(s->ring) + 1, n);
	if (dropped)
		snprintf(drop, sizeof drop, " (%" PRIu64 " dropped)", dropped);
	const char *state = s->refused ? "not shown"
	                  : !s->started ? "checking your role"
	                  : s->ended ? "stream ended"
	                  : logs_stream_cut(s->stream, mono_ms(), NULL) ? "reconnecting"
	                  : logview_following(s->view) ? "following" : "not following";
	/* The flags before the position: a narrow screen cuts the end. */
	snprintf(buf, sz, "Logs of %s  %s%s%s  %s%s", s->name, state,
	         logview_wrapping(s->view) ? "" : "  nowrap", s->timestamps ? "  time" : "", pos, drop);
}

/* The last line of the area: the prompt, else a message, else how the stream is. */
static void footer(struct logs_screen *s, int y)
{
	const struct theme *th = &s->app->theme;
	struct rect r = s->area;
	if (s->prompt) {
		widget_put(stdscr, y, r.x, 1, "/", theme_attr(th, THEME_NORMAL), false, th->ascii);
		widget_place(field_widget(s->prompt), stdscr, (struct rect){y, r.x + 1, 1, r.w - 1});
		widget_draw(field_widget(s->prompt));
		return;
	}
	char line[512] = "";
	enum theme_role role = THEME_STATUS;
	const char *cut;
	int in_s = 0;
	if (s->message) {
		snprintf(line, sizeof line, "%s", s->message);
		role = THEME_STATUS_WARN;
	} else if ((cut = logs_stream_cut(s->stream, mono_ms(), &in_s))) {
		char *why = sanitize_str(cut, 0);
		snprintf(line, sizeof line, "the stream was cut (%s): opening it again in %ds, from the last line",
		         why, in_s);
		free(why);
		role = THEME_STATUS_WARN;
	} else if (s->ended && s->end_text) {
		snprintf(line, sizeof line, "%s", s->end_text);
		role = s->end_error ? THEME_STATUS_ERROR : THEME_STATUS;
	} else if (s->stream && logstream_engine_errors(logs_stream_decoder(s->stream))) {
		snprintf(line, sizeof line, "the engine reported errors reading the logs (lines marked engine:)");
		role = THEME_STATUS_ERROR;
	} else if (s->capped) {
		snprintf(line, sizeof line, "showing the last %d lines by policy (researcher_logs \"tail\"), "
		         "then new lines", LOGS_TAIL_LINES);
		role = THEME_STATUS_WARN;
	}
	widget_put(stdscr, y, r.x, r.w, line, theme_attr(th, role), true, th->ascii);
}

static void logs_draw(void *data)
{
	struct logs_screen *s = data;
	const struct theme *th = &s->app->theme;
	struct rect r = s->area;
	if (r.h < 3)
		return;
	char head[512];
	header(s, head, sizeof head);
	widget_put(stdscr, r.y, r.x, r.w, head, theme_attr(th, THEME_HEADER), true, th->ascii);
	if (s->refused) {
		struct wrap w = {0};
		wrap_text(&w, s->refused, r.w - 2);
		for (size_t i = 0; i < w.n && (int)i + 2 < r.h - 1; i++)
			widget_put(stdscr, r.y + 2 + (int)i, r.x + 1, r.w - 2, w.line[i],
			           theme_attr(th, THEME_ROW_FAILED), false, th->ascii);
		wrap_free(&w);
	} else if (!s->started || logring_next_seq(s->ring) == 0) {
		widget_draw(logview_widget(s->view));
		const char *what = !s->started ? "waiting for the policy to know your role..."
		                 : s->ended ? "no lines: the job has not written anything"
		                 : "waiting for lines...";
		widget_put(stdscr, r.y + 1, r.x, r.w, what, theme_attr(th, THEME_EMPTY), false, th->ascii);
	} else {
		widget_draw(logview_widget(s->view));
	}
	footer(s, r.y + r.h - 1);
}

/* --- keys --- */

static void logs_set_message(struct logs_screen *s, char *msg)
{
	free(s->message);
	s->message = msg;
}

/* The next (or previous) line after (before) the current match or the top line in view that
 * contains the query, wrapping around. */
static void search(struct logs_screen *s, bool forward, bool from_here)
{
	uint64_t first = logring_first_seq(s->ring), top = first, bottom;
	if (!logview_visible(s->view, &top, &bottom))
		top = first;
	size_t at = (size_t)(top - first);
	ssize_t i;
	if (forward)
		i = logring_next_match(s->ring, from_here ? at : at + 1, s->query, true);
	else
		i = logring_prev_match(s->ring, at > 0 ? at - 1 : logring_count(s->ring), s->query, true);
	logview_set_highlight(s->view, s->query);
	if (i < 0) {
		char *q = sanitize_str(s->query, 0);
		logs_set_message(s, xasprintf("not found in the %zu lines kept: %s", logring_count(s->ring), q));
		free(q);
		return;
	}
	logview_goto(s->view, first + (uint64_t)i);
}

static int logs_prompt_input(struct logs_screen *s, wint_t ch, bool is_code)
{
	if (!is_code && ch == 27) {
		field_free(&s->prompt);
	} else if ((!is_code && (ch == '\r' || ch == '\n')) || (is_code && ch == KEY_ENTER)) {
		if (*field_text(s->prompt)) {
			free(s->query);
			s->query = xstrdup(field_text(s->prompt));
			search(s, true, true);
		}
		field_free(&s->prompt);
	} else if (is_code && ch == KEY_RESIZE) {
		return WR_IGNORED;
	} else {
		field_input(s->prompt, ch, is_code);
	}
	return WR_HANDLED | WR_REDRAW;   /* the prompt takes every key */
}

/* The search prompt, while open, takes every key. A message lasts until the next key, which
 * still does what it does (the loop repaints after every key). */
static int logs_input(void *data, wint_t ch, bool is_code)
{
	struct logs_screen *s = data;
	if (s->prompt)
		return logs_prompt_input(s, ch, is_code);
	logs_set_message(s, NULL);
	return WR_IGNORED;
}

static int logs_follow(void *data, int op)
{
	struct logs_screen *s = data;
	(void)op;
	if (s->ended || s->refused)
		logs_set_message(s, xstrdup("the stream has ended: no new lines will come"));
	else
		logview_set_follow(s->view, !logview_following(s->view));
	return WR_HANDLED | WR_REDRAW;
}

static int logs_wrap(void *data, int op)
{
	struct logs_screen *s = data;
	(void)op;
	logview_set_wrap(s->view, !logview_wrapping(s->view));
	return WR_HANDLED | WR_REDRAW;
}

static int logs_time(void *data, int op)
{
	struct logs_screen *s = data;
	(void)op;
	s->timestamps = !s->timestamps;
	logview_invalidate(s->view);
	return WR_HANDLED | WR_REDRAW;
}

static int logs_search_open(void *data, int op)
{
	struct logs_screen *s = data;
	(void)op;
	s->prompt = field_new(&s->app->theme, 256);
	field_set_focus(s->prompt, true);
	return WR_HANDLED | WR_REDRAW;
}

static int logs_search_again(void *data, int op)
{
	struct logs_screen *s = data;
	if (!s->query)
		logs_set_message(s, xstrdup("no search yet: / starts one"));
	else
		search(s, op == LO_NEXT, false);
	return WR_HANDLED | WR_REDRAW;
}

static int logs_back(void *data, int op)
{
	struct logs_screen *s = data;
	(void)op;
	screen_pop(s->app);   /* frees s */
	return WR_HANDLED | WR_REDRAW;
}

static const struct screen_fn logs_fns[] = {
	{LO_FOLLOW, logs_follow, 0},
	{LO_WRAP, logs_wrap, 0},
	{LO_TIME, logs_time, 0},
	{LO_SEARCH, logs_search_open, 0},
	{LO_NEXT, logs_search_again, 0},
	{LO_PREV, logs_search_again, 0},
	{LO_BACK, logs_back, 0},
	{0, NULL, 0},
};

const struct screen_ops logs_screen_ops = {
	.name = "logs",
	.keys = logs_keys_now,
	.help = logs_help,
	.fns = logs_fns,
	.place = logs_place,
	.draw = logs_draw,
	.input = logs_input,
	.tick = logs_tick,
	.wait_ms = logs_wait_ms,
	.widget = logs_widget,
	.free = logs_free,
};

void logs_screen_open(struct app *a, const char *service_id, const struct task *task)
{
	if (!service_id || !*service_id)
		return;
	const struct service *svc = logs_find_service(a, service_id);
	if (!svc) {
		app_say(a, STATUS_WARN, "that job is gone");
		return;
	}
	struct logs_screen *s = xcalloc(1, sizeof *s);
	s->app = a;
	s->service_id = xstrdup(service_id);
	if (task) {
		const struct node *n = task->node_id ? cluster_node(a->cluster, task->node_id) : NULL;
		const char *node = n && n->hostname ? n->hostname : task->node_id ? task->node_id : "no node";
		char *raw = xasprintf("%s, task %llu on %s", svc->name ? svc->name : service_id,
		                      (unsigned long long)task->slot, node);
		s->name = sanitize_str(raw, 0);
		free(raw);
		s->task_id = xstrdup(task->id);
	} else {
		s->name = sanitize_str(svc->name ? svc->name : service_id, 0);
	}
	s->ring = logring_new(0, 0);
	s->view = logview_new(&logs_source, s, &a->theme);
	/* Esc goes back to the tasks of a job when they were in front, else to the jobs. */
	if (screen_top(a)->ops != &tasks_screen_ops)
		screen_pop_all(a);
	screen_push(a, &logs_screen_ops, s);
	logs_start(s);
}
