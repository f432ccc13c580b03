/* The docker CLI's formulas (cli/command/container/stats_helpers.go), so glovebox's figures
 * match `docker stats`. See ../shared/ref/ENGINE-API-NOTES.md section 9. */
#ifndef GB_API_ENGINE_STATS_H
#define GB_API_ENGINE_STATS_H

#include "api/engine/model.h"

/* CPU % where one full CPU is 100 %: cpu_delta / sys_delta * ncpu * 100, ncpu being
 * online_cpus or else the per-CPU count; 0 unless both deltas are positive. */
double stats_cpu_percent(const struct stats_sample *s);

/* Memory in use: usage minus total_inactive_file (cgroup v1) or inactive_file (v2) when
 * that is smaller than usage, else usage. */
uint64_t stats_mem_used(const struct stats_sample *s);

/* used / limit * 100, 0 when the limit is 0. */
double stats_mem_percent(const struct stats_sample *s);

/* CPU use against a limit in nano-CPUs: 0.5 CPU used under a 1-CPU limit is 50.
 * Returns -1 when there is no limit. */
double stats_cpu_percent_of_limit(double cpu_percent, int64_t limit_nano_cpus);

/* Memory against a limit in bytes; -1 when there is no limit. */
double stats_mem_percent_of_limit(uint64_t used, int64_t limit_bytes);

#endif
