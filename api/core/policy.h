/* The platform's rules, written by an admin as JSON (schema: docs/policy.md).
 *
 * glovebox applies them to every submission: which node classes exist and their CPU and
 * memory defaults and maxima, which datasets exist and which Unix groups may use them, where
 * results go, the data-use terms, which registries images may come from, the longest
 * lifetime, who the admins are. Validation is strict and names the field in every error
 * ("classes.gpu.max_cpus: must be at least cpus (4)"). */
#ifndef GB_API_CORE_POLICY_H
#define GB_API_CORE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct policy_class {
	char *name, *description;
	char **constraints; size_t n_constraints;   /* placement constraints, e.g. node.labels.glovebox.class==gpu */
	double cpus, max_cpus;                      /* default and maximum CPUs per job */
	int64_t memory, max_memory;                 /* default and maximum bytes per job */
	unsigned gpus;                              /* GPUs (generic resource "GPU") per job, 0 = none */
};

struct policy_dataset {
	char *name, *description;
	char *source;                               /* absolute path on every node */
	char *target;                               /* absolute path in the container */
	char **groups; size_t n_groups;             /* Unix groups that may use it; none = everyone */
};

enum researcher_logs { LOGS_FULL, LOGS_TAIL, LOGS_NONE };

/* A resource limit of a job's processes (setrlimit), soft <= hard. */
struct policy_ulimit { int64_t soft, hard; };

/* The smallest memory limit dockerd accepts for a container (linuxMinMemory: 6 MiB since
 * Engine 20.10, 4 MiB before). Below it a job passes every check glovebox makes and fails
 * only at the engine, after its network was made; class defaults and requests both obey it. */
#define POLICY_MIN_MEMORY ((int64_t)6 << 20)

/* Defaults of the optional hardening fields (docs/policy.md). */
#define POLICY_LOG_MAX_SIZE  ((int64_t)10 << 20)
#define POLICY_LOG_MAX_FILES 3
#define POLICY_NOFILE_SOFT   1024
#define POLICY_NOFILE_HARD   4096
#define POLICY_NPROC_SOFT    2048
#define POLICY_NPROC_HARD    2048

/* "metrics": {"prometheus": URL, "ca_file": PATH, "credentials_file": PATH, "rate_window": D}
 * (docs/metrics.md). The policy is public: it names the credentials file, never holds them. */
struct policy_metrics {
	char *prometheus;                           /* checked by weburl_check, no trailing '/'; NULL = none */
	char *ca_file, *credentials_file;           /* absolute paths or NULL */
	int64_t rate_window;                        /* seconds, 0 = the default (60) */
};

struct policy {
	char *origin;                               /* "/etc/glovebox/policy.json" or "swarm config NAME" */
	bool trusted;                               /* from the swarm, or files trust_fd() accepts */
	char *distrust;                             /* when not trusted: why, a sentence */
	char *source; size_t source_len;            /* the policy file's bytes as read (files only) */
	struct policy_class *classes; size_t n_classes;         /* in the file's order */
	struct policy_dataset *datasets; size_t n_datasets;     /* in the file's order */
	char *results_source;                       /* template; "{user}" is the submitter's account */
	char *results_target;
	char *terms_file;                           /* resolved against the policy's directory; NULL from a swarm config */
	char *terms_version;
	char *terms_text;                           /* the terms themselves, once loaded; NULL before */
	char **registries; size_t n_registries;     /* "host[:port]"; none = any registry */
	int64_t max_lifetime;                       /* seconds */
	char *admin_group;
	enum researcher_logs researcher_logs;       /* default full */
	/* How each job runs (CIS Docker 5.x); always set, to the defaults above when absent. */
	int64_t log_max_size;                       /* bytes per json-file log before it rotates */
	unsigned log_max_files;                     /* rotated files kept, the current one included */
	struct policy_ulimit nofile, nproc;         /* open files; processes of the job's user */
	bool encrypted_network;                     /* the job's overlay network uses IPsec */
	struct policy_metrics metrics;              /* where usage comes from; all NULL/0 when absent */
};

/* Parse and validate. base_dir resolves a relative terms.file (NULL: the current directory).
 * Unknown keys are errors (a typo must not silently drop a rule). Does not read the terms
 * file. Returns 0, or -1 with *err naming the field. */
int policy_parse(const char *json, size_t len, const char *base_dir, struct policy *out, char **err);

/* The largest policy file and terms file glovebox reads. */
#define POLICY_FILE_MAX ((size_t)1 << 20)
#define TERMS_FILE_MAX  ((size_t)1000 << 10)

/* The terms are shown in a pager and hashed, and the hash goes into every acceptance record:
 * the text (len bytes, NUL-terminated) must be exactly what a C string holds, valid UTF-8
 * and not blank. name says whose text it is in *err. Returns 0 or -1 with *err. */
int policy_terms_check(const char *text, size_t len, const char *name, char **err);

void policy_clear(struct policy *p);

const struct policy_class *policy_class_find(const struct policy *p, const char *name);
const struct policy_dataset *policy_dataset_find(const struct policy *p, const char *name);

/* Whether a member of groups (n names) may use d. */
bool policy_dataset_allowed(const struct policy_dataset *d, const char *const *groups, size_t n);

/* Whether images from registry (a host[:port] as in image references; "docker.io" for Docker
 * Hub) may run. An empty list allows any. */
bool policy_registry_allowed(const struct policy *p, const char *registry);

/* The results source for user: the template with every "{user}" replaced. New string. */
char *policy_results_source(const struct policy *p, const char *user);

/* "2GiB", "512MiB", "64M", "1.5G", "1073741824" (bytes; K/M/G/T and KiB/MiB/GiB/TiB are all
 * binary, as docker's --memory; KB/MB/GB/TB are decimal). Returns 0 or -1 with *err. */
int parse_size(const char *s, int64_t *bytes, char **err);

/* "24h", "90m", "1h30m", "2d", "45s", "3600" (seconds). Returns 0 or -1 with *err. */
int parse_duration(const char *s, int64_t *seconds, char **err);

/* "1d 2h", "3h 5m", "45s": for people. */
void format_duration(char *buf, size_t sz, int64_t seconds);

/* "2GiB", "512MiB": the largest binary unit that divides bytes exactly, else "N bytes". Exact
 * sizes only: a rounded maximum could itself be over the limit. */
void format_size(char *buf, size_t sz, int64_t bytes);

#endif
