/* Who may see and do what in glovebox.
 *
 * Two roles. An admin is root, or an account the system's group database (NSS, through
 * whoami) puts in the policy's admin_group; everyone else is a researcher. A researcher sees
 * and acts only on jobs whose label glovebox.owner is their own account name. Services
 * without that label were not made by glovebox: only admins see them, flagged as such.
 *
 * These are glovebox's rules, not the engine's: whoever can reach the engine's socket can do
 * anything with the docker CLI, whatever glovebox says (docs/admin-guide.md). They protect
 * something only where people reach the engine through glovebox alone, as on a gateway host.
 * Pure. */
#ifndef GB_API_CORE_ROLES_H
#define GB_API_CORE_ROLES_H

#include <stdbool.h>
#include <stdint.h>

#include "api/core/identity.h"
#include "api/core/jobs.h"
#include "api/core/policy.h"
#include "api/engine/model.h"

enum role { ROLE_RESEARCHER, ROLE_ADMIN };

/* "researcher", "admin". */
const char *role_name(enum role r);

/* Root is always an admin: it can reach the engine's socket and do everything with docker
 * anyway. Anyone else is an admin when admin_group is not NULL and whoami_in_group() says
 * the account is in it. admin_group NULL means no trusted policy: nobody but root. */
enum role role_of(const struct whoami *w, const char *admin_group);

/* Who acts. Borrowed strings. */
struct actor {
	const char *user;     /* the account name, from the password database */
	enum role role;
};

/* Visibility of one job or service by its owner label (NULL: not made by glovebox).
 * Admins see everything; researchers only their own. */
bool actor_sees_owner(const struct actor *a, const char *owner);
bool actor_sees_job(const struct actor *a, const struct job *j);
bool actor_sees_service(const struct actor *a, const struct service *s);

/* Drop the jobs a may not see, freeing them, keeping the order of the rest. Returns how many
 * were dropped. */
size_t actor_filter_jobs(const struct actor *a, struct job_list *jobs);

/* What an action on a job or node needs. */
enum act {
	ACT_RM,         /* remove a job */
	ACT_SCALE,      /* scale a job to 0 or back */
	ACT_NODE,       /* pause, activate or drain a node */
	ACT_REAP,       /* remove every expired job */
	ACT_AUDIT_ALL,  /* read every audit record, not only those about oneself */
};

enum permit {
	PERMIT_DENY,
	PERMIT,
	PERMIT_WITH_REASON,   /* allowed, but a reason must be recorded */
};

/* Researchers: rm and scale on their own jobs only; no node actions, no reaping.
 * Admins: everything; rm and scale on a job that is not their own (another user's, or a
 * service not made by glovebox) need a reason. owner is the job's glovebox.owner (NULL
 * when absent); it is ignored for ACT_NODE, ACT_REAP and ACT_AUDIT_ALL. */
enum permit actor_may(const struct actor *a, enum act act, const char *owner);

/* Scaling a job to replicas. Each replica reserves the class's CPUs and memory again, so
 * researchers scale their own jobs to 0 or 1 only (pause and resume); admins scale any job to
 * any count, with a reason for anything but pausing and resuming their own. */
enum permit actor_may_scale(const struct actor *a, const char *owner, uint64_t replicas);

/* The most replicas anyone may ask for. */
#define REPLICAS_MAX 1000
/* A replica count, "0" to "1000", digits only. Returns 0, or -1. */
int replicas_parse(const char *s, uint64_t *out);

/* The admin group a policy may grant: its admin_group when the policy is trusted (from the
 * swarm, where only admins publish, or from files only root can change: api/base/trust.h);
 * otherwise NULL, and an untrusted policy makes nobody an admin. */
const char *policy_admin_group(const struct policy *p);

/* ---- Who runs glovebox ---- */

/* Who runs glovebox and in which role. */
struct who {
	struct whoami me;
	struct actor actor;          /* user borrowed from me */
	const char *admin_group;     /* borrowed from pol; NULL without a trusted policy */
	bool have_policy;
	struct policy pol;           /* when have_policy */
};

/* The role w->pol grants (have_policy set, me and actor filled in): sets admin_group and
 * actor.role. */
void who_apply_policy(struct who *w);
void who_clear(struct who *w);
/* who_establish's first step, for the console, which must not block: the account (root is an
 * admin at once); -1 with *err (owned) when it has no password entry. The console then reads
 * w->pol with policy_fetch, sets have_policy and calls who_apply_policy(). */
int who_begin(struct who *w, char **err);
/* "only admins (root and members of group G) may <what>", or why only root is one. Owned. */
char *who_denied_text(const struct who *w, const char *what);

#endif
