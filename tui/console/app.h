/* The console: one event loop that owns the engine transfers, the terminal and the timers.
 *
 * Each turn: run due timers (refresh, usage samples, reconnect, clock), rebuild the view
 * model when the cluster data changed, paint once if anything is dirty (one doupdate()),
 * then wait in engine_poll() on curl's sockets, stdin and the signal self-pipe until the
 * nearest timer. Keys are read until ERR each turn, so input is answered while transfers are
 * in flight. See docs/architecture.md. */
#ifndef GB_TUI_APP_H
#define GB_TUI_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include "api/swarm/cluster.h"
#include "api/core/jobs.h"
#include "api/swarm/session.h"
#include "tui/console/term.h"
#include "widgets/help.h"
#include "widgets/keybar.h"
#include "widgets/statusbar.h"
#include "widgets/table.h"
#include "widgets/theme.h"

/* Owner's action codes in key tables (struct keybinding.op). */
enum app_op {
	OP_NONE = 0,
	OP_QUIT = 100, OP_HELP, OP_FILTER, OP_BACK, OP_REFRESH, OP_OPEN, OP_NEW, OP_LOGIN,
	OP_NODES,
	OP_LOGS,
	OP_PROMPT,
};

struct app_opts {
	bool headless;          /* virtual terminal, no tty (sanitizer runs of the real loop) */
	long iterations;        /* stop after this many loop turns; 0 = run until quit */
	int refresh_ms;         /* polling interval for tasks and usage */
};

struct services_screen;
struct tasks_screen;
struct submit_screen;
struct nodes_screen;
struct logs_screen;
struct prompt;
struct triage;
struct actor;

enum screen_id { SCREEN_SERVICES, SCREEN_TASKS, SCREEN_SUBMIT, SCREEN_NODES, SCREEN_LOGS };

struct app {
	struct session *session;                 /* borrowed: engine and endpoint */
	struct cluster *cluster;
	struct tui_term term;
	struct theme theme;
	struct app_opts opts;
	bool quit;
	int quit_signal;                 /* the signal that ended the console, or 0 */

	struct job_list jobs;            /* view model of the services screen */
	bool data_dirty;                 /* the cluster changed since jobs were built */
	bool dirty;                      /* something must be painted */

	enum screen_id screen;
	struct services_screen *services;
	struct tasks_screen *tasks;
	struct submit_screen *submit;    /* the new-job form while open */
	struct nodes_screen *nodes;      /* the nodes view while open (screen_nodes.c) */
	struct logs_screen *logs;        /* the log pager while open (screen_logs.c) */
	struct prompt *prompt;           /* the ':' command prompt (tui/prompt.h): made when first
	                                  * opened, kept for its history; prompt_is_open() */
	struct triage *triage;           /* role, restart history, job actions (tui/triage.h) */
	char *select_id;                 /* a job to select once the list has it (a new one) */
	char *notice;                    /* a message for the status line, until notice_until */
	int64_t notice_until;
	enum status_level notice_level;
	struct statusbar *status;
	struct keybar *keybar;
	struct help *help;               /* open help screen, or NULL */
	struct login_screen *login;      /* the login dialog (modal, tui/screen_login.h), or NULL */
	struct keyring *keyring;         /* registry credentials in the Secret Service (api/keyring.h) */
	struct creds *creds;             /* credentials kept for this session only (api/creds.h) */

	bool filtering;                  /* the '/' prompt has the keyboard */
	char filter[256];

	/* Timers, CLOCK_MONOTONIC ms. */
	int64_t next_refresh, next_sample, next_tick, next_events;
	unsigned backoff;                /* failed attempts in a row */
	bool retry_scheduled;            /* next_refresh is a backoff retry */
	unsigned rng;                    /* jitter */
	int64_t last_ok_ns;              /* realtime of the last good refresh */

	/* The /events stream: services, nodes and containers changing trigger a refresh. */
	struct engine_req *events;
	char *ev_buf;
	size_t ev_len;
	unsigned ev_backoff;
};

int app_run(struct session *session, const struct app_opts *opts);

/* For the screens. */
int64_t mono_ms(void);
void app_request_refresh(struct app *a);
void app_open_tasks(struct app *a, const char *service_id);
void app_back(struct app *a);
/* Place the screens again, after one was opened. */
void app_layout(struct app *a);
/* Open the new-job form; close it, then select service_id (may be NULL) once the jobs list has
 * it and show notice (may be NULL) on the status line for a while. Closing frees the form;
 * both strings may belong to it (they are copied first). */
void app_open_submit(struct app *a);
void app_close_submit(struct app *a, const char *service_id, const char *notice);

/* Entry points of the triage screens and actions; keys and the ':' prompt both call them.
 * Each is defined by the file that owns it: screen_nodes.c, screen_logs.c, triage.c. */
void app_open_nodes(struct app *a);
void app_open_logs(struct app *a, const char *service_id);
void app_remove_job(struct app *a, const char *service_id);          /* asks first */
void app_scale_job(struct app *a, const char *service_id, uint64_t replicas);

/* Who uses the console: the account and its role (api/roles.h), worked out by tui/triage.c
 * from the policy as the commands do. Never NULL. Until the policy has been read (once the
 * engine answers), and without a readable one, anyone but root is a researcher. */
const struct actor *app_actor(struct app *a);
/* Show msg (copied) on the status line for a while: app_notice as news, app_say at a level
 * (STATUS_WARN for a request refused or not understood, STATUS_ERROR for a failure), which
 * the status line's colours tell apart. */
void app_notice(struct app *a, const char *msg);
void app_say(struct app *a, enum status_level level, const char *msg);

/* For the ':' prompt's commands (tui/commands.c). */
/* Do what a global key does (enum app_op: OP_HELP, OP_QUIT ...). */
void app_do(struct app *a, int op);
/* The table of the screen shown (the jobs list when the screen has none). */
struct table *app_table(struct app *a);
/* Filter the table shown by text (copied, cut to fit a->filter); NULL or "" clears it. */
void app_set_filter(struct app *a, const char *text);
/* Back to the jobs list from whichever screen is shown. */
void app_show_services(struct app *a);

/* Screens: services (the jobs list) and tasks of one service. */
struct services_screen *services_screen_new(struct app *a);
void services_screen_free(struct services_screen **s);
void services_screen_place(struct services_screen *s, struct rect area);
void services_screen_data_changed(struct services_screen *s);
void services_screen_draw(struct services_screen *s);
int services_screen_key(struct services_screen *s, int key);
struct table *services_screen_table(struct services_screen *s);
/* The selected job, or NULL. */
const struct job *services_screen_selected(struct services_screen *s);
/* Keys of the screen (help, handler) and what its key bar shows. */
extern const struct keybinding services_keys[], services_bar[];

struct tasks_screen *tasks_screen_new(struct app *a, const char *service_id);
void tasks_screen_free(struct tasks_screen **s);
void tasks_screen_place(struct tasks_screen *s, struct rect area);
void tasks_screen_data_changed(struct tasks_screen *s);
void tasks_screen_draw(struct tasks_screen *s);
int tasks_screen_key(struct tasks_screen *s, int key);
struct table *tasks_screen_table(struct tasks_screen *s);
extern const struct keybinding tasks_keys[], tasks_bar[];

/* The nodes view (screen_nodes.c), for admins. It runs one node action at a time; when the
 * view is closed during one, the app keeps the screen (hidden) until the action ends:
 * nodes_screen_tick() once per loop turn, nodes_screen_wait_ms() (-1: nothing to wait for)
 * in the loop's timeout. While modal (the drain confirmation) it takes every key. */
struct nodes_screen *nodes_screen_new(struct app *a);
void nodes_screen_free(struct nodes_screen **s);
void nodes_screen_place(struct nodes_screen *s, struct rect area);
void nodes_screen_data_changed(struct nodes_screen *s);
void nodes_screen_draw(struct nodes_screen *s);
int nodes_screen_key(struct nodes_screen *s, int key);
struct table *nodes_screen_table(struct nodes_screen *s);
bool nodes_screen_modal(const struct nodes_screen *s);
bool nodes_screen_busy(const struct nodes_screen *s);
void nodes_screen_tick(struct nodes_screen *s);
int nodes_screen_wait_ms(const struct nodes_screen *s);
extern const struct keybinding nodes_keys[], nodes_bar[];

/* The new-job form (screen_submit.c). Input is the whole get_wch() key, for its text fields;
 * WR_IGNORED leaves it to the global keys (help, refresh, quit when nothing was typed). */
struct submit_screen *submit_screen_new(struct app *a);
void submit_screen_free(struct submit_screen **s);
void submit_screen_place(struct submit_screen *s, struct rect area);
void submit_screen_data_changed(struct submit_screen *s);
void submit_screen_draw(struct submit_screen *s);
int submit_screen_input(struct submit_screen *s, wint_t ch, bool is_code);
/* Once per loop turn: a finished submission closes the form (not from inside a callback). */
void submit_screen_tick(struct submit_screen *s);
/* The keys of the step shown (the form, or the terms), for the help screen. */
const struct keybinding *submit_screen_keys(const struct submit_screen *s);
extern const struct keybinding submit_keys[], submit_bar[], submit_terms_keys[];

/* The log pager (screen_logs.c), opened with app_open_logs(). Input is the whole get_wch()
 * key, for its search prompt; WR_IGNORED leaves it to the global keys. Esc goes back to the
 * screen it was opened from (logs_screen_back). Once per loop turn logs_screen_tick() starts
 * the stream when the role is known and repaints at most every 50 ms while lines arrive;
 * logs_screen_wait_ms() is its deadline for the loop's wait (-1: none). */
void logs_screen_free(struct logs_screen **s);
void logs_screen_place(struct logs_screen *s, struct rect area);
void logs_screen_draw(struct logs_screen *s);
int logs_screen_input(struct logs_screen *s, wint_t ch, bool is_code);
void logs_screen_tick(struct logs_screen *s);
int logs_screen_wait_ms(const struct logs_screen *s);
enum screen_id logs_screen_back(const struct logs_screen *s);
extern const struct keybinding logs_keys[], logs_bar[];

#endif
