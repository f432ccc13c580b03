/* Plain C views of the Engine API objects glovebox uses. No json_t leaves api/.
 * Every char * is owned by the struct it is in and may be NULL when the engine left the
 * field out. Times are unix nanoseconds (0 = unknown). Decoders in decode.h. */
#ifndef GB_API_ENGINE_MODEL_H
#define GB_API_ENGINE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct label { char *key, *value; };

struct labels { struct label *v; size_t n; };

/* Borrowed value of key, or NULL. */
const char *labels_get(const struct labels *l, const char *key);

/* Generic resources (GPUs and the like), per kind: a node's capacity, a service's reservation
 * per task. A node's NamedResourceSpec entries ("GPU=gpu0") count one each, its
 * DiscreteResourceSpec entries ("GPU=2") their value; kinds are merged. */
struct gres { char *kind; int64_t count; };

struct gres_list { struct gres *v; size_t n; };

/* The count of kind in l, 0 when absent. */
int64_t gres_get(const struct gres_list *l, const char *kind);
void gres_list_clear(struct gres_list *l);

enum service_mode { MODE_REPLICATED, MODE_GLOBAL, MODE_REPLICATED_JOB, MODE_GLOBAL_JOB, MODE_UNKNOWN };

struct service {
	char *id, *name, *image;
	struct labels labels;             /* Spec.Labels */
	int64_t created_ns, updated_ns;
	uint64_t version;                 /* Version.Index, for updates */
	enum service_mode mode;
	uint64_t replicas;                /* Spec.Mode.Replicated.Replicas (desired for replicated);
	                                   * ReplicatedJob.TotalCompletions for replicated jobs */
	bool has_status;                  /* ServiceStatus present (API >= 1.41 with status=true) */
	uint64_t running_tasks, desired_tasks, completed_tasks;
	int64_t limit_nano_cpus, limit_memory;       /* TaskTemplate.Resources.Limits, 0 = none */
	int64_t reserve_nano_cpus, reserve_memory;   /* TaskTemplate.Resources.Reservations */
	struct gres_list reserve_generic;            /* Reservations.GenericResources, per task */
	char *restart_condition;          /* "none" | "on-failure" | "any", NULL = default (any) */
	uint64_t restart_max_attempts;    /* 0 = unlimited */
	bool tty;                         /* ContainerSpec.TTY: logs are raw, not multiplexed */
	char **constraints; size_t n_constraints;
};

struct service_list { struct service *v; size_t n; };

struct task {
	char *id, *service_id, *node_id, *name;
	uint64_t slot;
	char *desired_state;              /* "running", "shutdown", ... */
	char *state;                      /* Status.State */
	char *message;                    /* Status.Message */
	char *err;                        /* Status.Err */
	int64_t timestamp_ns;             /* Status.Timestamp */
	int64_t created_ns, updated_ns;
	char *container_id;               /* Status.ContainerStatus.ContainerID */
	bool has_exit_code;
	int exit_code;                    /* Status.ContainerStatus.ExitCode */
	int pid;
};

struct task_list { struct task *v; size_t n; };

struct node {
	char *id, *hostname, *role, *availability, *state, *addr;
	struct labels labels;             /* Spec.Labels (node labels, e.g. glovebox.class) */
	int64_t nano_cpus, memory_bytes;  /* Description.Resources: total capacity */
	struct gres_list generic;         /* Description.Resources.GenericResources */
	bool leader;
	char *engine_version;
};

struct node_list { struct node *v; size_t n; };

/* One sample of GET /containers/{id}/stats. */
struct stats_sample {
	char *id, *name;
	int64_t read_ns, preread_ns;
	uint64_t cpu_total, precpu_total;           /* cpu_usage.total_usage */
	uint64_t system_cpu, presystem_cpu;         /* system_cpu_usage */
	uint32_t online_cpus;                       /* 0 when absent */
	uint32_t percpu_count;                      /* len(percpu_usage), cgroup v1 only */
	uint64_t mem_usage, mem_limit;
	bool has_total_inactive_file; uint64_t total_inactive_file;  /* cgroup v1 */
	bool has_inactive_file;       uint64_t inactive_file;        /* cgroup v2 */
	uint64_t pids;
	bool empty;                                 /* no sample (stopped container): {}, no
	                                             * cpu_stats, or a zero "read" (Engine 20.10) */
};

/* One event of GET /events. */
struct event {
	char *type, *action, *actor_id, *scope;
	struct labels attributes;                   /* Actor.Attributes */
	int64_t time_ns;
};

/* What GET /info says about the engine we are talking to. */
struct engine_info {
	char *node_id;                    /* Swarm.NodeID, NULL outside a swarm */
	char *local_node_state;           /* Swarm.LocalNodeState: inactive|pending|active|error|locked */
	bool control_available;           /* Swarm.ControlAvailable: a manager */
	char *name, *server_version;
	int64_t ncpu, mem_total;
	bool no_new_privileges;           /* SecurityOptions has "name=no-new-privileges" (the
	                                     daemon-wide setting; engines before 25 never say) */
};

/* Container inspect, only what we need: OOM and exit. */
struct container_state {
	bool oom_killed;
	int exit_code;
	char *status, *error;
	int64_t finished_ns;
};

/* A swarm config (GET /configs): glovebox keeps policies, terms and consent records in them. */
struct swarm_config {
	char *id, *name;
	struct labels labels;
	char *data;                       /* Spec.Data decoded from base64, NUL-terminated */
	size_t data_len;
	int64_t created_ns;
};

struct config_list { struct swarm_config *v; size_t n; };

void config_list_clear(struct config_list *l);
void service_list_clear(struct service_list *l);
void task_list_clear(struct task_list *l);
void node_list_clear(struct node_list *l);
void stats_sample_clear(struct stats_sample *s);
void event_clear(struct event *e);
void engine_info_clear(struct engine_info *i);
void container_state_clear(struct container_state *c);
void labels_clear(struct labels *l);

#endif
