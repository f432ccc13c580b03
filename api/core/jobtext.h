/* Short texts about a job that the console and the commands show alike: its lifetime in a
 * column, and what glovebox saw fail this session. Pure; no engine strings go into them
 * (numbers and fixed words only), so they need no sanitising. */
#ifndef GB_API_CORE_JOBTEXT_H
#define GB_API_CORE_JOBTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "api/core/attention.h"
#include "api/core/jobs.h"

/* The owner shown for a service not made by glovebox (no glovebox.owner label). */
#define JOB_NOT_GLOVEBOX "(not glovebox)"

/* Under an EXPIRES heading: "in 3h", "expired 12m ago" (format_expiry without "expires "),
 * or "-" when the job has no readable glovebox.expires-at. now: unix seconds. */
void job_expiry_cell(char *buf, size_t sz, const struct job *j, int64_t now);

/* "seen this session: 7 failures, 3 OOM killed; last: exit 137 (OOM) 2m ago, exit 1 5m
 * ago" (the newest first, whole items as many as fit in sz, "exit ?" when the code is
 * unknown), or "seen this session: no failures". h may be NULL. now_ns: unix ns. */
void job_history_line(char *buf, size_t sz, const struct restart_history *h,
                      const char *service_id, int64_t now_ns);

#endif
