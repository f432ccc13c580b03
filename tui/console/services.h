/* The jobs list: every job the console's user may see, with its state and live CPU and memory
 * bars; the first screen (screen.h), under every other. Enter opens a job's tasks, l its
 * logs, n the new-job form, N the nodes view; x and p act on the selected job (triage.h); !
 * puts what needs attention first. */
#ifndef GB_TUI_CONSOLE_SERVICES_H
#define GB_TUI_CONSOLE_SERVICES_H

#include "tui/console/screen.h"

struct app;

extern const struct screen_ops services_screen_ops;

/* Push the jobs list: app_run does, once, before anything else is shown. */
void services_screen_open(struct app *a);

#endif
