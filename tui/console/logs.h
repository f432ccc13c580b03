/* The log pager ('l' on a job, :logs): a job's logs streamed into a bounded ring
 * (api/swarm/logring.h) and shown by a view that draws only the rows on the screen
 * (widgets/logview.h).
 *
 * The stream (api/swarm/logstream.h) runs on the engine's multi handle like every other
 * transfer; lines go into the ring from inside engine_poll() and the screen is repainted at
 * most every 50 ms while they pour in (its tick and wait_ms), so keys are answered however
 * chatty the job is. What a researcher may see is decided by logs_authorize() with the
 * console's role and policy, once the role is known; the screen says so plainly when the
 * policy restricts it. A screen (screen.h): its input op takes every key while its search
 * prompt is open; Esc goes back. docs/console.md, docs/logs.md. */
#ifndef GB_TUI_CONSOLE_LOGS_H
#define GB_TUI_CONSOLE_LOGS_H

#include "api/engine/model.h"
#include "tui/console/screen.h"

struct app;

extern const struct screen_ops logs_screen_ops;

/* Show the logs of service_id (copied), or of one of its tasks (NULL: all of them; borrowed
 * for the call: its ID, slot and node are copied): on the tasks when they are in front, else
 * on the jobs list. A job that is gone is said on the status line instead. A followed stream
 * that the connection cuts reopens by itself from its last line (logs_stream_tick); the
 * footer says so while it waits. */
void logs_screen_open(struct app *a, const char *service_id, const struct task *task);

#endif
