/* glovebox version: the client's version and what the engine speaks. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "api/engine/version.h"
#include "tui/cli/cli.h"

struct ping_result {
	bool done, unreachable;
	char *error, *engine_max;
};

static void version_on_ping(void *ud, const struct engine_reply *r)
{
	struct ping_result *p = ud;
	p->done = true;
	p->error = xstrdup(r->error);
	p->unreachable = r->unreachable;
	p->engine_max = xstrdup(r->api_version);
}

int cmd_version(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (c != 'j')
			return GB_EXIT_USAGE;
		json = true;
	}
	int rc = cli_connect(cli);
	if (rc != 0)
		return rc;
	struct ping_result p = {0};
	engine_negotiate(cli->engine, version_on_ping, &p);
	engine_run(cli->engine);
	char *engine_max = sanitize_str(p.engine_max ? p.engine_max : "unknown", SAN_ASCII);
	char *where = sanitize_str(cli->ep.display, SAN_ASCII);
	if (json) {
		printf("{\"client\": \"%s\", \"endpoint\": \"%s\", ", GLOVEBOX_VERSION, where);
		if (p.error)
			printf("\"api_version\": null, \"engine_api_max\": null}\n");
		else
			printf("\"api_version\": \"1.%d\", \"engine_api_max\": \"%s\"}\n",
			       engine_api_minor(cli->engine), engine_max);
	} else {
		printf("glovebox %s (speaks Engine API 1.%d to 1.%d)\n", GLOVEBOX_VERSION,
		       API_MIN_MINOR, API_MAX_MINOR);
		if (!p.error)
			printf("engine   %s: API 1.%d negotiated (engine offers up to %s)\n", where,
			       engine_api_minor(cli->engine), engine_max);
	}
	if (p.error) {
		err_print("%s", p.error);
		rc = p.unreachable ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
	}
	free(engine_max);
	free(where);
	free(p.error);
	free(p.engine_max);
	cli_close(cli);
	return rc;
}
