/* Who runs glovebox, from the password and group databases (NSS), never from $USER or any
 * other variable the user controls. */
#ifndef GB_API_CORE_IDENTITY_H
#define GB_API_CORE_IDENTITY_H

#include <stddef.h>

#include "api/core/jobspec.h"

struct whoami {
	char *user;
	unsigned uid, gid;
	char **groups; size_t n_groups;   /* names of all groups the account is in */
	struct identity id;               /* a view of the above for job_plan_make */
};

/* The real uid's account. Returns 0, or -1 with *err (no passwd entry for the uid). */
int whoami_current(struct whoami *w, char **err);
void whoami_clear(struct whoami *w);

/* Whether the account is in group (by name). */
int whoami_in_group(const struct whoami *w, const char *group);

#endif
