/* What every command-line command shares: global options and the engine connection. */
#ifndef GB_TUI_CLI_H
#define GB_TUI_CLI_H

#include <stdbool.h>

#include "api/endpoint.h"
#include "api/engine.h"
#include "api/errmap.h"
#include "api/model.h"
#include "api/policy.h"

struct cli {
	const char *host;          /* --host, borrowed from argv; NULL = environment */
	const char *policy_path;   /* --policy, borrowed; NULL = GLOVEBOX_POLICY, the swarm, /etc */
	long timeout_ms;           /* --timeout; 0 = the command's default (30 s) */
	struct endpoint ep;
	struct engine *engine;     /* owned, after cli_connect */
	const char *prog;
};

/* Resolve the endpoint and create the engine (no network yet). Prints the error and returns
 * the exit code on failure, 0 on success. */
int cli_connect(struct cli *cli);
void cli_close(struct cli *cli);

/* Connect and negotiate the API version (blocking, for commands). Prints the error and
 * returns the exit code on failure, 0 on success. */
int cli_connect_negotiated(struct cli *cli);

/* The policy: --policy FILE, else $GLOVEBOX_POLICY, else the newest one published in the
 * swarm, else /etc/glovebox/policy.json. Needs a negotiated engine for the swarm step.
 * Returns 0, or an exit code after printing the error. */
int cli_policy(struct cli *cli, struct policy *out);

/* The first two steps of that order: the file named by --policy, else $GLOVEBOX_POLICY; NULL
 * when the swarm must be asked. Borrowed. */
const char *cli_policy_file(const struct cli *cli);
/* The last two: the newest policy published in the swarm, from the configs labelled
 * glovebox.policy and glovebox.terms, else /etc/glovebox/policy.json. For callers that list
 * the configs themselves without blocking (the console). Returns 0, or an exit code with *err. */
int cli_policy_from_swarm(const struct config_list *policies, const struct config_list *terms,
                          struct policy *out, char **err);

/* The same from the swarm without blocking, for the console: policy_fetch_start() lists the
 * configs (needs a negotiated engine; e is borrowed) and calls done (may be NULL) from
 * engine_poll() once both lists answered; then policy_fetch_result() gives what
 * cli_policy_from_swarm() gives, or an exit code with *err (owned) when a list failed.
 * policy_fetch_free() cancels what is still in flight; never call it from done. */
struct policy_fetch;
struct policy_fetch *policy_fetch_start(struct engine *e, void (*done)(void *ud), void *ud);
bool policy_fetch_finished(const struct policy_fetch *f);
int policy_fetch_result(const struct policy_fetch *f, struct policy *out, char **err);
void policy_fetch_free(struct policy_fetch **f);

/* Run the engine until done is true (set by a callback); SIGINT sets *interrupted. */
void cli_wait(struct cli *cli, const bool *done, volatile int *interrupted);

/* Print "glovebox: <msg>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The options of a command that takes only --json and --help, and nargs words after them
 * (args_said: what they are, for the error: "no arguments", "one job name"). Returns -1 to go
 * on (the words from argv[optind]), else the exit code: --help printed usage, or a usage error. */
int cli_json_args(int argc, char **argv, const char *cmd, const char *usage, int nargs,
                  const char *args_said, bool *json);

int cmd_ls(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);
int cmd_console(struct cli *cli, int argc, char **argv);
int cmd_submit(struct cli *cli, int argc, char **argv);
int cmd_terms(struct cli *cli, int argc, char **argv);
int cmd_policy(struct cli *cli, int argc, char **argv);

#endif
