/* The screen contract and the screen stack, after tmux's struct window_mode with
 * window_pane_set_mode / window_pane_reset_mode, and htop's PanelClass.
 *
 * A screen is a view that fills the body of the terminal (every line but the status line and
 * the key bar): the jobs, the tasks of a job, the nodes, a job's logs, the new-job form. Each
 * has one file that exports one const struct screen_ops NAME_screen_ops and the function
 * that opens it (NAME_screen_open: it builds the screen's data and pushes it). The app keeps
 * the screens on a stack (struct app, app.h): the first is the jobs list, pushed by app_run
 * and never popped; the top one is shown and gets the keys. app.c knows no screen but the
 * first: it calls the ops below.
 *
 * Overlays are not screens: the help, the login dialog, the action box and the ':' prompt
 * sit above whatever screen is shown, draw over part of it and take every key while open.
 *
 * Ownership. ops are static. data belongs to the screen from screen_push on: ops->free frees
 * it when the screen is popped, when the app ends, or, for a screen popped while busy, once
 * it is no longer busy. Screens borrow the app, which outlives them; a screen never frees
 * itself but through screen_pop.
 *
 * When each op runs, always from the loop in app.c (never from inside an engine callback):
 *   keys(data)          the key table as it is now (the form's changes with its step): for
 *                       the key bar at every paint, for the handler at every key
 *   place(data, area)   after every push and pop and when the terminal changed size, for
 *                       every screen on the stack; area is the body, in stdscr
 *   draw(data)          once per painted turn, for the top screen: it paints its whole area
 *   input(data, ch, is_code)  the top screen's first look at a key no overlay took, as
 *                       get_wch() read it: for text fields, a search prompt, a modal dialog.
 *                       WR_IGNORED passes the key on; an input that pops its own screen must
 *                       return anything else
 *   data_changed(data)  after the cluster data was rebuilt, every screen on the stack, bottom up
 *   tick(data)          once per loop turn, every screen on the stack, bottom up, then every
 *                       kept one; a tick may pop its own screen (the form, once submitted)
 *   wait_ms(data)       ms until tick has something to do, -1 for nothing: the loop waits no
 *                       longer than the nearest of them
 *   table(data)         the table the filter ('/'), the sort command and the NEEDS_ checks
 *                       apply to, or NULL; the screens without one leave the filter to the
 *                       jobs list
 *   widget(data)        the widget that takes the keys the screen's key table leaves: the
 *                       table, the log view; NULL for none
 *   busy(data)          an action in flight that must outlive a pop (a node action): the
 *                       popped screen is kept, hidden, ticking, until it is no longer busy
 *   free(data)          frees everything, data included
 * Every op but keys, place, draw and free may be NULL.
 *
 * Input, in the order app.c tries it (screen, then widget, then global, as the house style
 * has it): the overlays; the top screen's input op; the screen's key table, whose entry for
 * the key names an op that ops->fns maps to a function, run after the checks its flags ask
 * for (neomutt's IndexFunctions[] with CHECK_* flags), an op the screen has no function for
 * being left to the next; the screen's widget; the global keys. From the key table on only
 * key codes and Latin-1 characters count, each for itself (a character never passes for the
 * key code of the same number).
 *
 * Where a screen goes (the openers, NAME_screen_open): the tasks, the nodes and the form open
 * on the jobs list, popping whatever was above it, so Esc always goes back to the jobs from
 * them; the log pager opens on the tasks of a job when they are in front (Esc goes back to
 * them), else on the jobs list. */
#ifndef GB_TUI_CONSOLE_SCREEN_H
#define GB_TUI_CONSOLE_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "widgets/help.h"
#include "widgets/keys.h"
#include "widgets/widget.h"

struct app;
struct table;

/* What a key's function needs before it runs; each check refuses with its own message on
 * the status line, said here once for every screen. */
enum screen_check {
	NEEDS_JOB   = 1 << 0,   /* a row of the screen's table is selected: "no job selected" */
	NEEDS_NODE  = 1 << 1,   /* the same for a table of nodes: "no node selected" */
	NEEDS_ADMIN = 1 << 2,   /* the console's user is an admin: else ops->admin_only */
};

/* One op of a screen: the keybinding's op, the function that does it (returns WR_* flags)
 * and the checks (enum screen_check). A table of them ends with op 0. */
struct screen_fn {
	int op;
	int (*fn)(void *data, int op);
	int flags;
};

struct screen_ops {
	const char *name;                          /* for the log: "jobs", "tasks" */
	const struct keybinding *(*keys)(const void *data);
	/* The help screen's sections for this screen (its keys, its widget's), before the global
	 * keys; ends with a NULL title. */
	const struct help_section *help;
	const struct screen_fn *fns;               /* ops of the key table; NULL for none */
	const char *admin_only;                    /* why NEEDS_ADMIN refused, for people */

	void (*place)(void *data, struct rect area);
	void (*draw)(void *data);
	int (*input)(void *data, wint_t ch, bool is_code);
	void (*data_changed)(void *data);
	void (*tick)(void *data);
	int (*wait_ms)(const void *data);
	struct table *(*table)(void *data);
	struct widget *(*widget)(void *data);
	bool (*busy)(const void *data);
	void (*free)(void *data);
};

struct screen {
	const struct screen_ops *ops;   /* static */
	void *data;                     /* owned by the screen (ops->free) */
};

/* Push a screen on top (data is its from now on), place it and show it. */
void screen_push(struct app *a, const struct screen_ops *ops, void *data);
/* Back: pop the top screen, never the first. It is freed, or kept while busy. */
void screen_pop(struct app *a);
/* Back to the first screen (the jobs list). */
void screen_pop_all(struct app *a);
/* The screen shown. Never NULL once the first is pushed; valid until the next push or pop. */
struct screen *screen_top(struct app *a);
/* A screen of ops to show again, with what it holds (the nodes view and its action): the top
 * one, or one kept after a pop. It leaves the stack or the kept list, and its data is
 * returned for the caller to push again; NULL when there is none. */
void *screen_take(struct app *a, const struct screen_ops *ops);

/* The key table step for key on the top screen s: its op's function, after its checks.
 * WR_IGNORED when the table does not bind key or the screen has no function for its op. */
int screen_key(struct app *a, struct screen *s, int key);
/* Whether the checks (enum screen_check) pass for a screen of ops with data; says why not on
 * the status line. For a function that runs again later (after a confirmation). */
bool screen_allowed(struct app *a, const struct screen_ops *ops, void *data, int checks);

/* For the loop: free the kept screens that are no longer busy; at the end, every screen. */
void screen_reap(struct app *a);
void screen_free_all(struct app *a);

#endif
