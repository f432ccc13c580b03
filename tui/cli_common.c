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
	struct engine_req *req[2];     /* the policies' and the terms' lists in flight */
	struct config_list lists[2];
	bool unreachable;
	char *error;
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

struct policy_fetch *policy_fetch_start(struct engine *e, void (*done)(void *ud), void *ud)
{
	struct policy_fetch *f = xcalloc(1, sizeof *f);
	f->engine = e;
	f->done = done;
	f->ud = ud;
	f->req[0] = configs_list(e, "glovebox.policy", NULL, on_policies, f);
	f->req[1] = configs_list(e, "glovebox.terms", NULL, on_terms, f);
	return f;
}

bool policy_fetch_finished(const struct policy_fetch *f)
{
	return !f->req[0] && !f->req[1];
}

int policy_fetch_result(const struct policy_fetch *f, struct policy *out, char **err)
{
	if (f->error) {
		*err = xasprintf("cannot read the policy published in the swarm: %s", f->error);
		return f->unreachable ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
	}
	return cli_policy_from_swarm(&f->lists[0], &f->lists[1], out, err);
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
	free(f->error);
	free(f);
	*pf = NULL;
}

static int load_file(const char *path, struct policy *out)
{
	char *err = NULL;
	if (policy_load_file(path, out, &err) != 0) {
		cli_error("%s", err);
		free(err);
		return GB_EXIT_USAGE;
	}
	return 0;
}

const char *cli_policy_file(const struct cli *cli)
{
	if (cli->policy_path)
		return cli->policy_path;
	const char *from_env = getenv("GLOVEBOX_POLICY");
	return from_env && *from_env ? from_env : NULL;
}

int cli_policy_from_swarm(const struct config_list *policies, const struct config_list *terms,
                          struct policy *out, char **err)
{
	int rc = policy_from_configs(policies, terms, out, err);
	if (rc < 0)
		return GB_EXIT_ERROR;
	if (rc == 0)
		return 0;
	if (access(POLICY_DEFAULT, F_OK) != 0) {
		*err = xstrdup("no policy: none is published in the swarm (glovebox policy publish FILE), "
		               "and there is no " POLICY_DEFAULT "; or name one with --policy FILE or GLOVEBOX_POLICY");
		return GB_EXIT_ERROR;
	}
	return policy_load_file(POLICY_DEFAULT, out, err) == 0 ? 0 : GB_EXIT_USAGE;
}

int cli_policy(struct cli *cli, struct policy *out)
{
	const char *file = cli_policy_file(cli);
	if (file)
		return load_file(file, out);

	struct policy_fetch *f = policy_fetch_start(cli->engine, NULL, NULL);
	while (!policy_fetch_finished(f))
		if (engine_poll(cli->engine, NULL, 0, 200) != 0)
			break;
	char *err = NULL;
	int rc = policy_fetch_finished(f) ? policy_fetch_result(f, out, &err) : GB_EXIT_ERROR;
	if (rc != 0)
		cli_error("%s", err ? err : "libcurl failed while reading the policy");
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
