#include "api/engine/stats.h"

/* The deltas are taken in double, as the CLI does, so a counter that went backwards (a
 * restarted container) gives a negative delta and therefore 0 % rather than a wrap-around. */
double stats_cpu_percent(const struct stats_sample *s)
{
	double cpu_delta = (double)s->cpu_total - (double)s->precpu_total;
	double sys_delta = (double)s->system_cpu - (double)s->presystem_cpu;
	double ncpu = s->online_cpus ? (double)s->online_cpus : (double)s->percpu_count;

	if (cpu_delta > 0.0 && sys_delta > 0.0)
		return cpu_delta / sys_delta * ncpu * 100.0;
	return 0.0;
}

/* Same order as the CLI: when total_inactive_file is present but not smaller than usage,
 * it falls through to inactive_file (absent counts as 0, which leaves usage unchanged). */
uint64_t stats_mem_used(const struct stats_sample *s)
{
	if (s->has_total_inactive_file && s->total_inactive_file < s->mem_usage)
		return s->mem_usage - s->total_inactive_file;
	if (s->has_inactive_file && s->inactive_file < s->mem_usage)
		return s->mem_usage - s->inactive_file;
	return s->mem_usage;
}

double stats_mem_percent(const struct stats_sample *s)
{
	if (s->mem_limit == 0)
		return 0.0;
	return (double)stats_mem_used(s) / (double)s->mem_limit * 100.0;
}

double stats_cpu_percent_of_limit(double cpu_percent, int64_t limit_nano_cpus)
{
	if (limit_nano_cpus <= 0)
		return -1.0;
	return cpu_percent / ((double)limit_nano_cpus / 1e9);
}

double stats_mem_percent_of_limit(uint64_t used, int64_t limit_bytes)
{
	if (limit_bytes <= 0)
		return -1.0;
	return (double)used / (double)limit_bytes * 100.0;
}
