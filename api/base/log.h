/* glovebox's log file: $XDG_STATE_HOME/glovebox/log (default ~/.local/state/glovebox/log),
 * never stdout or stderr, so it is safe while curses owns the terminal.
 *
 * Levels: errors and notable events always; with GLOVEBOX_DEBUG=1 also every engine request
 * (method, path, status, duration) and the names of the headers sent. Secrets never reach
 * the file: callers never pass them, and as a second line of defence every line goes through
 * log_redact() before it is written, which blanks the values of Authorization,
 * Proxy-Authorization, X-Registry-Auth and Cookie headers and of "password",
 * "identitytoken", "registrytoken" and "auth" JSON members.
 *
 * The log is the one piece of process-wide state in api/ besides xalloc's hook: a log handle
 * passed through every layer would reach places (the keyring worker, the engine) only to be
 * written once. It is opened on first use, created 0600 in a 0700 directory, appended to with
 * one write() per line (safe from several threads), and moved to log.1 when it is over 4 MiB as it is opened. When
 * it cannot be opened, logging is off; nothing else changes. */
#ifndef GB_API_BASE_LOG_H
#define GB_API_BASE_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERROR, LOG_INFO, LOG_DEBUG };

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool log_enabled(enum log_level level);

/* Use path and level instead of the environment's (tests). NULL path: logging off. */
void log_open_at(const char *path, enum log_level level);

/* The default path from the environment. New string, NULL when no home is known. */
char *log_default_path(void);

/* A file in glovebox's state directory, $XDG_STATE_HOME/glovebox (default
 * ~/.local/state/glovebox), which also holds the prompt's history. New string, NULL when no
 * home is known. */
char *state_path(const char *name);
/* mkdir -p for the directories of path, each 0700 when made here. 0, or -1 with errno. */
int state_make_parents(const char *path);

/* A copy of line with secret values replaced by "<redacted>". New string. */
char *log_redact(const char *line);

#endif
