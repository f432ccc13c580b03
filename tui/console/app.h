/* The console: one event loop that owns the engine transfers, the terminal, the timers and
 * the screen stack (screen.h).
 *
 * Each turn: run what the watch has due (refresh, usage samples, events, reconnect:
 * api/swarm/watch.h) and the clock, update the jobview when the cluster data changed (and
 * tell every screen on the stack), tick the
 * screens, paint once if anything is dirty (the top screen, the status line, the key bar,
 * the overlays; one doupdate()), then wait in engine_poll() on curl's sockets, stdin and the
 * signal self-pipe until the nearest timer or screen deadline. Keys are read until ERR each
 * turn, so input is answered while transfers are in flight; each goes to the overlays, then
 * the top screen, then the global keys (screen.h). See docs/architecture.md. */
#ifndef GB_TUI_CONSOLE_APP_H
#define GB_TUI_CONSOLE_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include "api/core/jobs.h"
#include "api/swarm/cluster.h"
#include "api/swarm/jobview.h"
#include "api/swarm/session.h"
#include "api/swarm/watch.h"
#include "tui/console/screen.h"
#include "tui/console/term.h"
#include "widgets/help.h"
#include "widgets/keybar.h"
#include "widgets/statusbar.h"
#include "widgets/table.h"
#include "widgets/theme.h"

/* The global keys' ops (struct keybinding.op), which app_do runs too. Screens number their
 * own ops from OP_SCREEN, so an entry of a screen's table that shows a global key on its bar
 * (F1, F10) keeps the global op and is left to the global keys. */
enum app_op {
	OP_NONE = 0,
	OP_QUIT = 100, OP_HELP, OP_FILTER, OP_BACK, OP_REFRESH, OP_LOGIN, OP_PROMPT,
	OP_SCREEN = 200,
};

struct app_opts {
	bool headless;          /* virtual terminal, no tty (sanitizer runs of the real loop) */
	long iterations;        /* stop after this many loop turns; 0 = run until quit */
	int refresh_ms;         /* polling interval for tasks and usage */
};

struct prompt;
struct triage;
struct actor;

struct app {
	struct session *session;                 /* borrowed: engine and endpoint */
	struct cluster *cluster;
	struct tui_term term;
	struct theme theme;
	struct app_opts opts;
	bool quit;
	int quit_signal;                 /* the signal that ended the console, or 0 */

	/* The one data path (docs/architecture.md): the cluster, kept fresh by the watch, read by
	 * every screen through the jobview. All three owned. */
	struct jobview *view;            /* the jobs the user may see, their attention and history */
	struct watch *watch;             /* refresh and sample schedule, events, reconnect backoff */
	bool data_dirty;                 /* the cluster changed since the view was updated */
	bool metrics_hint_said;          /* where Prometheus is configured, said once */
	bool dirty;                      /* something must be painted */

	/* The screens (screen.h): the stack, depth of them, the jobs list first and the one
	 * shown last; and those popped while busy, kept until their action ends. Both arrays
	 * and every screen in them owned. */
	struct screen *stack;
	size_t depth;
	struct screen *kept;
	size_t n_kept;
	struct prompt *prompt;           /* the ':' command prompt (prompt.h): made when first
	                                  * opened, kept for its history; prompt_is_open() */
	struct triage *triage;           /* role, restart history, job actions (triage.h) */
	char *select_id;                 /* a job to select once the list has it (a new one) */
	char *notice;                    /* a message for the status line, until notice_until */
	int64_t notice_until;
	enum status_level notice_level;
	struct statusbar *status;
	struct keybar *keybar;
	struct help *help;               /* open help screen, or NULL */
	struct login_dialog *login;      /* the login dialog (modal, login.h), or NULL */
	struct keyring *keyring;         /* registry credentials in the Secret Service (keyring.h) */
	struct creds *creds;             /* credentials kept for this session only (creds.h) */

	bool filtering;                  /* the '/' prompt has the keyboard */
	char filter[256];

	int64_t next_tick;               /* the status line's clock, CLOCK_MONOTONIC ms */
};

int app_run(struct session *session, const struct app_opts *opts);

/* For the screens. */
int64_t mono_ms(void);
void app_request_refresh(struct app *a);
/* The stack changed (screen.c): place the screens again and show the top one's filter. */
void app_screens_changed(struct app *a);
/* The jobs list selects service_id once it has it (a job just submitted), even when its
 * filter hid it; a refresh is asked for. service_id is copied. */
void app_select_job(struct app *a, const char *service_id);

/* Who uses the console: the account and its role (api/core/roles.h), worked out by triage.c
 * from the policy as the commands do. Never NULL. Until the policy has been read (once the
 * engine answers), and without a readable one, anyone but root is a researcher. */
const struct actor *app_actor(struct app *a);
/* Show msg (copied) on the status line for a while: app_notice as news, app_say at a level
 * (STATUS_WARN for a request refused or not understood, STATUS_ERROR for a failure), which
 * the status line's colours tell apart. */
void app_notice(struct app *a, const char *msg);
void app_say(struct app *a, enum status_level level, const char *msg);

/* For the ':' prompt's commands (commands.c). */
/* Do what a global key does (enum app_op: OP_HELP, OP_QUIT ...). */
void app_do(struct app *a, int op);
/* The table of the screen shown (the jobs list's when the screen has none). */
struct table *app_table(struct app *a);
/* Filter the table shown by text (copied, cut to fit a->filter); NULL or "" clears it. */
void app_set_filter(struct app *a, const char *text);

#endif
