/* Shared by the commands: negotiation, waiting on the engine, finding the policy. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/store.h"
#include "api/xalloc.h"
#include "tui/cli.h"
#include "widgets/sanitize.h"

#define POLICY_DEFAULT "/etc/glovebox/policy.json"

struct ping {
	bool done, unreachable;
	char *error;
};

static void on_ping(void *ud, const struct engine_reply *r)
{
	struct ping *p = ud;
	p->done = true;
	p->error = xstrdup(r->error);
	p->unreachable = r->unreachable;
}

int cli_connect_negotiated(struct cli *cli)
{
	int rc = cli_connect(cli);
	if (rc != 0)
		return rc;
	struct ping p = {0};
	engine_negotiate(cli->engine, on_ping, &p);
	cli_wait(cli, &p.done, NULL);
	if (p.error) {
		cli_error("%s", p.error);
		free(p.error);
		return p.unreachable ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
	}
	return 0;
}

static volatile int *sigint_flag;

static void on_sigint(int sig)
{
	(void)sig;
	if (sigint_flag)
		*sigint_flag = 1;
}

void cli_wait(struct cli *cli, const bool *done, volatile int *interrupted)
{
	struct sigaction sa, old;
	if (interrupted) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_sigint;
		sigemptyset(&sa.sa_mask);
		sigint_flag = interrupted;
		sigaction(SIGINT, &sa, &old);
		sigaction(SIGTERM, &sa, NULL);
	}
	while (!*done && (!interrupted || !*interrupted))
		if (engine_poll(cli->engine, NULL, 0, 200) != 0)
			break;
	if (interrupted) {
		sigaction(SIGINT, &old, NULL);
		signal(SIGTERM, SIG_DFL);
		sigint_flag = NULL;
	}
}

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

static void on_list(struct policy_fetch *f, int i, const struct config_list *l, const char *error,
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
	on_list(ud, 0, l, error, unreachable);
}

static void on_terms(void *ud, const struct config_list *l, const char *error, bool unreachable)
{
	on_list(ud, 1, l, error, unreachable);
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

const char *cli_policy_file(const struct cli *cli)
{
	if (cli->policy_path)
		return cli->policy_path;
	const char *from_env = getenv("GLOVEBOX_POLICY");
	return from_env && *from_env ? from_env : NULL;
}

int cli_policy(struct cli *cli, struct policy *out, unsigned flags)
{
	const char *named = cli_policy_file(cli);
	bool root = getuid() == 0;
	int rc = 0;
	/* Root's named file governs without an engine; anything else may ask the swarm. */
	if (!(named && root) && !cli->engine && (rc = cli_connect_negotiated(cli)) != 0)
		return rc;
	struct policy_fetch *f = policy_fetch_start(cli->engine, named, root, NULL, NULL);
	if (policy_fetch_named_refused(f) && (flags & CLI_POLICY_INSIST)) {
		char *clean = sanitize_str(policy_fetch_notice(f), locale_is_utf8() ? 0 : SAN_ASCII);
		cli_error("%s; leave out --policy and GLOVEBOX_POLICY to work under the platform's policy", clean);
		free(clean);
		policy_fetch_free(&f);
		return GB_EXIT_DENIED;
	}
	while (!policy_fetch_finished(f))
		if (engine_poll(cli->engine, NULL, 0, 200) != 0)
			break;   /* the lists finished with an error (engine_poll) */
	if (policy_fetch_notice(f)) {
		char *clean = sanitize_str(policy_fetch_notice(f), locale_is_utf8() ? 0 : SAN_ASCII);
		cli_error("%s", clean);
		free(clean);
	}
	char *err = NULL;
	bool none = false;
	rc = policy_fetch_result(f, out, &none, &err);
	if (none && (flags & CLI_POLICY_OPTIONAL)) {
		rc = 1;
	} else if (rc != 0) {
		char *clean = sanitize_str(err, locale_is_utf8() ? 0 : SAN_ASCII);
		cli_error("%s", clean);
		free(clean);
	}
	free(err);
	policy_fetch_free(&f);
	return rc;
}

int cli_json_args(int argc, char **argv, const char *cmd, const char *usage, int nargs,
                  const char *args_said, bool *json)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	int c;
	*json = false;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': *json = true; break;
		case 'h': fputs(usage, stdout); return GB_EXIT_OK;
		default: fputs(usage, stderr); return GB_EXIT_USAGE;
		}
	}
	if (argc - optind != nargs) {
		cli_error("%s takes %s (glovebox %s --help)", cmd, args_said, cmd);
		return GB_EXIT_USAGE;
	}
	return -1;
}
