/* glovebox collect: the node's containers' usage from their cgroups into a node-exporter
 * textfile, once or every few seconds (api/metrics/collect.h, docs/metrics.md). It talks to
 * no engine and needs no socket. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/base/err.h"
#include "api/base/priv.h"
#include "api/engine/errmap.h"
#include "api/metrics/collect.h"
#include "tui/cli/cli.h"

static const char collect_usage[] =
	"usage: glovebox collect --textfile-dir DIR [--once | --interval SECS]\n"
	"                        [--cgroup-root DIR] [--parent PATH]\n"
	"\n"
	"Writes DIR/" COLLECT_FILE " for node-exporter's textfile collector: every container's CPU\n"
	"time, working set, memory limit and OOM events, read from its cgroup, with cAdvisor's\n"
	"metric names and one label, id (the cgroup path). Talks to no engine; needs only read\n"
	"access to the cgroup files. Every --interval seconds (default 5) until SIGTERM or\n"
	"SIGINT, or once with --once. --parent keeps the containers below one cgroup path (a\n"
	"dockerd's --cgroup-parent); --cgroup-root defaults to /sys/fs/cgroup.\n";

static volatile sig_atomic_t collect_stop;

static void collect_on_signal(int sig)
{
	(void)sig;
	collect_stop = 1;
}

static int collect_once(const struct collect_opts *o, const char *dir)
{
	struct collect_result r;
	char *err = NULL;
	if (collect_scan(o, &r, &err) != 0) {
		err_print("%s", err);
		free(err);
		return GB_EXIT_ERROR;
	}
	char *text = collect_format(&r);
	int rc = collect_write(dir, text, &err) == 0 ? GB_EXIT_OK : GB_EXIT_ERROR;
	if (rc != GB_EXIT_OK) {
		err_print("%s", err);
		free(err);
	}
	free(text);
	collect_result_clear(&r);
	return rc;
}

int cmd_collect(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"textfile-dir", required_argument, NULL, 'd'},
		{"once", no_argument, NULL, '1'},
		{"interval", required_argument, NULL, 'i'},
		{"cgroup-root", required_argument, NULL, 'r'},
		{"parent", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct collect_opts o = {0};
	const char *dir = NULL;
	bool once = false, interval_given = false;
	long interval = 5;
	int c;
	(void)cli;
	/* No engine here: the set-group-ID group (api/base/priv.h) is given up at once, so the
	 * textfile is written, and the cgroups read, with the caller's own rights only. */
	priv_drop();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'd': dir = optarg; break;
		case '1': once = true; break;
		case 'r': o.cgroup_root = optarg; break;
		case 'p': o.parent = optarg; break;
		case 'i':
			errno = 0;
			interval = strtol(optarg, &end, 10);
			if (errno || *end || interval < 1 || interval > 3600) {
				err_print("--interval takes a number of seconds from 1 to 3600");
				return GB_EXIT_USAGE;
			}
			interval_given = true;
			break;
		case 'h':
			fputs(collect_usage, stdout);
			return GB_EXIT_OK;
		default:
			fputs(collect_usage, stderr);
			return GB_EXIT_USAGE;
		}
	}
	if (!dir || !*dir || optind != argc || (once && interval_given)) {
		err_print(!dir || !*dir ? "collect needs --textfile-dir DIR (glovebox collect --help)"
		          : optind != argc ? "collect takes no arguments (glovebox collect --help)"
		                           : "--once and --interval exclude each other");
		return GB_EXIT_USAGE;
	}
	if (once)
		return collect_once(&o, dir);

	struct sigaction sa = {.sa_handler = collect_on_signal}, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	int rc = GB_EXIT_OK;
	collect_stop = 0;
	while (!collect_stop) {
		rc = collect_once(&o, dir);
		if (rc != GB_EXIT_OK)
			break;
		/* A signal ends the sleep early (no SA_RESTART): stop at once. */
		struct timespec t = {.tv_sec = interval};
		while (!collect_stop && nanosleep(&t, &t) != 0 && errno == EINTR)
			;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
}
