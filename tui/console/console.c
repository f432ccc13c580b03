/* glovebox console (also what glovebox runs without a command). */
#include <getopt.h>
#include <stdlib.h>

#include "api/base/err.h"
#include "api/engine/errmap.h"
#include "tui/console/app.h"
#include "tui/console/console.h"

int console_main(struct session *session, int argc, char **argv)
{
	static const struct option opts[] = {
		{"headless", no_argument, NULL, 'x'},
		{"iterations", required_argument, NULL, 'n'},
		{"refresh", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	struct app_opts ao = {0};
	int c;
	while (argc > 0 && (c = getopt_long(argc, argv, "xn:r:", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'x':
			ao.headless = true;
			break;
		case 'n':
			ao.iterations = strtol(optarg, &end, 10);
			if (*end || ao.iterations < 1) {
				err_print("--iterations takes a positive number");
				return GB_EXIT_USAGE;
			}
			break;
		case 'r': {
			double s = strtod(optarg, &end);
			if (*end || !(s >= 0.2) || s > 3600) {
				err_print("--refresh takes seconds between 0.2 and 3600");
				return GB_EXIT_USAGE;
			}
			ao.refresh_ms = (int)(s * 1000);
			break;
		}
		default:
			return GB_EXIT_USAGE;
		}
	}
	if (argc > 0 && optind < argc) {
		err_print("console takes no arguments");
		return GB_EXIT_USAGE;
	}
	/* The console must not sit 30 s on a stalled engine before it says so. */
	if (session->timeout_ms == 0)
		session->timeout_ms = 10000;
	char *err = NULL;
	int rc = session_connect(session, &err);
	if (rc != 0) {
		err_print("%s", err);
		free(err);
		return rc;
	}
	rc = app_run(session, &ao);
	session_close(session);
	return rc;
}
