/* From what a researcher asks for to the Swarm objects glovebox creates: the request is
 * checked against the policy (every field, each with its own message, so a form can show
 * the reason beside the field), then turned into a hardened ServiceSpec and a per-job
 * internal network. Pure functions: no network, no clock (the caller passes the time). */
#ifndef GB_API_CORE_JOBSPEC_H
#define GB_API_CORE_JOBSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/core/imageref.h"
#include "api/core/policy.h"

struct engine_info;

/* What the submitter is, from the password and group databases (never $USER). */
struct identity {
	const char *user;                     /* account name */
	unsigned uid, gid;
	const char *const *groups; size_t n_groups;   /* names of every group the account is in */
};

/* What the researcher asked for. Strings are borrowed; NULL/0 mean "default". */
struct job_request {
	const char *image;
	const char *class_name;
	const char *const *datasets; size_t n_datasets;
	const char *cpus;                     /* as typed, "2" or "0.5"; NULL = class default */
	const char *memory;                   /* as typed, "4GiB"; NULL = class default */
	const char *lifetime;                 /* as typed, "12h"; NULL = the policy's max_lifetime */
	const char *name;                     /* NULL = derived from the image and the user */
	const char *const *command; size_t n_command;   /* argv; none = the image's own */
	const char *purpose;                  /* one line, required when terms must be accepted */
};

enum job_field {
	JF_IMAGE, JF_CLASS, JF_DATASETS, JF_CPUS, JF_MEMORY, JF_LIFETIME, JF_NAME, JF_COMMAND,
	JF_PURPOSE, JF_COUNT
};

/* One message per field, NULL where the field is fine. Owned. */
struct job_errors { char *msg[JF_COUNT]; };

/* The request with defaults applied, checked, ready to build. Owned strings. */
struct job_plan {
	char *name;                           /* service name, also the network's stem */
	char *network;                        /* "<name>-net" */
	bool name_derived;                    /* made by glovebox, not typed: job_plan_rename may change it */
	struct imageref image;
	const struct policy *policy;          /* borrowed: dataset paths and the results target */
	const struct policy_class *cls;       /* borrowed from the policy */
	char **datasets; size_t n_datasets;   /* names, in the policy's order */
	double cpus;
	int64_t memory;
	int64_t lifetime;                     /* seconds */
	char **command; size_t n_command;
	char *owner;                          /* the submitter's account */
	char *user_spec;                      /* ContainerSpec.User "uid:gid"; 65534:65534 for root */
	char *results_source;
};

/* Check every field and fill plan. Returns 0 when all fields are fine; -1 with errs filled
 * otherwise (plan is then cleared). Names: [a-z0-9][a-z0-9-]{0,47}, not ending in '-'. Without
 * a name in r one is derived: "<user>-<image basename>-<8 hex digits>", lowercased, other
 * characters as '-', the stem cut so that the 8 digits of rnd always fit. rnd must be
 * unpredictable (submit_name_random): a guessable suffix lets another user take the name
 * first, and 32 bits make two derived names of one user and image unlikely to meet. */
int job_plan_make(const struct policy *p, const struct job_request *r, const struct identity *id,
                  uint32_t rnd, struct job_plan *plan, struct job_errors *errs);

/* Derive the name (and the network's) again with another rnd, for a derived name that turned
 * out to be taken. Returns 0, or -1 (plan unchanged) when the name was the researcher's. */
int job_plan_rename(struct job_plan *plan, uint32_t rnd);

void job_plan_clear(struct job_plan *plan);
void job_errors_clear(struct job_errors *e);

/* CPUs as typed ("2", "0.5", ".25", at most 9 decimal places) to nano-CPUs, whatever the
 * locale's decimal point: the one reading of --cpus and of the console form's field. Returns
 * 0, or -1 with *err (owned). */
int parse_cpus(const char *s, int64_t *nanos, char **err);

/* 2 -> "2 CPUs", 1 -> "1 CPU", 0.5 -> "0.5 CPU": nano-CPUs for people, locale-independent like
 * parse_cpus. */
void format_cpus(char *buf, size_t sz, int64_t nanos);
/* "image", "class", ... for messages and --json output. */
const char *job_field_name(enum job_field f);

/* Labels and references the spec carries. Borrowed strings. */
struct job_meta {
	const char *image_pinned;             /* "registry/path:tag@sha256:..." */
	const char *terms_sha256;             /* of the exact terms text accepted */
	const char *consent;                  /* name of the acceptance record (a swarm config) */
	const char *network_id;               /* the ID /networks/create gave the job's network */
	int64_t now;                          /* unix seconds, for glovebox.expires-at */
	int api_minor;                        /* negotiated version: fields it lacks are not sent */
};

/* The ServiceSpec JSON for POST /services/create: one replica; limits = reservations for CPU
 * and memory; GPUs as generic resources; the class's constraints; the job's network by its
 * ID (meta->network_id; by name the engine would take any network of that name, another
 * user's too); dataset binds read-only, the results bind the only writable one, tmpfs /tmp
 * (noexec, nosuid, nodev from API 1.46); read-only root filesystem, non-root user, init;
 * CapabilityDrop ALL, the policy's ulimits and pids limit 512 (API >= 1.41), NoNewPrivileges
 * (>= 1.44); the json-file log driver with the policy's rotation; restart on-failure at most
 * 5 times; labels glovebox.owner, .class, .datasets, .expires-at, .terms-sha256, .consent,
 * .network. Fields the negotiated version lacks are not sent (older engines drop them
 * silently; job_posture_make says so). New string; NULL when meta has no network_id, the
 * plan names a dataset its policy lacks or holds a string that is not UTF-8, or the policy's
 * log rotation or ulimits are not valid. */
char *job_service_spec(const struct job_plan *plan, const struct job_meta *meta);

/* Whether a job's processes run with no-new-privileges, told as a warning for people: NULL
 * when the spec sets it (API >= 1.44) or the engine says the daemon-wide setting is on
 * (info may be NULL: not known); otherwise a new string saying it could not be made sure. */
char *job_hardening_warning(int api_minor, const struct engine_info *info);

/* The job's hardening posture, one item per property, in a fixed order: what the spec sets
 * and the negotiated API keeps (enforced), what glovebox asks for or relies on but the engine
 * cannot confirm (unconfirmed), and what is not done (off). Data for --json and for people
 * alike, so that the two never tell different stories. */
enum posture_state { POSTURE_ENFORCED, POSTURE_UNCONFIRMED, POSTURE_OFF };

struct posture_item {
	const char *name;                     /* static: "read-only root filesystem", "ulimits", ... */
	enum posture_state state;
	char *detail;                         /* owned: what is set, or why it is not enforced */
};

#define POSTURE_MAX 16
struct job_posture {
	struct posture_item item[POSTURE_MAX];
	size_t n;
};

/* For a job of policy p at API 1.<api_minor>. plan: the job, or NULL while there is none yet
 * (a form with errors): only the details of its CPUs, memory and user are then general.
 * info: the engine's, NULL when not known (no-new-privileges is then unconfirmed below 1.44).
 * out is overwritten; free it with job_posture_clear. */
void job_posture_make(const struct policy *p, const struct job_plan *plan, int api_minor,
                      const struct engine_info *info, struct job_posture *out);
void job_posture_clear(struct job_posture *ps);
/* "enforced", "unconfirmed", "off": the --json values. */
const char *job_posture_state_name(enum posture_state s);
/* One sentence for people: "ulimits are enforced: ...", "network encryption is off: ...",
 * "no-new-privileges is not made sure: ...". New string, not sanitised (the detail may
 * quote the policy). */
char *job_posture_line(const struct posture_item *it);

/* The NetworkCreate JSON: overlay, internal (no egress), encrypted when the policy says so,
 * labelled glovebox.job and glovebox.owner (a leftover is recognised by both). New string. */
char *job_network_spec(const struct job_plan *plan);

#endif
