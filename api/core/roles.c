#include "api/core/roles.h"

#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"

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

enum permit actor_may_scale(const struct actor *a, const char *owner, uint64_t replicas)
{
	if (replicas <= 1)
		return actor_may(a, ACT_SCALE, owner);
	return a->role == ROLE_ADMIN ? PERMIT_WITH_REASON : PERMIT_DENY;
}

int replicas_parse(const char *s, uint64_t *out)
{
	uint64_t n = 0;
	if (!s || !*s || strlen(s) > 4)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	if (n > REPLICAS_MAX)
		return -1;
	*out = n;
	return 0;
}

const char *policy_admin_group(const struct policy *p)
{
	return p && p->trusted ? p->admin_group : NULL;
}

int who_begin(struct who *w, char **err)
{
	memset(w, 0, sizeof *w);
	if (whoami_current(&w->me, err) != 0)
		return -1;
	w->actor.user = w->me.user;
	w->actor.role = role_of(&w->me, NULL);   /* root */
	return 0;
}
void who_apply_policy(struct who *w)
{
	w->admin_group = policy_admin_group(&w->pol);
	if (w->admin_group)
		w->actor.role = role_of(&w->me, w->admin_group);
}
void who_clear(struct who *w)
{
	if (w->have_policy)
		policy_clear(&w->pol);
	whoami_clear(&w->me);
	memset(w, 0, sizeof *w);
}
char *who_denied_text(const struct who *w, const char *what)
{
	if (w->admin_group)
		return xasprintf("only admins (root and members of group %s) may %s", w->admin_group, what);
	return xasprintf("only admins may %s, and without a trusted policy only root is one", what);
}
