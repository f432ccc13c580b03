/* The new-job form (n on the jobs, :submit): a job made the way `glovebox submit` makes it
 * (the policy, the job plan, the terms gate, the fit check, submit_start), without ever
 * waiting on the network. A screen (screen.h) whose input takes every key but F1, F5,
 * Ctrl-L and F10 (quit asks first when something was typed), so its fields take q, / and :
 * as text. A good submission closes it and the jobs list selects the new job. */
#ifndef GB_TUI_CONSOLE_SUBMIT_H
#define GB_TUI_CONSOLE_SUBMIT_H

#include "tui/console/screen.h"

struct app;

extern const struct screen_ops submit_screen_ops;

/* Open the form on the jobs list, in place of what was above it. */
void submit_screen_open(struct app *a);

#endif
