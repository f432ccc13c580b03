#include "tui/console/app.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "api/base/err.h"
#include "api/creds/creds.h"
#include "api/engine/errmap.h"
#include "api/engine/decode.h"
#include "api/creds/keyring.h"
#include "api/base/xalloc.h"
#include "tui/console/commands.h"
#include "tui/console/prompt.h"
#include "tui/console/login.h"
#include "tui/console/triage.h"
#include "widgets/logview.h"
#include "widgets/pager.h"
#include "api/base/sanitize.h"

#define MIN_ROWS 10
#define MIN_COLS 40
#define BACKOFF_MAX_MS 30000
#define EVENTS_LINE_MAX (1u << 20)
/* {"type":["service","node","container"]}: what changes the picture; tasks have no events. */
#define EVENTS_PATH "/events?filters=%7B%22type%22%3A%5B%22service%22%2C%22node%22%2C%22container%22%5D%7D"

static const struct keybinding global_keys[] = {
	{KEY_F(1), "F1", "Help", "Show this help", KB_BAR, OP_HELP},
	{'?', "?", NULL, "Show this help", 0, OP_HELP},
	{'/', "/", "Filter", "Filter rows as you type; Enter keeps the filter, Esc clears it", KB_BAR, OP_FILTER},
	{KEY_F(5), "F5", NULL, "Refresh now and repaint the screen", 0, OP_REFRESH},
	{12, NULL, NULL, NULL, 0, OP_REFRESH},   /* Ctrl-L */
	{27, "Esc", NULL, "Back to the previous screen, or clear the filter", 0, OP_BACK},
	{KEY_F(10), "F10", "Quit", "Quit glovebox", KB_BAR, OP_QUIT},
	{'q', "q", NULL, "Quit glovebox", 0, OP_QUIT},
	{'L', "L", NULL, "Log in to a registry: the credentials go to your keyring", 0, OP_LOGIN},
	{':', ":", NULL, "Type a command (listed below); Tab completes, Up recalls earlier ones", 0, OP_PROMPT},
	{0, NULL, NULL, NULL, 0, 0},
};

int64_t mono_ms(void)
{
	return mono_ns() / 1000000;
}

/* Capped exponential backoff with +-20 % jitter, so many consoles do not reconnect in step. */
static int64_t backoff_ms(struct app *a, unsigned attempt)
{
	int64_t ms = 500;
	for (unsigned i = 0; i < attempt && ms < BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	int jitter = (int)(rand_r(&a->rng) % 41) - 20;
	return ms + ms * jitter / 100;
}

void app_request_refresh(struct app *a)
{
	int64_t soon = mono_ms() + 150;   /* a burst of events makes one refresh */
	if (a->next_refresh > soon)
		a->next_refresh = soon;
}

/* --- the events stream --- */

static void events_stop(struct app *a)
{
	if (a->events)
		engine_cancel(a->session->engine, a->events);
	a->events = NULL;
	a->ev_len = 0;
}

static int on_events_data(void *ud, const char *data, size_t len)
{
	struct app *a = ud;
	if (a->ev_len + len > EVENTS_LINE_MAX) {
		a->ev_len = 0;   /* an absurd line: drop it, a refresh will catch up */
		app_request_refresh(a);
		return 0;
	}
	a->ev_buf = xrealloc(a->ev_buf, a->ev_len + len + 1);
	memcpy(a->ev_buf + a->ev_len, data, len);
	a->ev_len += len;
	char *nl;
	while ((nl = memchr(a->ev_buf, '\n', a->ev_len))) {
		size_t n = (size_t)(nl - a->ev_buf);
		struct event ev = {0};
		if (n > 0 && decode_event(a->ev_buf, n, &ev, NULL) == 0)
			app_request_refresh(a);
		event_clear(&ev);
		memmove(a->ev_buf, nl + 1, a->ev_len - n - 1);
		a->ev_len -= n + 1;
	}
	a->ev_backoff = 0;
	return 0;
}

static void on_events_done(void *ud, const struct engine_reply *r)
{
	struct app *a = ud;
	(void)r;
	a->events = NULL;
	a->ev_len = 0;
	a->next_events = mono_ms() + backoff_ms(a, a->ev_backoff++);
	app_request_refresh(a);
}

static void events_start(struct app *a)
{
	a->events = engine_stream(a->session->engine, EVENTS_PATH, "following engine events",
	                          on_events_data, on_events_done, a);
}

/* --- data --- */

static void on_cluster(void *ud)
{
	struct app *a = ud;
	a->data_dirty = true;
}

static struct table *current_table(struct app *a);

static void status_update(struct app *a)
{
	const char *err = cluster_error(a->cluster);
	/* Each table keeps its own filter: the line shows the one of the screen in front. */
	if (!a->filtering)
		snprintf(a->filter, sizeof a->filter, "%s", table_filter(current_table(a)));
	char left[512], right[128];
	size_t pending = 0, failed = 0, running = 0;
	for (size_t i = 0; i < a->jobs.n; i++) {
		enum job_state s = a->jobs.v[i].state;
		pending += s == JOB_PENDING;
		failed += s == JOB_FAILED || s == JOB_OOM;
		running += s == JOB_RUNNING;
	}
	snprintf(left, sizeof left, "%zu jobs: %zu running, %zu pending, %zu failed%s%s", a->jobs.n,
	         running, pending, failed, a->filter[0] ? "  filter: " : "", a->filter);
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	int minor = engine_api_minor(a->session->engine);
	char clock[16];
	strftime(clock, sizeof clock, "%H:%M:%S", &tm);
	/* a->triage is NULL while triage_new() is still working out the role. */
	const char *role = a->triage && triage_role_known(a->triage) ? role_name(app_actor(a)->role) : "role?";
	if (minor)
		snprintf(right, sizeof right, "%s  API 1.%d  %s", role, minor, clock);
	else
		snprintf(right, sizeof right, "%s  %s", role, clock);
	statusbar_set(a->status, left, right);
	if (a->filtering) {
		char *msg = xasprintf("/%s", a->filter);
		statusbar_message(a->status, STATUS_INFO, msg);
		free(msg);
	} else if (a->notice && mono_ms() < a->notice_until) {
		statusbar_message(a->status, a->notice_level, a->notice);
	} else if (err) {
		char *msg;
		int64_t wait = (a->next_refresh - mono_ms() + 999) / 1000;
		if (a->last_ok_ns) {
			int64_t stale = (now_ns() - a->last_ok_ns) / 1000000000LL;
			msg = xasprintf("stale for %llds, reconnecting in %llds: %s", (long long)stale,
			                (long long)(wait > 0 ? wait : 0), err);
		} else {
			msg = xasprintf("reconnecting in %llds: %s", (long long)(wait > 0 ? wait : 0), err);
		}
		statusbar_message(a->status, STATUS_ERROR, msg);
		free(msg);
	} else {
		statusbar_message(a->status, STATUS_INFO, NULL);
	}
	a->dirty = true;
}

void app_say(struct app *a, enum status_level level, const char *msg)
{
	free(a->notice);
	a->notice = xstrdup(msg);
	a->notice_level = level;
	a->notice_until = mono_ms() + 10000;
	status_update(a);
}

void app_notice(struct app *a, const char *msg) { app_say(a, STATUS_INFO, msg); }

const struct actor *app_actor(struct app *a)
{
	return triage_actor(a->triage);
}

/* A job just submitted: select it once the list has it, even when the filter hid it. */
static void select_pending(struct app *a)
{
	struct table *t = services_screen_table(a->services);
	if (!a->select_id)
		return;
	if (!table_select_id(t, a->select_id)) {
		bool listed = false;
		for (size_t i = 0; i < a->jobs.n && !listed; i++)
			listed = a->jobs.v[i].id && strcmp(a->jobs.v[i].id, a->select_id) == 0;
		if (!listed || !a->filter[0])
			return;
		a->filter[0] = '\0';
		table_set_filter(t, "");
		if (!table_select_id(t, a->select_id))
			return;
	}
	free(a->select_id);
	a->select_id = NULL;
}

static void rebuild(struct app *a)
{
	a->data_dirty = false;
	const char *err = cluster_error(a->cluster);
	int64_t now = mono_ms();
	if (err) {
		/* Keep the last data on screen; try again later, ever more slowly. */
		events_stop(a);
		engine_reset_version(a->session->engine);
		if (!cluster_busy(a->cluster) && !a->retry_scheduled) {
			a->next_refresh = now + backoff_ms(a, a->backoff++);
			a->retry_scheduled = true;
		}
	} else if (cluster_updated_ns(a->cluster) != a->last_ok_ns) {
		a->last_ok_ns = cluster_updated_ns(a->cluster);
		if (a->backoff) {   /* just recovered: start sampling and events again at once */
			a->next_sample = now;
			a->next_events = now;
		}
		a->backoff = 0;
		a->ev_backoff = 0;
	}
	job_list_clear(&a->jobs);
	triage_data_changed(a->triage);
	cluster_jobs(a->cluster, &a->jobs);
	actor_filter_jobs(app_actor(a), &a->jobs);
	services_screen_data_changed(a->services);
	if (a->tasks)
		tasks_screen_data_changed(a->tasks);
	if (a->nodes)
		nodes_screen_data_changed(a->nodes);
	if (a->submit)
		submit_screen_data_changed(a->submit);
	select_pending(a);
	status_update(a);
}

/* --- layout and painting --- */

static const struct keybinding *screen_keys(struct app *a)
{
	if (a->screen == SCREEN_SUBMIT && a->submit)
		return submit_screen_keys(a->submit);
	if (a->screen == SCREEN_NODES)
		return nodes_keys;
	return a->screen == SCREEN_TASKS ? tasks_keys : services_keys;
}

static void layout(struct app *a)
{
	int rows = LINES, cols = COLS;
	a->dirty = true;
	if (rows < MIN_ROWS || cols < MIN_COLS)
		return;
	struct rect body = {0, 0, rows - 2, cols};
	services_screen_place(a->services, body);
	if (a->tasks)
		tasks_screen_place(a->tasks, body);
	if (a->nodes)
		nodes_screen_place(a->nodes, body);
	if (a->submit)
		submit_screen_place(a->submit, body);
	if (a->logs)
		logs_screen_place(a->logs, body);
	widget_place(statusbar_widget(a->status), stdscr, (struct rect){rows - 2, 0, 1, cols});
	widget_place(keybar_widget(a->keybar), stdscr, (struct rect){rows - 1, 0, 1, cols});
	if (a->help)
		widget_place(help_widget(a->help), stdscr, (struct rect){0, 0, rows, cols});
	if (a->login)
		login_screen_place(a->login, (struct rect){0, 0, rows - 2, cols});
	triage_box_place(a->triage, (struct rect){0, 0, rows - 2, cols});
	if (a->prompt)
		prompt_place(a->prompt, (struct rect){rows - 2, 0, 2, cols});
	a->dirty = true;
}

void app_layout(struct app *a)
{
	layout(a);
}

static void paint(struct app *a)
{
	erase();
	if (LINES < MIN_ROWS || COLS < MIN_COLS) {
		char msg[64];
		snprintf(msg, sizeof msg, "(%dx%d, needs %dx%d)", COLS, LINES, MIN_COLS, MIN_ROWS);
		widget_put(stdscr, 0, 0, COLS, "terminal too small", A_NORMAL, false, true);
		widget_put(stdscr, 1, 0, COLS, msg, A_NORMAL, false, true);
	} else if (a->help) {
		widget_draw(help_widget(a->help));
	} else {
		if (a->screen == SCREEN_SUBMIT && a->submit)
			submit_screen_draw(a->submit);
		else if (a->screen == SCREEN_TASKS && a->tasks)
			tasks_screen_draw(a->tasks);
		else if (a->screen == SCREEN_LOGS && a->logs)
			logs_screen_draw(a->logs);
		else if (a->screen == SCREEN_NODES && a->nodes)
			nodes_screen_draw(a->nodes);
		else
			services_screen_draw(a->services);
		widget_draw(statusbar_widget(a->status));
		if (prompt_is_open(a->prompt))   /* on the key bar's row */
			prompt_draw(a->prompt);
		else
			widget_draw(keybar_widget(a->keybar));
		if (a->login)
			login_screen_draw(a->login);
		triage_box_draw(a->triage);
	}
	wnoutrefresh(stdscr);
	doupdate();
	a->dirty = false;
}

/* --- screens --- */

void app_open_tasks(struct app *a, const char *service_id)
{
	tasks_screen_free(&a->tasks);
	a->tasks = tasks_screen_new(a, service_id);
	a->screen = SCREEN_TASKS;
	keybar_set_keys(a->keybar, tasks_bar);
	layout(a);
	tasks_screen_data_changed(a->tasks);
	status_update(a);
}

void app_back(struct app *a)
{
	if (a->screen == SCREEN_TASKS) {
		a->screen = SCREEN_SERVICES;
		tasks_screen_free(&a->tasks);
		keybar_set_keys(a->keybar, services_bar);
		status_update(a);
		a->dirty = true;
	} else if (a->screen == SCREEN_NODES) {
		a->screen = SCREEN_SERVICES;
		if (a->nodes && !nodes_screen_busy(a->nodes))   /* else freed once its action ends */
			nodes_screen_free(&a->nodes);
		keybar_set_keys(a->keybar, services_bar);
		status_update(a);
		a->dirty = true;
	} else if (a->screen == SCREEN_LOGS && a->logs) {
		/* Back where the pager was opened: the jobs, or the tasks of a job. */
		bool tasks = logs_screen_back(a->logs) == SCREEN_TASKS && a->tasks;
		logs_screen_free(&a->logs);
		a->screen = tasks ? SCREEN_TASKS : SCREEN_SERVICES;
		keybar_set_keys(a->keybar, tasks ? tasks_bar : services_bar);
		layout(a);
		status_update(a);
	}
}

void app_open_submit(struct app *a)
{
	submit_screen_free(&a->submit);
	a->submit = submit_screen_new(a);
	a->screen = SCREEN_SUBMIT;
	keybar_set_keys(a->keybar, submit_bar);
	layout(a);
}

void app_close_submit(struct app *a, const char *service_id, const char *notice)
{
	/* Both may belong to the form: copy them before it goes. */
	if (service_id) {
		free(a->select_id);
		a->select_id = xstrdup(service_id);
	}
	char *shown = xstrdup(notice);
	submit_screen_free(&a->submit);
	a->screen = SCREEN_SERVICES;
	keybar_set_keys(a->keybar, services_bar);
	if (service_id) {
		select_pending(a);
		app_request_refresh(a);
	}
	if (shown)
		app_notice(a, shown);   /* updates the status line */
	else
		status_update(a);
	free(shown);
	a->dirty = true;
}

static struct table *current_table(struct app *a)
{
	if (a->screen == SCREEN_NODES && a->nodes)
		return nodes_screen_table(a->nodes);
	return a->screen == SCREEN_TASKS && a->tasks ? tasks_screen_table(a->tasks)
	                                             : services_screen_table(a->services);
}

static void help_open(struct app *a)
{
	if (a->screen == SCREEN_SUBMIT && a->submit) {
		const struct help_section form[] = {
			{"New job", submit_keys},
			{"Data-use terms", submit_terms_keys},
			{"Reading the terms", pager_keys},
			{"Everywhere", global_keys},
		};
		a->help = help_new("glovebox help", form, sizeof form / sizeof form[0], &a->theme);
		layout(a);
		return;
	}
	if (a->screen == SCREEN_LOGS && a->logs) {
		const struct help_section logs[] = {
			{"Logs of a job", logs_keys},
			{"Scrolling", logview_keys},
			{"Everywhere", global_keys},
		};
		a->help = help_new("glovebox help", logs, sizeof logs / sizeof logs[0], &a->theme);
		layout(a);
		return;
	}
	const struct help_section sections[] = {
		{a->screen == SCREEN_TASKS ? "Tasks of a job" : a->screen == SCREEN_NODES ? "Nodes" : "Jobs",
		 screen_keys(a)},
		{"Moving and sorting", table_keys},
		{"Everywhere", global_keys},
		{"Commands (type : first)", command_keys},
		{"At the : prompt", prompt_keys},
	};
	a->help = help_new("glovebox help", sections, sizeof sections / sizeof sections[0], &a->theme);
	layout(a);
}

/* --- keys --- */

static void filter_key(struct app *a, wint_t ch, bool is_code)
{
	size_t len = strlen(a->filter);
	if (!is_code && (ch == 27)) {            /* Esc: drop the filter */
		a->filter[0] = '\0';
		a->filtering = false;
	} else if ((!is_code && (ch == '\r' || ch == '\n')) || (is_code && ch == KEY_ENTER)) {
		a->filtering = false;
	} else if ((is_code && ch == KEY_BACKSPACE) || (!is_code && (ch == 127 || ch == 8))) {
		while (len > 0 && ((unsigned char)a->filter[len - 1] & 0xC0) == 0x80)
			len--;                       /* back over a whole UTF-8 character */
		if (len > 0)
			len--;
		a->filter[len] = '\0';
	} else if (!is_code && ch >= 0x20 && ch != 0x7f) {
		char mb[MB_LEN_MAX];
		mbstate_t st;
		memset(&st, 0, sizeof st);
		size_t n = wcrtomb(mb, (wchar_t)ch, &st);
		if (n != (size_t)-1 && len + n < sizeof a->filter) {
			memcpy(a->filter + len, mb, n);
			a->filter[len + n] = '\0';
		}
	}
	table_set_filter(current_table(a), a->filter);
	status_update(a);
}

static void global_op(struct app *a, int op)
{
	switch (op) {
	case OP_QUIT:
		a->quit = true;
		break;
	case OP_HELP:
		help_open(a);
		break;
	case OP_FILTER:
		a->filtering = true;
		status_update(a);
		break;
	case OP_REFRESH:
		app_request_refresh(a);
		clearok(curscr, TRUE);
		a->dirty = true;
		break;
	case OP_LOGIN:
		app_open_login(a, NULL);
		break;
	case OP_PROMPT:
		if (a->screen == SCREEN_SUBMIT) {   /* the form's own keys first: Esc leaves it */
			app_say(a, STATUS_WARN, "the : prompt is not available in the new-job form: Esc leaves it");
			break;
		}
		if (!a->prompt) {
			a->prompt = prompt_new(a);
			layout(a);
		}
		prompt_open(a->prompt);
		break;
	case OP_BACK:
		if (a->filter[0]) {
			a->filter[0] = '\0';
			table_set_filter(current_table(a), "");
			status_update(a);
		} else {
			app_back(a);
		}
		break;
	default:
		break;
	}
}

void app_do(struct app *a, int op)
{
	global_op(a, op);
}

struct table *app_table(struct app *a)
{
	return current_table(a);
}

void app_set_filter(struct app *a, const char *text)
{
	a->filtering = false;
	table_set_filter(current_table(a), text ? text : "");
	status_update(a);
}

void app_show_services(struct app *a)
{
	/* Each back steps one screen; the bound keeps a screen that does not go back from looping. */
	for (int i = 0; i < 4 && a->screen != SCREEN_SERVICES && a->screen != SCREEN_SUBMIT; i++)
		app_back(a);
	a->dirty = true;
}

static void handle_key(struct app *a, wint_t ch, bool is_code)
{
	int key = (int)ch;
	if (is_code && key == KEY_RESIZE) {
		layout(a);
		return;
	}
	if (a->login) {   /* modal: it takes every key */
		if (login_screen_input(a->login, ch, is_code) & WR_DONE)
			login_screen_free(&a->login);
		a->dirty = true;
		return;
	}
	if (triage_box_open(a->triage)) {   /* modal too */
		triage_box_input(a->triage, ch, is_code);
		a->dirty = true;
		return;
	}
	if (a->help) {
		int r = help_handle_key(a->help, key);
		if (r & WR_DONE || (r == WR_IGNORED && (key == 'q' || key == 27 || key == KEY_F(10))))
			help_free(&a->help);
		a->dirty = true;
		return;
	}
	/* The prompt has the keyboard until Enter or Esc; the key after a lone Esc is not its. */
	if (prompt_is_open(a->prompt) && prompt_input(a->prompt, ch, is_code) != WR_IGNORED)
		return;
	if (a->filtering) {
		filter_key(a, ch, is_code);
		return;
	}
	if ((a->screen == SCREEN_SUBMIT && a->submit) || (a->screen == SCREEN_LOGS && a->logs)) {
		/* The form's text fields and the pager's search take any character, q and / included. */
		int fr = a->screen == SCREEN_LOGS ? logs_screen_input(a->logs, ch, is_code)
		                                  : submit_screen_input(a->submit, ch, is_code);
		const struct keybinding *k = fr == WR_IGNORED ? keytable_find(global_keys, key) : NULL;
		if (k && is_code == (key >= KEY_MIN))
			global_op(a, k->op);
		a->dirty = true;
		return;
	}
	if (a->select_id && a->screen == SCREEN_SERVICES) {   /* the user moved on */
		free(a->select_id);
		a->select_id = NULL;
	}
	if (!is_code && ch > 0xff)
		return;   /* no binding uses characters beyond Latin-1 */
	int r;
	if (a->screen == SCREEN_NODES && a->nodes)
		r = nodes_screen_key(a->nodes, key);
	else
		r = a->screen == SCREEN_TASKS && a->tasks ? tasks_screen_key(a->tasks, key)
		                                          : services_screen_key(a->services, key);
	if (r == WR_IGNORED)
		r = table_handle_key(current_table(a), key);
	if (r == WR_IGNORED) {
		const struct keybinding *k = keytable_find(global_keys, key);
		if (k)
			global_op(a, k->op);
	}
	a->dirty = true;
}

/* Read every key curses has buffered (neomutt's key/get.c does the same). Returns -1 when
 * the terminal is gone. */
static int drain_input(struct app *a)
{
	wint_t ch;
	int r, n = 0;
	while ((r = get_wch(&ch)) != ERR) {
		handle_key(a, ch, r == KEY_CODE_YES);
		n++;
	}
	prompt_input_end(a->prompt);   /* an Esc nothing followed: close the prompt */
	return n;
}

static void handle_signals(struct app *a)
{
	int sigs[32];
	int n = term_take_signals(&a->term, sigs, 32);
	for (int i = 0; i < n; i++) {
		switch (sigs[i]) {
		case SIGWINCH:
			term_resize(&a->term);
			layout(a);
			break;
		case SIGTSTP:
			term_suspend(&a->term);
			layout(a);
			break;
		case SIGCONT:
			a->dirty = true;
			break;
		default:   /* INT, TERM, HUP, QUIT, PIPE: leave cleanly; exit 128 + the signal */
			a->quit = true;
			if (!a->quit_signal)
				a->quit_signal = sigs[i];
			break;
		}
	}
}

/* --- the loop --- */

static void run_timers(struct app *a, int64_t now)
{
	if (now >= a->next_refresh) {
		a->retry_scheduled = false;
		cluster_refresh(a->cluster);
		a->next_refresh = now + a->opts.refresh_ms;
	}
	if (now >= a->next_sample && cluster_updated_ns(a->cluster) && !cluster_error(a->cluster)) {
		cluster_sample(a->cluster, false);
		a->next_sample = now + a->opts.refresh_ms;
	}
	if (!a->events && now >= a->next_events && engine_api_minor(a->session->engine) &&
	    !cluster_error(a->cluster)) {
		events_start(a);
	}
	if (now >= a->next_tick) {
		status_update(a);
		a->next_tick = now + 1000;
	}
}

static int next_wait(struct app *a, int64_t now)
{
	int64_t t = a->next_tick;
	if (a->next_refresh < t)
		t = a->next_refresh;
	/* Samples and the events stream wait for a good refresh (run_timers skips them until
	 * then): their deadlines must not wake the loop meanwhile, or it spins while the engine
	 * is away. */
	bool connected = cluster_updated_ns(a->cluster) && !cluster_error(a->cluster);
	if (connected && a->next_sample < t)
		t = a->next_sample;
	if (connected && !a->events && engine_api_minor(a->session->engine) && a->next_events < t)
		t = a->next_events;
	t -= now;
	/* Deadlines of their own, in ms from now; -1 for none. */
	int k[] = {
		triage_wait_ms(a->triage),                       /* an action pausing between tries */
		a->nodes ? nodes_screen_wait_ms(a->nodes) : -1,  /* a node action */
		a->logs ? logs_screen_wait_ms(a->logs) : -1,     /* new log lines to show */
		keyring_timeout_ms(a->keyring),                  /* a keyring request's deadline */
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (k[i] >= 0 && k[i] < t)
			t = k[i];
	return t < 0 ? 0 : t > 1000 ? 1000 : (int)t;
}

int app_run(struct session *session, const struct app_opts *opts)
{
	struct app a;
	char *err = NULL;
	memset(&a, 0, sizeof a);
	a.session = session;
	a.opts = *opts;
	if (a.opts.refresh_ms <= 0)
		a.opts.refresh_ms = 2000;
	a.rng = (unsigned)getpid() ^ (unsigned)time(NULL);

	if (!opts->headless && term_check(&err) != 0) {
		err_print("%s", err);
		free(err);
		return GB_EXIT_USAGE;
	}
	if (term_start(&a.term, opts->headless, &err) != 0) {
		err_print("%s", err);
		free(err);
		return GB_EXIT_ERROR;
	}
	if (!(a.keyring = keyring_new(NULL, &err))) {   /* only an eventfd: no D-Bus yet */
		term_stop(&a.term);
		err_print("%s", err);
		free(err);
		return GB_EXIT_ERROR;
	}
	a.creds = creds_new();
	xalloc_set_oom_hook(term_emergency_restore);
	theme_init(&a.theme, 0);
	a.cluster = cluster_new(session->engine);
	cluster_set_listener(a.cluster, on_cluster, &a);
	a.status = statusbar_new(&a.theme);
	a.keybar = keybar_new(services_bar, &a.theme);
	a.services = services_screen_new(&a);
	a.triage = triage_new(&a);
	statusbar_message(a.status, STATUS_INFO, "connecting to the engine...");
	layout(&a);

	long turns = 0;
	while (!a.quit) {
		int64_t now = mono_ms();
		run_timers(&a, now);
		if (a.data_dirty)
			rebuild(&a);
		if (a.submit)
			submit_screen_tick(a.submit);
		if (a.logs)
			logs_screen_tick(a.logs);
		triage_tick(a.triage);
		if (a.nodes) {   /* a closed view is kept until its action ends */
			nodes_screen_tick(a.nodes);
			if (a.screen != SCREEN_NODES && !nodes_screen_busy(a.nodes))
				nodes_screen_free(&a.nodes);
		}
		if (a.dirty)
			paint(&a);
		struct curl_waitfd fds[3] = {
			{.fd = a.term.sig_fd, .events = CURL_WAIT_POLLIN},
			{.fd = keyring_fd(a.keyring), .events = CURL_WAIT_POLLIN},
			{.fd = STDIN_FILENO, .events = CURL_WAIT_POLLIN},
		};
		unsigned nfds = opts->headless ? 2 : 3;
		if (engine_poll(session->engine, fds, nfds, next_wait(&a, mono_ms())) != 0) {
			err_print("libcurl failed in the event loop");
			break;
		}
		if (fds[0].revents)
			handle_signals(&a);
		keyring_dispatch(a.keyring);   /* finished requests, and those past their deadline */
		if (nfds > 2 && fds[2].revents) {
			/* A closed terminal reads as endless "ready, but nothing": leave instead of spinning. */
			if (drain_input(&a) == 0 && (fds[2].revents & (POLLHUP | POLLERR | POLLNVAL) ||
			                             !isatty(STDIN_FILENO)))
				a.quit = true;
		}
		if (opts->iterations && ++turns >= opts->iterations)
			a.quit = true;
	}

	if (opts->headless) {
		char *e = sanitize_str(cluster_error(a.cluster) ? cluster_error(a.cluster) : "none", SAN_ASCII);
		printf("headless: %ld turns, %zu jobs, last error: %s\n", turns, a.jobs.n, e);
		free(e);
	}
	events_stop(&a);
	free(a.ev_buf);
	help_free(&a.help);
	login_screen_free(&a.login);
	prompt_free(&a.prompt);
	logs_screen_free(&a.logs);   /* its stream, before the engine and the role go */
	triage_free(&a.triage);
	keyring_free(&a.keyring);
	creds_free(&a.creds);
	submit_screen_free(&a.submit);
	free(a.select_id);
	free(a.notice);
	tasks_screen_free(&a.tasks);
	nodes_screen_free(&a.nodes);
	services_screen_free(&a.services);
	keybar_free(&a.keybar);
	statusbar_free(&a.status);
	cluster_free(&a.cluster);
	job_list_clear(&a.jobs);
	term_stop(&a.term);
	xalloc_set_oom_hook(NULL);
	return a.quit_signal ? 128 + a.quit_signal : GB_EXIT_OK;   /* as a shell reports it */
}
