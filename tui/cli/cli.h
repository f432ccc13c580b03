/* What every command-line command shares: global options and the engine connection. */
#ifndef GB_TUI_CLI_CLI_H
#define GB_TUI_CLI_CLI_H

#include <stdbool.h>

#include "api/base/err.h"
#include "api/core/policy.h"
#include "api/engine/endpoint.h"
#include "api/engine/engine.h"
#include "api/engine/errmap.h"
#include "api/engine/model.h"
#include "api/swarm/policy_fetch.h"
#include "api/swarm/session.h"

/* Resolve the endpoint and create the engine (no network yet). Prints the error and returns
 * the exit code on failure, 0 on success. */
int cli_connect(struct session *cli);
void cli_close(struct session *cli);

/* Connect and negotiate the API version (blocking, for commands). Prints the error and
 * returns the exit code on failure, 0 on success. */
int cli_connect_negotiated(struct session *cli);

/* Flags of cli_policy. */
enum {
	CLI_POLICY_INSIST = 1,     /* a named file that is not trusted: exit 5 instead of a notice */
	CLI_POLICY_OPTIONAL = 2,   /* no policy at all: return 1 quietly */
};
/* The policy that governs, blocking (needs a negotiated engine unless a named file governs).
 * Prints the notice, or the error. Returns 0, 1 (CLI_POLICY_OPTIONAL and none), or an exit
 * code. */
int cli_policy(struct session *cli, struct policy *out, unsigned flags);

/* Run the engine until done is true (set by a callback); SIGINT sets *interrupted. */
void cli_wait(struct session *cli, const bool *done, volatile int *interrupted);

/* The options of a command that takes only --json and --help, and nargs words after them
 * (args_said: what they are, for the error: "no arguments", "one job name"). Returns -1 to go
 * on (the words from argv[optind]), else the exit code: --help printed usage, or a usage error. */
int cli_json_args(int argc, char **argv, const char *cmd, const char *usage, int nargs,
                  const char *args_said, bool *json);

/* The options of a command whose action goes on record: --reason TEXT, --yes (only when yes
 * is not NULL) and --help. Returns -1 to go on (the words from argv[optind]), else the exit
 * code: --help printed usage, or a usage error. */
int cli_reason_args(int argc, char **argv, const char *usage, const char **reason, bool *yes);

/* The commands, which main.c's table names; each returns an exit code. */
int cmd_ls(struct session *cli, int argc, char **argv);       /* ls.c */
int cmd_logs(struct session *cli, int argc, char **argv);     /* logs.c */
int cmd_version(struct session *cli, int argc, char **argv);  /* version.c */
int cmd_submit(struct session *cli, int argc, char **argv);   /* submit.c */
int cmd_terms(struct session *cli, int argc, char **argv);
int cmd_policy(struct session *cli, int argc, char **argv);
/* glovebox login [REGISTRY] [--username U] [--password-stdin] | login --status [REGISTRY] */
int cmd_login(struct session *cli, int argc, char **argv);    /* login.c */
/* glovebox logout [REGISTRY] */
int cmd_logout(struct session *cli, int argc, char **argv);
int cmd_ps(struct session *cli, int argc, char **argv);       /* triage.c */
int cmd_nodes(struct session *cli, int argc, char **argv);
int cmd_rm(struct session *cli, int argc, char **argv);       /* admin.c */
int cmd_scale(struct session *cli, int argc, char **argv);
int cmd_node(struct session *cli, int argc, char **argv);
int cmd_reap(struct session *cli, int argc, char **argv);
int cmd_audit(struct session *cli, int argc, char **argv);
/* glovebox collect --textfile-dir DIR: no engine, no session */
int cmd_collect(struct session *cli, int argc, char **argv);  /* collect.c */

#endif
