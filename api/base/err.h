/* Errors for people: a sentence in a char ** that the caller owns, and one line on stderr.
 *
 * Functions across glovebox return 0 or -1 and fill char **err with a message a person can
 * act on (tmux's "cause"); err_set is the one way to fill it. err_print is the one way a
 * program (the CLI, or the console once curses is off) says an error on stderr:
 * "glovebox: <message>". Neither sanitises: text that came from the engine or a user goes
 * through sanitize_str (api/base/sanitize.h) first. */
#ifndef GB_API_BASE_ERR_H
#define GB_API_BASE_ERR_H

#include <stdarg.h>

/* *err = the formatted message (owned by the caller); nothing when err is NULL or *err is
 * already set (the first error wins). Always returns -1, so `return err_set(err, ...)` reads
 * as the failure it is. */
int err_set(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same with a va_list, for helpers that add context of their own before setting *err. */
int err_vset(char **err, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* "glovebox: <message>\n" on stderr. */
void err_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
