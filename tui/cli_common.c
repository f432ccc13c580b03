/* Shared by the commands: negotiation, waiting on the engine, finding the policy. */
#include <errno.h>
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

struct swarm_policy {
	int pending;
	bool unreachable;
	char *error;
	struct config_list policies, terms;
};

static void take(struct swarm_policy *sp, struct config_list *dst, const struct config_list *l,
                 const char *error, bool unreachable)
{
	sp->pending--;
	if (error) {
		if (!sp->error)
			sp->error = xstrdup(error);
		sp->unreachable |= unreachable;
		return;
	}
	/* The list is borrowed: move its items. */
	dst->v = xcalloc(l->n + 1, sizeof *dst->v);
	dst->n = l->n;
	if (l->n)
		memcpy(dst->v, l->v, l->n * sizeof *l->v);
	((struct config_list *)l)->n = 0;
}

static void on_policies(void *ud, const struct config_list *l, const char *error, bool unreachable)
{
	struct swarm_policy *sp = ud;
	take(sp, &sp->policies, l, error, unreachable);
}

static void on_terms(void *ud, const struct config_list *l, const char *error, bool unreachable)
{
	struct swarm_policy *sp = ud;
	take(sp, &sp->terms, l, error, unreachable);
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

	struct swarm_policy sp = {.pending = 2};
	configs_list(cli->engine, "glovebox.policy", NULL, on_policies, &sp);
	configs_list(cli->engine, "glovebox.terms", NULL, on_terms, &sp);
	while (sp.pending > 0)
		if (engine_poll(cli->engine, NULL, 0, 200) != 0)
			break;
	int rc;
	char *err = NULL;
	if (sp.error) {
		cli_error("cannot read the policy published in the swarm: %s", sp.error);
		rc = sp.unreachable ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
	} else if ((rc = cli_policy_from_swarm(&sp.policies, &sp.terms, out, &err)) != 0) {
		cli_error("%s", err);
	}
	free(err);
	free(sp.error);
	config_list_clear(&sp.policies);
	config_list_clear(&sp.terms);
	return rc;
}
