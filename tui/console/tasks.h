/* The tasks of one job (Enter on the jobs list, :tasks): where each ran, its state, why it
 * failed, restarts against the limit, and OOM kills read from the container state (not
 * guessed from exit code 137). A screen (screen.h); l opens the job's logs above it. */
#ifndef GB_TUI_CONSOLE_TASKS_H
#define GB_TUI_CONSOLE_TASKS_H

#include "tui/console/screen.h"

struct app;

extern const struct screen_ops tasks_screen_ops;

/* Show the tasks of service_id (copied) on the jobs list, in place of what was above it. */
void tasks_screen_open(struct app *a, const char *service_id);

#endif
