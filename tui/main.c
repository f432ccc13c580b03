/* glovebox: entry point, global options and the command table. */
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "api/base/err.h"
#include "api/base/priv.h"
#include "api/base/secmem.h"
#include "api/base/xalloc.h"
#include "tui/cli/cli.h"
#include "tui/console/console.h"

static const char usage_text[] =
	"usage: glovebox [--host URL] [--timeout SECONDS] [--metrics URL] [COMMAND [ARGS]]\n"
	"\n"
	"The console for running jobs next to sensitive data on a Docker Swarm.\n"
	"Without a command it opens the console.\n"
	"\n"
	"commands:\n"
	"  console [--refresh SECS]   the console (the default); n in it submits a job\n"
	"  ls [--json] [--no-usage] [--attention]   list jobs with state and usage;\n"
	"                             --attention puts those that need a person first\n"
	"  ps NAME [--json]           the tasks of a job: node, state, exit code, OOM\n"
	"  nodes [--json] [--prometheus-sd [--port N]]   nodes: availability, CPU and memory\n"
	"                             reserved; or Prometheus file_sd targets for node-exporter\n"
	"  rm NAME [--reason TEXT] [--yes]   remove a job and its network\n"
	"  scale NAME N [--reason TEXT]      pause (0) or resume (1) a job; admins: N replicas\n"
	"  node pause|activate|drain NAME [--reason TEXT] [--yes]   (admins)\n"
	"  reap [--dry-run] [--json] [--owner USER]   remove expired jobs (admins)\n"
	"  audit [--json]             the audit log of removals and admin actions\n"
	"  logs NAME [--follow] [--tail N] [--timestamps]   a job's logs, sanitised\n"
	"  version [--json]           client version and the negotiated engine API version\n"
	"  collect --textfile-dir DIR [--once|--interval SECS]   this node's containers' usage\n"
	"                             from their cgroups, for node-exporter (docs/metrics.md)\n"
	"  submit --image REF --class NAME [...] [-- CMD ARG...]   submit a job (glovebox submit --help)\n"
	"  terms [--sha256]           the data-use terms and their SHA-256\n"
	"  policy check|publish FILE  validate a policy file, or publish it to the swarm\n"
	"  login [REGISTRY] [--username U] [--password-stdin]   check registry credentials and\n"
	"                             keep them in your keyring (glovebox login --help)\n"
	"  logout [REGISTRY]          remove them from your keyring\n"
	"  help                       this text\n"
	"\n"
	"options:\n"
	"  -H, --host URL       engine: unix:///path, tcp://host:port, https://host:port\n"
	"                       (default: $DOCKER_HOST, else unix:///var/run/docker.sock)\n"
	"  -t, --timeout SECS   give up on a request after SECS seconds (default 30)\n"
	"  -P, --policy FILE    the platform policy (default: $GLOVEBOX_POLICY, the one\n"
	"                       published in the swarm, else /etc/glovebox/policy.json)\n"
	"  -M, --metrics URL    usage across the cluster from this Prometheus (http:// or\n"
	"                       https://; default: $GLOVEBOX_METRICS, else the policy's\n"
	"                       metrics.prometheus, else the engine's stats: docs/metrics.md)\n"
	"  -h, --help           this text\n"
	"\n"
	"environment: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION,\n"
	"             GLOVEBOX_METRICS, GLOVEBOX_METRICS_WINDOW\n"
	"exit codes: 0 ok, 1 error, 2 usage, 3 engine unreachable, 4 terms not accepted,\n"
	"            5 not allowed (the action is for admins)\n";

static int cmd_help(struct session *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	fputs(usage_text, stdout);
	return GB_EXIT_OK;
}

static const struct {
	const char *name;
	int (*run)(struct session *, int, char **);
} commands[] = {
	{"console", console_main},
	{"ls", cmd_ls},
	{"logs", cmd_logs},
	{"version", cmd_version},
	{"submit", cmd_submit},
	{"terms", cmd_terms},
	{"policy", cmd_policy},
	{"login", cmd_login},
	{"logout", cmd_logout},
	{"ps", cmd_ps},
	{"nodes", cmd_nodes},
	{"node", cmd_node},
	{"rm", cmd_rm},
	{"scale", cmd_scale},
	{"reap", cmd_reap},
	{"audit", cmd_audit},
	{"collect", cmd_collect},
	{"help", cmd_help},
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"host", required_argument, NULL, 'H'},
		{"timeout", required_argument, NULL, 't'},
		{"policy", required_argument, NULL, 'P'},
		{"metrics", required_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct session cli = {0};
	int c;

	priv_init();   /* before anything opens a file: see api/base/priv.h */
	/* Registry passwords pass through this process: no core files, no ptrace by the same user. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* And no JSON string (an identity token, a config.json auth) outlives its tree in freed
	 * memory: before any jansson call and any thread. */
	secmem_heap_setup();
	setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
	setlocale(LC_ALL, "");
	while ((c = getopt_long(argc, argv, "+H:t:P:M:h", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			cli.policy_path = optarg;
			break;
		case 'H':
			cli.host = optarg;
			break;
		case 'M':
			cli.metrics_url = optarg;
			break;
		case 't': {
			char *end;
			double s = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || !(s > 0) || s > 86400) {
				err_print("--timeout takes a number of seconds between 0 and 86400, not \"%s\"", optarg);
				return GB_EXIT_USAGE;
			}
			cli.timeout_ms = (long)(s * 1000);
			break;
		}
		case 'h':
			fputs(usage_text, stdout);
			return GB_EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return GB_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	optind = 0;   /* let the command parse its own options from a fresh start */
	if (argc == 0)
		return console_main(&cli, argc, argv);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].run(&cli, argc, argv);
	err_print("unknown command \"%s\" (glovebox help lists them)", argv[0]);
	return GB_EXIT_USAGE;
}
