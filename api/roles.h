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
 * Pure, except policy_file_trusted(), which looks at the file system. */
#ifndef GB_API_ROLES_H
#define GB_API_ROLES_H

#include <stdbool.h>

#include "api/identity.h"
#include "api/jobs.h"
#include "api/model.h"
#include "api/policy.h"

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

/* Whether the policy file at path may decide who is an admin: a policy file anyone else can
 * change would let them name a group of their own as admin_group. The file and every
 * directory above it (after resolving symbolic links) must be owned by root and not writable
 * by group or others, except that a directory with the sticky bit (/tmp) may be. Returns
 * true, or false with *why (owned) saying what is wrong. */
bool policy_file_trusted(const char *path, char **why);

/* The admin group a policy may grant: its admin_group when it came from the swarm (path NULL:
 * only managers can publish one) or from the file at path when policy_file_trusted() accepts
 * it; otherwise NULL, with *why (owned) saying what is wrong with the file. */
const char *policy_admin_group(const struct policy *p, const char *path, char **why);

#endif
