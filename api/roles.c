#include "api/roles.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/xalloc.h"

const char *role_name(enum role r)
{
	return r == ROLE_ADMIN ? "admin" : "researcher";
}

enum role role_of(const struct whoami *w, const char *admin_group)
{
	if (w->uid == 0)
		return ROLE_ADMIN;
	if (admin_group && *admin_group && whoami_in_group(w, admin_group))
		return ROLE_ADMIN;
	return ROLE_RESEARCHER;
}

static bool is_own(const struct actor *a, const char *owner)
{
	return owner && a->user && strcmp(owner, a->user) == 0;
}

bool actor_sees_owner(const struct actor *a, const char *owner)
{
	return a->role == ROLE_ADMIN || is_own(a, owner);
}

bool actor_sees_job(const struct actor *a, const struct job *j)
{
	return actor_sees_owner(a, j->owner);
}

bool actor_sees_service(const struct actor *a, const struct service *s)
{
	return actor_sees_owner(a, labels_get(&s->labels, "glovebox.owner"));
}

size_t actor_filter_jobs(const struct actor *a, struct job_list *jobs)
{
	/* Hidden jobs move to a list of their own, which job_list_clear() frees. */
	struct job_list hidden = { xcalloc(jobs->n + 1, sizeof *jobs->v), 0 };
	size_t kept = 0;
	for (size_t i = 0; i < jobs->n; i++) {
		if (actor_sees_job(a, &jobs->v[i]))
			jobs->v[kept++] = jobs->v[i];
		else
			hidden.v[hidden.n++] = jobs->v[i];
	}
	jobs->n = kept;
	size_t dropped = hidden.n;
	job_list_clear(&hidden);
	return dropped;
}

enum permit actor_may(const struct actor *a, enum act act, const char *owner)
{
	switch (act) {
	case ACT_RM:
	case ACT_SCALE:
		if (is_own(a, owner))
			return PERMIT;
		return a->role == ROLE_ADMIN ? PERMIT_WITH_REASON : PERMIT_DENY;
	case ACT_NODE:
	case ACT_REAP:
	case ACT_AUDIT_ALL:
		return a->role == ROLE_ADMIN ? PERMIT : PERMIT_DENY;
	}
	return PERMIT_DENY;
}

/* Root-owned and not writable by anyone else; a sticky directory (such as /tmp) still keeps
 * others from replacing what root put in it. */
static bool safe_stat(const char *path, bool dir, char **why)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		*why = xasprintf("%s: %s", path, strerror(errno));
		return false;
	}
	if (st.st_uid != 0) {
		*why = xasprintf("%s is owned by uid %u, not root", path, (unsigned)st.st_uid);
		return false;
	}
	bool others_write = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
	if (others_write && !(dir && (st.st_mode & S_ISVTX))) {
		*why = xasprintf("%s is writable by %s", path, st.st_mode & S_IWOTH ? "everyone" : "its group");
		return false;
	}
	return true;
}

bool policy_file_trusted(const char *path, char **why)
{
	char *real = realpath(path, NULL);
	if (!real) {
		*why = xasprintf("%s: %s", path, strerror(errno));
		return false;
	}
	bool ok = safe_stat(real, false, why);
	/* Every directory above it, up to the root. */
	char *dir = xstrdup(real);
	while (ok) {
		char *slash = strrchr(dir, '/');
		if (!slash)
			break;
		if (slash == dir) {
			ok = safe_stat("/", true, why);
			break;
		}
		*slash = '\0';
		ok = safe_stat(dir, true, why);
	}
	free(dir);
	free(real);
	return ok;
}

const char *policy_admin_group(const struct policy *p, const char *path, char **why)
{
	if (!p || !p->admin_group)
		return NULL;
	if (path && !policy_file_trusted(path, why))
		return NULL;
	return p->admin_group;
}
