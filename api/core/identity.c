#include "api/core/identity.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/base/xalloc.h"

static char *group_name(gid_t gid)
{
	struct group gr, *res = NULL;
	size_t sz = 1024;
	char *buf = NULL;
	for (;;) {
		buf = xrealloc(buf, sz);
		int e = getgrgid_r(gid, &gr, buf, sz, &res);
		if (e != ERANGE)
			break;
		sz *= 2;
	}
	char *name = res ? xstrdup(res->gr_name) : xasprintf("%u", (unsigned)gid);
	free(buf);
	return name;
}

int whoami_current(struct whoami *w, char **err)
{
	struct passwd pw, *res = NULL;
	size_t sz = 1024;
	char *buf = NULL;
	uid_t uid = getuid();
	memset(w, 0, sizeof *w);
	for (;;) {
		buf = xrealloc(buf, sz);
		int e = getpwuid_r(uid, &pw, buf, sz, &res);
		if (e != ERANGE)
			break;
		sz *= 2;
	}
	if (!res) {
		free(buf);
		*err = xasprintf("uid %u has no entry in the password database", (unsigned)uid);
		return -1;
	}
	w->user = xstrdup(pw.pw_name);
	w->uid = (unsigned)pw.pw_uid;
	w->gid = (unsigned)pw.pw_gid;
	int n = 64;
	gid_t *gids = NULL;
	for (;;) {
		gids = xreallocarray(gids, (size_t)n, sizeof *gids);
		int want = n;
		if (getgrouplist(pw.pw_name, pw.pw_gid, gids, &want) >= 0) {
			n = want;
			break;
		}
		n = want > n ? want : n * 2;
	}
	free(buf);
	w->groups = xcalloc((size_t)n + 1, sizeof *w->groups);
	for (int i = 0; i < n; i++)
		w->groups[w->n_groups++] = group_name(gids[i]);
	free(gids);
	w->id = (struct identity){
		.user = w->user, .uid = w->uid, .gid = w->gid,
		.groups = (const char *const *)w->groups, .n_groups = w->n_groups,
	};
	return 0;
}

void whoami_clear(struct whoami *w)
{
	free(w->user);
	for (size_t i = 0; i < w->n_groups; i++)
		free(w->groups[i]);
	free(w->groups);
	memset(w, 0, sizeof *w);
}

int whoami_in_group(const struct whoami *w, const char *group)
{
	for (size_t i = 0; group && i < w->n_groups; i++)
		if (strcmp(w->groups[i], group) == 0)
			return 1;
	return 0;
}
