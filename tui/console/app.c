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
#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "api/creds/creds.h"
#include "api/creds/keyring.h"
#include "api/engine/errmap.h"
#include "tui/console/commands.h"
#include "tui/console/login.h"
#include "tui/console/prompt.h"
#include "tui/console/services.h"
#include "tui/console/triage.h"

#define MIN_ROWS 10
#define MIN_COLS 40

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

void app_request_refresh(struct app *a)
{
	watch_request_refresh(a->watch);
}

/* --- data --- */

static void on_cluster(void *ud)
{
	struct app *a = ud;
	a->data_dirty = true;
}

static struct table *current_table(struct app *a);

/* With Prometheus away or wrong, the bars show the last figures: say how old and why
 * (unsanitised into buf: the status line sanitises). False while the figures are fresh. */
static bool usage_stale(struct app *a, char *buf, size_t sz)
{
	const char *err = cluster_usage_error(a->cluster);
	if (cluster_usage_source(a->cluster) != USAGE_PROMETHEUS || !err)
		return false;
	int64_t age = cluster_usage_age_ms(a->cluster);
	if (age >= 0)
		snprintf(buf, sz, "usage stale for %llds: %s", (long long)(age / 1000), err);
	else
		snprintf(buf, sz, "no usage yet: %s", err);
	return true;
}

static void status_update(struct app *a)
{
	struct table *shown = current_table(a);
	/* Each table keeps its own filter: the line shows the one of the screen in front. */
	if (!a->filtering && shown)
		snprintf(a->filter, sizeof a->filter, "%s", table_filter(shown));
	char left[512], right[128], msg[1024];
	struct jobview_tally n;
	jobview_tally(a->view, &n);
	snprintf(left, sizeof left, "%zu jobs: %zu running, %zu pending, %zu failed%s%s", n.jobs,
	         n.running, n.pending, n.failed, a->filter[0] ? "  filter: " : "", a->filter);
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
		snprintf(msg, sizeof msg, "/%s", a->filter);
		statusbar_message(a->status, STATUS_INFO, msg);
	} else if (a->notice && mono_ms() < a->notice_until) {
		statusbar_message(a->status, a->notice_level, a->notice);
	} else if (watch_status(a->watch, mono_ms(), msg, sizeof msg)) {
		statusbar_message(a->status, STATUS_ERROR, msg);
	} else if (usage_stale(a, msg, sizeof msg)) {
		statusbar_message(a->status, STATUS_WARN, msg);
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

/* The jobs list's table: the first screen's. */
static struct table *jobs_table(struct app *a)
{
	const struct screen *first = a->depth ? &a->stack[0] : NULL;
	return first && first->ops->table ? first->ops->table(first->data) : NULL;
}

/* A job just submitted: select it once the list has it, even when the filter hid it. */
static void select_pending(struct app *a)
{
	struct table *t = jobs_table(a);
	if (!a->select_id || !t)
		return;
	if (!table_select_id(t, a->select_id)) {
		bool listed = jobview_by_id(a->view, a->select_id, NULL) != NULL;
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

/* The cluster told something: the watch schedules what follows (a retry after an error), the
 * role may need the policy, the view updates and every screen hears of it. */
static void rebuild(struct app *a)
{
	a->data_dirty = false;
	watch_cluster_changed(a->watch, mono_ms());
	triage_data_changed(a->triage);
	jobview_update_cluster(a->view, a->cluster, app_actor(a), now_ns() / 1000000000LL);
	/* Once: on a cluster of several nodes without Prometheus, only the connected node's jobs
	 * have usage bars; say where that is configured. */
	if (!a->metrics_hint_said && !cluster_error(a->cluster) && cluster_nodes(a->cluster)->n > 1 &&
	    cluster_usage_source(a->cluster) == USAGE_ENGINE && triage_role_known(a->triage)) {
		a->metrics_hint_said = true;
		app_notice(a, "usage bars cover this node's jobs only: for every node, glovebox --metrics "
		              "URL or the policy's \"metrics\" (docs/metrics.md)");
	}
	for (size_t i = 0; i < a->depth; i++)
		if (a->stack[i].ops->data_changed)
			a->stack[i].ops->data_changed(a->stack[i].data);
	select_pending(a);
	status_update(a);
}

/* --- layout and painting --- */

static void layout(struct app *a)
{
	int rows = LINES, cols = COLS;
	a->dirty = true;
	if (rows < MIN_ROWS || cols < MIN_COLS)
		return;
	struct rect body = {0, 0, rows - 2, cols};
	for (size_t i = 0; i < a->depth; i++)
		a->stack[i].ops->place(a->stack[i].data, body);
	widget_place(statusbar_widget(a->status), stdscr, (struct rect){rows - 2, 0, 1, cols});
	widget_place(keybar_widget(a->keybar), stdscr, (struct rect){rows - 1, 0, 1, cols});
	if (a->help)
		widget_place(help_widget(a->help), stdscr, (struct rect){0, 0, rows, cols});
	if (a->login)
		login_dialog_place(a->login, (struct rect){0, 0, rows - 2, cols});
	triage_box_place(a->triage, (struct rect){0, 0, rows - 2, cols});
	if (a->prompt)
		prompt_place(a->prompt, (struct rect){rows - 2, 0, 2, cols});
	a->dirty = true;
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
		/* Every screen fills the body: the top one is all there is to see. */
		struct screen *top = screen_top(a);
		top->ops->draw(top->data);
		keybar_set_keys(a->keybar, top->ops->keys(top->data));
		widget_draw(statusbar_widget(a->status));
		if (prompt_is_open(a->prompt))   /* on the key bar's row */
			prompt_draw(a->prompt);
		else
			widget_draw(keybar_widget(a->keybar));
		if (a->login)
			login_dialog_draw(a->login);
		triage_box_draw(a->triage);
	}
	wnoutrefresh(stdscr);
	doupdate();
	a->dirty = false;
}

/* --- screens --- */

void app_screens_changed(struct app *a)
{
	layout(a);
	status_update(a);
}

void app_select_job(struct app *a, const char *service_id)
{
	free(a->select_id);
	a->select_id = xstrdup(service_id);
	select_pending(a);
	app_request_refresh(a);
	status_update(a);   /* the filter may have gone */
}

/* The table of the screen in front; the screens without one (the form, the pager) leave the
 * filter and the sort command to the jobs list. */
static struct table *current_table(struct app *a)
{
	struct screen *top = screen_top(a);
	struct table *t = top && top->ops->table ? top->ops->table(top->data) : NULL;
	return t ? t : jobs_table(a);
}

static void help_open(struct app *a)
{
	const struct screen *top = screen_top(a);
	struct help_section sections[16];
	size_t n = 0;
	for (const struct help_section *h = top->ops->help; h && h->title && n < 12; h++)
		sections[n++] = *h;
	sections[n++] = (struct help_section){"Everywhere", global_keys};
	/* The commands act on the jobs and on a screen's table (filter, sort): the screens with a
	 * table list them; the form and the pager list their own keys. */
	if (top->ops->table) {
		sections[n++] = (struct help_section){"Commands (type : first)", command_keys};
		sections[n++] = (struct help_section){"At the : prompt", prompt_keys};
	}
	a->help = help_new("glovebox help", sections, n, &a->theme);
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
		login_dialog_open(a, NULL);
		break;
	case OP_PROMPT:
		/* Never in the new-job form: its input takes ':' like every key but F1, F5, Ctrl-L
		 * and F10. */
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
			screen_pop(a);
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

static void handle_key(struct app *a, wint_t ch, bool is_code)
{
	int key = (int)ch;
	if (is_code && key == KEY_RESIZE) {
		layout(a);
		return;
	}
	if (a->login) {   /* modal: it takes every key */
		if (login_dialog_input(a->login, ch, is_code) & WR_DONE)
			login_dialog_free(&a->login);
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
	a->dirty = true;
	if (a->select_id && a->depth == 1) {   /* the user moved on in the jobs list */
		free(a->select_id);
		a->select_id = NULL;
	}
	/* The screen, for its text fields and dialogs (the form's fields take q and / too). */
	struct screen *top = screen_top(a);
	if (top->ops->input && top->ops->input(top->data, ch, is_code) != WR_IGNORED)
		return;
	/* The key tables bind key codes and Latin-1 characters, each for itself. */
	if (is_code != (key >= KEY_MIN) || (!is_code && ch > 0xff))
		return;
	/* Then its key table, then its widget: a screen that does either is still on top. */
	if (screen_key(a, top, key) != WR_IGNORED)
		return;
	if (top->ops->widget && widget_handle_key(top->ops->widget(top->data), key) != WR_IGNORED)
		return;
	const struct keybinding *k = keytable_find(global_keys, key);
	if (k)
		global_op(a, k->op);
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

/* Bottom up: a tick that pops its own screen (the form, once submitted) ends the walk there.
 * Then the kept screens, freed once their action ended. */
static void tick_screens(struct app *a)
{
	for (size_t i = 0; i < a->depth; i++)
		if (a->stack[i].ops->tick)
			a->stack[i].ops->tick(a->stack[i].data);
	for (size_t i = 0; i < a->n_kept; i++)
		if (a->kept[i].ops->tick)
			a->kept[i].ops->tick(a->kept[i].data);
	screen_reap(a);
}

static void run_timers(struct app *a, int64_t now)
{
	watch_tick(a->watch, now);
	if (now >= a->next_tick) {
		status_update(a);
		a->next_tick = now + 1000;
	}
}

static int next_wait(struct app *a, int64_t now)
{
	int64_t t = a->next_tick, w = watch_next_ms(a->watch);
	if (w < t)
		t = w;
	t -= now;
	/* Deadlines of their own, in ms from now; -1 for none. */
	int k[] = {
		triage_wait_ms(a->triage),                       /* an action pausing between tries */
		keyring_timeout_ms(a->keyring),                  /* a keyring request's deadline */
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (k[i] >= 0 && k[i] < t)
			t = k[i];
	/* The screens': new log lines to show, a node action, shown or kept. */
	for (int pass = 0; pass < 2; pass++) {
		const struct screen *v = pass ? a->kept : a->stack;
		for (size_t i = 0, n = pass ? a->n_kept : a->depth; i < n; i++) {
			int ms = v[i].ops->wait_ms ? v[i].ops->wait_ms(v[i].data) : -1;
			if (ms >= 0 && ms < t)
				t = ms;
		}
	}
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
		a.opts.refresh_ms = WATCH_REFRESH_MS;

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
	a.watch = watch_new(session->engine, a.cluster, &(struct watch_opts){.refresh_ms = a.opts.refresh_ms});
	a.view = jobview_new(NULL);
	a.status = statusbar_new(&a.theme);
	a.keybar = keybar_new(NULL, &a.theme);   /* the top screen's keys at every paint */
	a.triage = triage_new(&a);
	services_screen_open(&a);   /* the first screen, never popped */
	statusbar_message(a.status, STATUS_INFO, "connecting to the engine...");
	layout(&a);

	long turns = 0;
	while (!a.quit) {
		int64_t now = mono_ms();
		run_timers(&a, now);
		if (a.data_dirty)
			rebuild(&a);
		tick_screens(&a);
		triage_tick(a.triage);
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
		printf("headless: %ld turns, %zu jobs, last error: %s\n", turns, jobview_count(a.view), e);
		free(e);
	}
	watch_free(&a.watch);
	/* The screens first: their streams and actions, before the engine and the role go, and
	 * the form's keyring request before the keyring. A submission undone meanwhile may open
	 * the login dialog: it goes after them. */
	screen_free_all(&a);
	help_free(&a.help);
	login_dialog_free(&a.login);
	prompt_free(&a.prompt);
	triage_free(&a.triage);
	keyring_free(&a.keyring);
	creds_free(&a.creds);
	free(a.select_id);
	free(a.notice);
	keybar_free(&a.keybar);
	statusbar_free(&a.status);
	jobview_free(&a.view);
	cluster_free(&a.cluster);
	term_stop(&a.term);
	xalloc_set_oom_hook(NULL);
	return a.quit_signal ? 128 + a.quit_signal : GB_EXIT_OK;   /* as a shell reports it */
}
