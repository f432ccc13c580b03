/* The terminal: checks before curses starts, curses on and off, and signals turned into
 * bytes on a self-pipe so the event loop sees them as one more fd.
 *
 * Every way out restores the terminal: normal exit, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE
 * (the loop is told and quits; term_stop() runs), a fatal error (term_emergency_restore() is
 * the out-of-memory hook). SIGTSTP suspends cleanly (curses off, stop, curses on again at
 * SIGCONT) and SIGWINCH becomes a resize. */
#ifndef GB_TUI_TERM_H
#define GB_TUI_TERM_H

#include <stdbool.h>
#include <stdio.h>

struct tui_term {
	bool active;        /* curses is running */
	bool headless;      /* drawing into a virtual terminal: no tty needed */
	FILE *hl_in, *hl_out;
	void *screen;       /* SCREEN *, kept opaque so callers need not include curses.h */
	int sig_fd;         /* read end of the self-pipe */
};

/* Whether the real terminal can run the console: stdin and stdout are terminals and TERM
 * names a terminal terminfo knows (not unset, empty or "dumb"). Returns 0, or -1 with a
 * one-line *err (owned). Writes nothing to the terminal. */
int term_check(char **err);

/* Start curses (on the real terminal, or headless: a virtual 80x24 xterm writing to
 * /dev/null, for sanitizer runs of the real loop), install the signal handlers.
 * Returns 0 or -1 with *err. */
int term_start(struct tui_term *t, bool headless, char **err);

/* Restore the terminal and the signal dispositions. Safe to call twice. */
void term_stop(struct tui_term *t);

/* Read the signals that arrived since the last call into sigs (at most n); returns how many. */
int term_take_signals(struct tui_term *t, int *sigs, int n);

/* Suspend for SIGTSTP: curses off, stop the process, curses back on when continued. */
void term_suspend(struct tui_term *t);

/* Re-read the window size after SIGWINCH and tell curses. */
void term_resize(struct tui_term *t);

/* For the out-of-memory hook and fatal errors: leave curses mode without allocating. */
void term_emergency_restore(void);

#endif
