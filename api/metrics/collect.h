/* glovebox collect: usage of the containers on this node, read from their cgroups and written
 * as a node-exporter textfile with cAdvisor's metric names (docs/metrics.md), for nodes where
 * cAdvisor does not run. Read-only: no docker socket, no root where the cgroup files are
 * readable.
 *
 *   container_cpu_usage_seconds_total    counter  v1 cpuacct.usage / 1e9; v2 cpu.stat usage_usec / 1e6
 *   container_memory_working_set_bytes   gauge    usage minus inactive file (docker's formula):
 *                                                  v1 memory.usage_in_bytes - total_inactive_file,
 *                                                  v2 memory.current - inactive_file; at least 0
 *   container_spec_memory_limit_bytes    gauge    v1 memory.limit_in_bytes, v2 memory.max; 0 when
 *                                                  unlimited ("max", or v1's >= 2^62), as cAdvisor
 *   container_oom_events_total           counter  v2 memory.events oom_kill; v1 memory.oom_control
 *                                                  oom_kill (0 on kernels without it)
 *
 * One label only, id: the container's cgroup path below the hierarchy's root ("/docker/<id>",
 * "/system.slice/docker-<id>.scope", "/<cgroup parent>/<id>"), which glovebox reads the 64-hex
 * container ID from. No job name, owner or dataset ever reaches Prometheus.
 *
 * Containers are the cgroups whose last path element is 64 lowercase hex digits or
 * "docker-<64 hex>.scope" (the cgroupfs and systemd drivers), found in the memory hierarchy
 * (v1) or the unified tree (v2, told by cgroup.controllers at the root), at most
 * COLLECT_MAX_DEPTH levels deep and COLLECT_MAX_DIRS directories in all. A container that
 * vanishes while it is read (its files gone) is left out whole; a file that does not parse
 * leaves out that one metric. */
#ifndef GB_API_METRICS_COLLECT_H
#define GB_API_METRICS_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COLLECT_MAX_DEPTH 8
#define COLLECT_MAX_DIRS 100000
#define COLLECT_FILE "glovebox.prom"

struct collect_opts {
	const char *cgroup_root;   /* NULL: /sys/fs/cgroup */
	const char *parent;        /* only containers below this cgroup path ("/docker"); NULL: all */
};

struct collect_sample {
	char *id;                  /* owned: the cgroup path, "/docker/<64 hex>" */
	bool has_cpu, has_mem, has_limit, has_ooms;
	double cpu_seconds;
	uint64_t working_set, limit, ooms;
};

struct collect_result {
	struct collect_sample *v;  /* sorted by id */
	size_t n;
	bool v2;                   /* read from a unified (v2) hierarchy */
};

/* Read every container's figures now. Returns 0, or -1 with *err (owned) when the hierarchy
 * cannot be read at all (no such root, neither v1 memory nor v2). Test hook: when
 * collect_between_hook is set, it is called with each container's path after the containers
 * were listed and before its files are read (a test removes one to see it vanish). */
int collect_scan(const struct collect_opts *o, struct collect_result *out, char **err);
extern void (*collect_between_hook)(const char *cgroup_dir);
void collect_result_clear(struct collect_result *r);

/* The textfile: HELP and TYPE lines, then one line per known figure. New string. */
char *collect_format(const struct collect_result *r);

/* Write text to dir/COLLECT_FILE atomically: a temporary file in dir, fsync, rename. Returns
 * 0, or -1 with *err; no temporary file is left behind either way. */
int collect_write(const char *dir, const char *text, char **err);

/* Whether name (one path element) is a container's cgroup: 64 lowercase hex digits, or
 * "docker-<64 hex>.scope". */
bool collect_is_container(const char *name);

#endif
