/* Shared by the commands: negotiation, waiting on the engine, finding the policy. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/base/err.h"
#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "api/swarm/store.h"
#include "tui/cli/cli.h"

int cli_connect(struct session *cli)
{
	char *err = NULL;
	int rc = session_connect(cli, &err);
	if (rc != 0) {
		err_print("%s", err);
		free(err);
	}
	return rc;
}

void cli_close(struct session *cli)
{
	session_close(cli);
}

struct ping {
	bool done, unreachable;
	char *error;
};

static void cli_on_ping(void *ud, const struct engine_reply *r)
{
	struct ping *p = ud;
	p->done = true;
	p->error = xstrdup(r->error);
	p->unreachable = r->unreachable;
}

int cli_connect_negotiated(struct session *cli)
{
	int rc = cli_connect(cli);
	if (rc != 0)
		return rc;
	struct ping p = {0};
	engine_negotiate(cli->engine, cli_on_ping, &p);
	cli_wait(cli, &p.done, NULL);
	if (p.error) {
		err_print("%s", p.error);
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

void cli_wait(struct session *cli, const bool *done, volatile int *interrupted)
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

int cli_policy(struct session *cli, struct policy *out, unsigned flags)
{
	const char *named = session_policy_file(cli);
	bool root = getuid() == 0;
	int rc = 0;
	/* Root's named file governs without an engine; anything else may ask the swarm. */
	if (!(named && root) && !cli->engine && (rc = cli_connect_negotiated(cli)) != 0)
		return rc;
	struct policy_fetch *f = policy_fetch_start(cli->engine, named, root, NULL, NULL);
	if (policy_fetch_named_refused(f) && (flags & CLI_POLICY_INSIST)) {
		char *clean = sanitize_str(policy_fetch_notice(f), 0);
		err_print("%s; leave out --policy and GLOVEBOX_POLICY to work under the platform's policy", clean);
		free(clean);
		policy_fetch_free(&f);
		return GB_EXIT_DENIED;
	}
	while (!policy_fetch_finished(f))
		if (engine_poll(cli->engine, NULL, 0, 200) != 0)
			break;   /* the lists finished with an error (engine_poll) */
	if (policy_fetch_notice(f)) {
		char *clean = sanitize_str(policy_fetch_notice(f), 0);
		err_print("%s", clean);
		free(clean);
	}
	char *err = NULL;
	bool none = false;
	rc = policy_fetch_result(f, out, &none, &err);
	if (none && (flags & CLI_POLICY_OPTIONAL)) {
		rc = 1;
	} else if (rc != 0) {
		char *clean = sanitize_str(err, 0);
		err_print("%s", clean);
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
		err_print("%s takes %s (glovebox %s --help)", cmd, args_said, cmd);
		return GB_EXIT_USAGE;
	}
	return -1;
}

int cli_reason_args(int argc, char **argv, const char *usage, const char **reason, bool *yes)
{
	static const struct option with_yes[] = {
		{"reason", required_argument, NULL, 'r'}, {"yes", no_argument, NULL, 'y'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	static const struct option without[] = {
		{"reason", required_argument, NULL, 'r'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	*reason = NULL;
	if (yes)
		*yes = false;
	while ((c = getopt_long(argc, argv, yes ? "r:yh" : "r:h", yes ? with_yes : without, NULL)) != -1) {
		switch (c) {
		case 'r': *reason = optarg; break;
		case 'y': *yes = true; break;
		case 'h': fputs(usage, stdout); return GB_EXIT_OK;
		default: fputs(usage, stderr); return GB_EXIT_USAGE;
		}
	}
	return -1;
}
