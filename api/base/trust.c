#include "api/base/trust.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/xalloc.h"

/* Root's and closed to everyone else; a sticky directory still keeps others from replacing
 * what root put in it. */
static bool safe(const struct stat *st, const char *path, bool dir, char **why)
{
	if (st->st_uid != 0) {
		*why = xasprintf("%s is owned by uid %u, not root", path, (unsigned)st->st_uid);
		return false;
	}
	bool others_write = (st->st_mode & (S_IWGRP | S_IWOTH)) != 0;
	if (others_write && !(dir && (st->st_mode & S_ISVTX))) {
		*why = xasprintf("%s is writable by %s", path, st->st_mode & S_IWOTH ? "everyone" : "its group");
		return false;
	}
	return true;
}

bool trust_fd(int fd, const char *name, char **why)
{
	struct stat st, now;
	if (fstat(fd, &st) != 0) {
		*why = xasprintf("%s: %s", name, strerror(errno));
		return false;
	}
	if (!safe(&st, name, false, why))
		return false;

	char link[64], real[PATH_MAX];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, real, sizeof real - 1);
	if (n <= 0 || real[0] != '/') {
		*why = xasprintf("%s: cannot tell where it is (%s)", name, n < 0 ? strerror(errno) : "no path");
		return false;
	}
	real[n] = '\0';
	/* Every directory above it, up to the root; lstat: a component that is a link now was
	 * swapped since the descriptor was opened. */
	char dir[PATH_MAX];
	memcpy(dir, real, (size_t)n + 1);
	for (;;) {
		char *slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		struct stat ds;
		if (lstat(dir, &ds) != 0) {
			*why = xasprintf("%s: %s", dir, strerror(errno));
			return false;
		}
		if (!S_ISDIR(ds.st_mode)) {
			*why = xasprintf("%s changed while glovebox read %s", dir, name);
			return false;
		}
		if (!safe(&ds, dir, true, why))
			return false;
		if (slash == dir)
			break;
	}
	if (lstat(real, &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
		*why = xasprintf("%s changed while glovebox read it", name);
		return false;
	}
	return true;
}
