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

/* The policy that governs, for an account (root when root is true):
 *   1. the file named by --policy or $GLOVEBOX_POLICY (cli_policy_file): it governs when the
 *      account is root or the file is trusted (api/trust.h); otherwise it governs nothing,
 *      a notice says so, and the search goes on;
 *   2. the newest policy published in the swarm (only admins publish one);
 *   3. /etc/glovebox/policy.json, on the same terms as 1.
 * A policy that is not trusted never grants a dataset, a class, a registry, a role or logs to
 * an account other than root. */

/* Without blocking: a named file is read at once (then the fetch may already be finished,
 * and done is not called); the swarm's lists need a negotiated engine (e is borrowed), and
 * done (may be NULL) is called from engine_poll() once both answered. */
struct policy_fetch;
struct policy_fetch *policy_fetch_start(struct engine *e, const char *named, bool root,
                                        void (*done)(void *ud), void *ud);
bool policy_fetch_finished(const struct policy_fetch *f);
/* Once finished: 0 with *out (moved out of f: call once), or an exit code with *err (owned);
 * *none when no policy was found at all. */
int policy_fetch_result(struct policy_fetch *f, struct policy *out, bool *none, char **err);
/* The file that was named (or /etc/glovebox/policy.json) but governs nothing, and why: one
 * sentence for the person, or NULL. Borrowed from f. */
const char *policy_fetch_notice(const struct policy_fetch *f);
/* Whether the named file was set aside as untrusted. */
bool policy_fetch_named_refused(const struct policy_fetch *f);
/* Cancels what is still in flight; never call it from done. */
void policy_fetch_free(struct policy_fetch **f);

/* The file named by --policy, else $GLOVEBOX_POLICY; NULL when none is. Borrowed. */
const char *cli_policy_file(const struct cli *cli);

/* Flags of cli_policy. */
enum {
	CLI_POLICY_INSIST = 1,     /* a named file that is not trusted: exit 5 instead of a notice */
	CLI_POLICY_OPTIONAL = 2,   /* no policy at all: return 1 quietly */
};
/* The policy that governs, blocking (needs a negotiated engine unless a named file governs).
 * Prints the notice, or the error. Returns 0, 1 (CLI_POLICY_OPTIONAL and none), or an exit
 * code. */
int cli_policy(struct cli *cli, struct policy *out, unsigned flags);

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
