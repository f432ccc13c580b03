#include "api/swarm/policy_fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/err.h"
#include "api/base/trust.h"
#include "api/base/xalloc.h"
#include "api/engine/errmap.h"
#include "api/swarm/store.h"

#define POLICY_DEFAULT "/etc/glovebox/policy.json"

/* ---- files ---- */

/* Read a whole regular file of at most cap bytes, NUL-terminated. *distrust (owned) is NULL
 * when trust_fd() trusts the file that was read, else why not; *distrust is left alone when
 * it is already set (the first reason wins). where (may be NULL) gets where the file that was
 * read really is (owned; path itself when the system cannot say). */
static int read_file(const char *path, size_t cap, const char *cap_text, char **buf, size_t *len,
                     char **distrust, char **where, char **err)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO given by mistake must not hang the program at open. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return err_set(err, "cannot read %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(err, "cannot read %s: not a regular file", path);
	}
	char *b = xmalloc(cap + 2);
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, b + n, cap + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			free(b);
			return err_set(err, "cannot read %s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > cap) {
			close(fd);
			free(b);
			return err_set(err, "%s is larger than %s", path, cap_text);
		}
	}
	char *why = NULL;
	if (!trust_fd(fd, path, &why) && !*distrust)
		*distrust = why;
	else
		free(why);
	if (where) {
		char link[64], real[PATH_MAX];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t r = readlink(link, real, sizeof real - 1);
		*where = r > 0 && real[0] == '/' ? xstrndup(real, (size_t)r) : xstrdup(path);
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int read_terms(const char *path, char **text, char **distrust, char **err)
{
	char *buf;
	size_t len;
	if (read_file(path, TERMS_FILE_MAX, "1000 KiB", &buf, &len, distrust, NULL, err))
		return -1;
	if (policy_terms_check(buf, len, path, err) != 0) {
		free(buf);
		return -1;
	}
	*text = buf;
	return 0;
}

int policy_load_file(const char *path, struct policy *out, char **err)
{
	char *json = NULL, *base = NULL, *why = NULL, *distrust = NULL, *where = NULL;
	size_t len;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (err)
		*err = NULL;
	if (read_file(path, POLICY_FILE_MAX, "1 MiB", &json, &len, &distrust, &where, err))
		return -1;
	/* A relative terms.file is beside the policy that was read, not beside a link to it: a
	 * link in someone's home to root's policy must not bring their own terms along. */
	const char *slash = strrchr(where, '/');
	if (slash)
		base = slash == where ? xstrdup("/") : xstrndup(where, (size_t)(slash - where));
	if (policy_parse(json, len, base, out, &why) != 0) {
		err_set(err, "%s: %s", path, why);
		goto out;
	}
	if (read_terms(out->terms_file, &out->terms_text, &distrust, &why) != 0) {
		err_set(err, "%s: terms.file: %s", path, why);
		policy_clear(out);
		goto out;
	}
	out->origin = xstrdup(path);
	out->source = json;
	out->source_len = len;
	json = NULL;
	out->trusted = distrust == NULL;
	out->distrust = distrust;
	distrust = NULL;
	rc = 0;
out:
	free(where);
	free(distrust);
	free(why);
	free(base);
	free(json);
	return rc;
}

/* ---- the swarm ---- */

int policy_from_configs(const struct config_list *policies, const struct config_list *terms,
                        struct policy *out, char **err)
{
	const struct swarm_config *p = configs_newest(policies);
	if (!p)
		return 1;
	char *perr = NULL;
	if (policy_parse(p->data, p->data_len, NULL, out, &perr) != 0) {
		*err = xasprintf("the published policy %s is broken: %s", p->name, perr);
		free(perr);
		return -1;
	}
	const char *tname = labels_get(&p->labels, "glovebox.terms-config");
	const struct swarm_config *t = configs_named(terms, tname);
	if (!t || t->data_len == 0) {
		*err = xasprintf("the published policy %s names terms %s, which are not in the swarm",
		                 p->name, tname ? tname : "(none)");
		policy_clear(out);
		return -1;
	}
	free(out->terms_text);
	out->terms_text = xstrndup(t->data, t->data_len);
	free(out->terms_file);   /* a path on the publisher's machine, meaningless here */
	out->terms_file = NULL;
	free(out->origin);
	out->origin = xasprintf("swarm config %s", p->name);
	/* Only admins publish (glovebox policy publish checks the role before it sends). */
	out->trusted = true;
	return 0;
}

/* ---- the order ---- */

struct policy_fetch {
	struct engine *engine;         /* borrowed */
	bool root;                     /* root: any file it names governs */
	struct engine_req *req[2];     /* the policies' and the terms' lists in flight */
	struct config_list lists[2];
	bool unreachable, named_refused, from_file;
	char *error;                   /* a list failed, or the named file could not be read */
	int file_rc;                   /* the named file: GB_EXIT_USAGE when it could not be read */
	struct policy file;            /* the named file's policy, when it governs */
	char *notice;                  /* a file that governs nothing, and why */
	void (*done)(void *ud);
	void *ud;
};

static void policy_fetch_on_list(struct policy_fetch *f, int i, const struct config_list *l,
                                 const char *error,
                                 bool unreachable)
{
	f->req[i] = NULL;
	if (error) {
		if (!f->error)
			f->error = xstrdup(error);
		f->unreachable |= unreachable;
	} else {   /* the list is borrowed: move its items */
		f->lists[i].v = xcalloc(l->n + 1, sizeof *l->v);
		f->lists[i].n = l->n;
		if (l->n)
			memcpy(f->lists[i].v, l->v, l->n * sizeof *l->v);
		((struct config_list *)l)->n = 0;
	}
	if (!f->req[0] && !f->req[1] && f->done)
		f->done(f->ud);
}

static void on_policies(void *ud, const struct config_list *l, const char *error, bool unreachable)
{
	policy_fetch_on_list(ud, 0, l, error, unreachable);
}

static void on_terms(void *ud, const struct config_list *l, const char *error, bool unreachable)
{
	policy_fetch_on_list(ud, 1, l, error, unreachable);
}

static char *distrust_notice(const char *path, const char *why)
{
	return xasprintf("the policy file %s is not trusted (%s): only root may change a policy that "
	                 "governs; it governs nothing here (glovebox policy check %s still checks it)",
	                 path, why, path);
}

/* A file that governs when root reads it or trust_fd() accepts it. Returns 1 when it governs,
 * 0 when it does not (f->notice says why), -1 when it cannot be read (f->error). */
static int take_file(struct policy_fetch *f, const char *path)
{
	char *err = NULL;
	if (policy_load_file(path, &f->file, &err) != 0) {
		f->error = err;
		return -1;
	}
	if (f->root || f->file.trusted) {
		f->from_file = true;
		return 1;
	}
	free(f->notice);
	f->notice = distrust_notice(path, f->file.distrust);
	policy_clear(&f->file);
	return 0;
}

struct policy_fetch *policy_fetch_start(struct engine *e, const char *named, bool root,
                                        void (*done)(void *ud), void *ud)
{
	struct policy_fetch *f = xcalloc(1, sizeof *f);
	f->engine = e;
	f->root = root;
	f->done = done;
	f->ud = ud;
	if (named) {
		int t = take_file(f, named);
		if (t != 0) {
			f->file_rc = t < 0 ? GB_EXIT_USAGE : 0;
			return f;   /* finished: the file governs, or it could not be read */
		}
		f->named_refused = true;
	}
	f->req[0] = configs_list(e, "glovebox.policy", NULL, on_policies, f);
	f->req[1] = configs_list(e, "glovebox.terms", NULL, on_terms, f);
	return f;
}

bool policy_fetch_finished(const struct policy_fetch *f)
{
	return !f->req[0] && !f->req[1];
}

int policy_fetch_result(struct policy_fetch *f, struct policy *out, bool *none, char **err)
{
	*none = false;
	if (f->from_file) {   /* moved: a result is taken once */
		*out = f->file;
		memset(&f->file, 0, sizeof f->file);
		f->from_file = false;
		return 0;
	}
	if (f->file_rc) {
		*err = xstrdup(f->error);
		return f->file_rc;
	}
	if (f->error) {
		*err = xasprintf("cannot read the policy published in the swarm: %s", f->error);
		return f->unreachable ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
	}
	int rc = policy_from_configs(&f->lists[0], &f->lists[1], out, err);
	if (rc < 0)
		return GB_EXIT_ERROR;
	if (rc == 0)
		return 0;
	if (access(POLICY_DEFAULT, F_OK) == 0) {
		int t = take_file(f, POLICY_DEFAULT);
		if (t < 0) {
			*err = xstrdup(f->error);
			return GB_EXIT_USAGE;
		}
		if (t > 0)
			return policy_fetch_result(f, out, none, err);
	}
	*none = true;
	*err = xstrdup("no policy: none is published in the swarm (glovebox policy publish FILE), "
	               "and there is no trusted " POLICY_DEFAULT);
	return GB_EXIT_ERROR;
}

const char *policy_fetch_notice(const struct policy_fetch *f)
{
	return f->notice;
}

bool policy_fetch_named_refused(const struct policy_fetch *f)
{
	return f->named_refused;
}

void policy_fetch_free(struct policy_fetch **pf)
{
	struct policy_fetch *f = *pf;
	if (!f)
		return;
	for (int i = 0; i < 2; i++)
		if (f->req[i])
			configs_list_cancel(f->engine, f->req[i]);
	config_list_clear(&f->lists[0]);
	config_list_clear(&f->lists[1]);
	policy_clear(&f->file);
	free(f->notice);
	free(f->error);
	free(f);
	*pf = NULL;
}
