/* The console's commands, typed at the ':' prompt (prompt.h): the command table, the
 * dispatcher, and what Tab completes.
 *
 * The table is a command table as widgets/cmdline.h describes (a key table whose action is
 * the command's name and whose keyname is its usage), so the help screen lists it as its
 * "Commands" section and every command names the key that does the same. A NAME argument is a
 * job (service) name, its full ID or a unique ID prefix, looked up in the jobs list the screen
 * shows (api/core/jobs.h job_find); a NODE is a node's host name or ID. Commands call the
 * same entry points as the keys: the screens' openers (screen.h), the triage's actions, the
 * login dialog, app_do. Whatever goes wrong is said on the status line. */
#ifndef GB_TUI_CONSOLE_COMMANDS_H
#define GB_TUI_CONSOLE_COMMANDS_H

#include <stddef.h>

#include "widgets/cmdline.h"
#include "widgets/keys.h"

struct app;

extern const struct keybinding command_keys[];

/* Split line into words and run the command; an unknown or ambiguous command, a wrong number
 * of arguments or a job that is not there is a status-line message. */
void commands_run(struct app *a, const char *line);

/* What Tab offers for the word of line the cursor (a byte offset) is in: command names for
 * the first word, then job names, node names or column titles as the command takes them.
 * Fills *c (zeroed or cleared before) and sets *start to the word's first byte. */
void commands_complete(struct app *a, const char *line, size_t cursor, struct completion *c,
                       size_t *start);

#endif
