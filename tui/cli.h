/* What every command-line command shares: global options and the engine connection. */
#ifndef GB_TUI_CLI_H
#define GB_TUI_CLI_H

#include <stdbool.h>

#include "api/endpoint.h"
#include "api/engine.h"
#include "api/errmap.h"

struct cli {
	const char *host;          /* --host, borrowed from argv; NULL = environment */
	long timeout_ms;           /* --timeout; 0 = the command's default (30 s) */
	struct endpoint ep;
	struct engine *engine;     /* owned, after cli_connect */
	const char *prog;
};

/* Resolve the endpoint and create the engine (no network yet). Prints the error and returns
 * the exit code on failure, 0 on success. */
int cli_connect(struct cli *cli);
void cli_close(struct cli *cli);

/* Print "glovebox: <msg>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_ls(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);
int cmd_console(struct cli *cli, int argc, char **argv);

#endif
