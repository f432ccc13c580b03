/* The nodes view (N on the jobs, :nodes), for admins: each node's role, availability, state,
 * class, CPU and memory reserved against its capacity (as the scheduler counts them, the same
 * figures as `glovebox nodes`) and its running tasks; and pausing, activating and draining
 * the selected node through api/swarm/actions.h, on record in the audit log. A screen
 * (screen.h) that runs one node action at a time; popped during one, it is kept, hidden,
 * until the action ends, and shown again by the next nodes_screen_open. While the drain
 * confirmation is open it takes every key. */
#ifndef GB_TUI_CONSOLE_NODES_H
#define GB_TUI_CONSOLE_NODES_H

#include "tui/console/screen.h"

struct app;

extern const struct screen_ops nodes_screen_ops;

/* Show the nodes on the jobs list, in place of what was above it; refused on the status line
 * for researchers, and while the role is not known yet. */
void nodes_screen_open(struct app *a);

#endif
