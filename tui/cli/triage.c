/* glovebox ps and nodes: a job's tasks, and the nodes with their reservations. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "api/core/attention.h"
#include "api/core/fit.h"
#include "api/metrics/promhist.h"
#include "api/swarm/cluster.h"
#include "api/swarm/jobview.h"
#include "tui/cli/admin.h"
#include "tui/cli/cli.h"
#include "tui/cli/out.h"

static int san_flags(void)
{
	return locale_is_utf8() ? 0 : SAN_ASCII;
}

static json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	char *fixed = sanitize_str(s, SAN_KEEP_TAB | SAN_KEEP_NEWLINE);
	j = json_string(fixed);
	free(fixed);
	return j ? j : json_null();
}

static json_t *jtime(int64_t ns)
{
	if (ns <= 0)
		return json_null();
	time_t t = (time_t)(ns / 1000000000LL);
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* ---- glovebox ps ---- */

/* ps --json's usage_history: the job's last hour from Prometheus (api/metrics/promhist.h),
 * {"start", "step_s", "cpu_percent": [...], "mem_bytes": [...]} with null where Prometheus has
 * no sample; null without Prometheus, with a note on stderr when it did not answer. */
struct ps_hist {
	bool done;
	json_t *doc;
};

static json_t *ps_hist_series(const double *v, size_t n, bool integer)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, !isfinite(v[i]) ? json_null()
		                         : integer ? json_integer((json_int_t)llround(v[i])) : json_real(v[i]));
	return a;
}

static void ps_on_hist(void *ud, const double *cpu, const double *mem, size_t n, const char *err)
{
	struct ps_hist *h = ud;
	h->done = true;
	if (err) {
		put_sanitised(stderr, "glovebox: usage history: ", err);
		return;
	}
	h->doc = json_pack("{s:I, s:i, s:o, s:o}", "start", (json_int_t)(time(NULL) - PROMHIST_SPAN_S),
	                   "step_s", PROMHIST_STEP_S, "cpu_percent", ps_hist_series(cpu, n, false),
	                   "mem_bytes", ps_hist_series(mem, n, true));
}

static json_t *ps_history(struct session *cli, const struct task *const *tasks, size_t n)
{
	const struct engine_remote *rm = engine_remote(cli->engine, "metrics");
	if (!rm)
		return json_null();
	struct prom *p = prom_new(cli->engine, rm);
	const char **ids = xcalloc(n + 1, sizeof *ids);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (tasks[i]->container_id && *tasks[i]->container_id)
			ids[k++] = tasks[i]->container_id;
	struct ps_hist h = {0};
	struct prom_hist *ph = prom_hist_start(p, ids, k, time(NULL), ps_on_hist, &h);
	if (ph)
		cli_wait(cli, &h.done, NULL);
	prom_hist_free(&ph);
	prom_free(&p);
	free(ids);
	return h.doc ? h.doc : json_null();
}

static const char ps_usage[] =
	"usage: glovebox ps NAME [--json]\n"
	"\n"
	"The tasks of a job, as many as the swarm keeps (about five per slot): slot, node, desired\n"
	"and current state, since when, exit code, whether the kernel killed it for memory (known\n"
	"only for containers on the node glovebox is connected to), and the error.\n";

enum { P_ID, P_SLOT, P_NODE, P_DESIRED, P_STATE, P_SINCE, P_EXIT, P_OOM, P_ERROR, P_COLS };

/* "yes"/"no" when the container state is known; "?" for a failure glovebox cannot inspect. */
static const char *task_oom(const struct cluster *cl, const struct task *t, int *known)
{
	bool oom = false;
	*known = -1;
	if (t->container_id && *t->container_id && cluster_container_oom(cl, t->container_id, &oom)) {
		*known = oom;
		return oom ? "yes" : "no";
	}
	bool failed = t->state && (strcmp(t->state, "failed") == 0 || strcmp(t->state, "rejected") == 0);
	return failed ? "?" : "-";
}

static const char *node_name(const struct cluster *cl, const char *id)
{
	const struct node *n = cluster_node(cl, id);
	return n && n->hostname ? n->hostname : id;
}

int cmd_ps(struct session *cli, int argc, char **argv)
{
	bool json;
	int done = cli_json_args(argc, argv, "ps", ps_usage, 1, "one job name", &json);
	if (done >= 0)
		return done;
	const char *name = argv[optind];
	struct who w = {0};
	struct cluster *cl = NULL;
	struct jobview *view = NULL;
	const struct task **tasks = NULL;
	int rc = cli_connect_negotiated(cli);
	if (rc == 0)
		rc = who_establish(cli, &w);
	if (rc == 0)
		rc = cli_cluster(cli, true, &cl);
	if (rc != 0)
		goto out;
	view = jobview_new(NULL);
	jobview_update_cluster(view, cl, &w.actor, (int64_t)time(NULL));
	char *err = NULL;
	const struct job *j = jobview_find(view, name, NULL, &err);
	if (!j) {
		char *msg = w.actor.role == ROLE_RESEARCHER
		            ? xasprintf("glovebox: %s among your jobs (researchers see only their own)", err)
		            : xasprintf("glovebox: %s", err);
		put_sanitised(stderr, "", msg);
		free(msg);
		free(err);
		rc = GB_EXIT_ERROR;
		goto out;
	}
	size_t n = j->service ? job_tasks(cluster_tasks(cl), j->service, &tasks) : 0;
	bool global = j->service && (j->service->mode == MODE_GLOBAL || j->service->mode == MODE_GLOBAL_JOB);
	int64_t now = now_ns();

	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			const struct task *t = tasks[i];
			int known;
			task_oom(cl, t, &known);
			json_t *o = json_object();
			json_object_set_new(o, "id", jstr(t->id));
			json_object_set_new(o, "slot", global ? json_null() : json_integer((json_int_t)t->slot));
			json_object_set_new(o, "node_id", jstr(t->node_id));
			json_object_set_new(o, "node", jstr(t->node_id ? node_name(cl, t->node_id) : NULL));
			json_object_set_new(o, "desired_state", jstr(t->desired_state));
			json_object_set_new(o, "state", jstr(t->state));
			json_object_set_new(o, "since", jtime(t->timestamp_ns));
			json_object_set_new(o, "message", jstr(t->message));
			json_object_set_new(o, "error", jstr(t->err && *t->err ? t->err : NULL));
			json_object_set_new(o, "exit_code", t->has_exit_code ? json_integer(t->exit_code) : json_null());
			json_object_set_new(o, "oom", known < 0 ? json_null() : json_boolean(known));
			json_object_set_new(o, "container_id", jstr(t->container_id && *t->container_id ? t->container_id : NULL));
			json_array_append_new(arr, o);
		}
		json_t *doc = json_object();
		json_object_set_new(doc, "id", jstr(j->id));
		json_object_set_new(doc, "name", jstr(j->name));
		json_object_set_new(doc, "owner", jstr(j->owner));
		json_object_set_new(doc, "managed", json_boolean(j->managed));
		json_object_set_new(doc, "state", json_string(job_state_name(j->state)));
		json_object_set_new(doc, "tasks", arr);
		json_object_set_new(doc, "usage_history", ps_history(cli, tasks, n));
		json_print(doc);
		goto out;
	}

	static const char *const headers[P_COLS] = {"TASK", "SLOT", "NODE", "DESIRED", "STATE", "SINCE", "EXIT", "OOM", "ERROR"};
	static const size_t max_width[P_COLS] = {12, 6, 24, 10, 10, 6, 5, 3, 0};
	int flags = san_flags();
	char **cells = xcalloc(n * P_COLS + 1, sizeof *cells);
	for (size_t i = 0; i < n; i++) {
		const struct task *t = tasks[i];
		char **row = cells + i * P_COLS;
		char age[32];
		int known;
		row[P_ID] = sanitize(t->id ? t->id : "", t->id ? strnlen(t->id, 12) : 0, flags);
		row[P_SLOT] = global ? xstrdup("-") : xasprintf("%llu", (unsigned long long)t->slot);
		row[P_NODE] = sanitize_str(t->node_id ? node_name(cl, t->node_id) : "-", flags);
		row[P_DESIRED] = sanitize_str(t->desired_state, flags);
		row[P_STATE] = sanitize_str(t->state, flags);
		format_age(age, sizeof age, (now - t->timestamp_ns) / 1000000000LL);
		row[P_SINCE] = xstrdup(t->timestamp_ns > 0 ? age : "-");
		row[P_EXIT] = t->has_exit_code ? xasprintf("%d", t->exit_code) : xstrdup("-");
		row[P_OOM] = xstrdup(task_oom(cl, t, &known));
		row[P_ERROR] = sanitize_str(t->err && *t->err ? t->err : "", flags);
	}
	table_print(headers, max_width, P_COLS, cells, n, isatty(STDOUT_FILENO));
	for (size_t i = 0; i < n * P_COLS; i++)
		free(cells[i]);
	free(cells);
out:
	free(tasks);
	jobview_free(&view);
	cluster_free(&cl);
	who_clear(&w);
	cli_close(cli);
	return rc;
}

/* ---- glovebox nodes ---- */

static const char nodes_usage[] =
	"usage: glovebox nodes [--json] | nodes --prometheus-sd [--port N]\n"
	"\n"
	"The swarm's nodes: hostname, role, availability (active, pause, drain), state, class\n"
	"(node label glovebox.class), CPU and memory reserved by the tasks that should run there\n"
	"against the node's capacity (the scheduler places jobs by these reservations), and the\n"
	"number of tasks running. With Prometheus (glovebox --metrics, docs/metrics.md), --json\n"
	"also gives CPU and memory in use from node-exporter (cpu_used_percent, mem_used_bytes).\n"
	"\n"
	"--prometheus-sd prints Prometheus file_sd targets instead: one group per node, the\n"
	"node's address with --port (default 9100, node-exporter's), labelled swarm_node_id and\n"
	"swarm_node_hostname; write it to a file Prometheus's file_sd_configs reads.\n";

/* "10.0.0.2:9100", "[fd00::2]:9100"; NULL for a node without a usable address. */
static char *sd_target(const char *addr, long port)
{
	if (!addr || !*addr || strcmp(addr, "0.0.0.0") == 0 || strpbrk(addr, " /[]\"\\"))
		return NULL;
	return strchr(addr, ':') ? xasprintf("[%s]:%ld", addr, port) : xasprintf("%s:%ld", addr, port);
}

/* Prometheus file_sd: [{"targets": ["ADDR:PORT"], "labels": {...}}, ...] for every node. */
static void print_sd(const struct node *const *sorted, size_t n, long port)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char *t = sd_target(sorted[i]->addr, port);
		if (!t) {
			char *msg = xasprintf("glovebox: node %s has no address to scrape (Status.Addr); left out",
			                      sorted[i]->hostname ? sorted[i]->hostname : sorted[i]->id);
			put_sanitised(stderr, "", msg);
			free(msg);
			continue;
		}
		json_t *labels = json_object();
		json_object_set_new(labels, "swarm_node_id", jstr(sorted[i]->id));
		json_object_set_new(labels, "swarm_node_hostname", jstr(sorted[i]->hostname));
		json_t *g = json_object();
		json_object_set_new(g, "targets", json_pack("[s]", t));
		json_object_set_new(g, "labels", labels);
		json_array_append_new(arr, g);
		free(t);
	}
	json_print(arr);
}

/* nodes' options: --json, --prometheus-sd, --port N, --help. Returns -1 to go on, else the
 * exit code. */
static int nodes_args(int argc, char **argv, bool *json, bool *sd, long *port)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'}, {"prometheus-sd", no_argument, NULL, 's'},
		{"port", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	bool port_given = false;
	*json = *sd = false;
	*port = 9100;
	while ((c = getopt_long(argc, argv, "jsp:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': *json = true; break;
		case 's': *sd = true; break;
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 65535) {
				err_print("--port takes a port number from 1 to 65535, not \"%s\"", optarg);
				return GB_EXIT_USAGE;
			}
			*port = v;
			port_given = true;
			break;
		}
		case 'h': fputs(nodes_usage, stdout); return GB_EXIT_OK;
		default: fputs(nodes_usage, stderr); return GB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		err_print("nodes takes no arguments (glovebox nodes --help)");
		return GB_EXIT_USAGE;
	}
	if (port_given && !*sd) {
		err_print("--port goes with --prometheus-sd (glovebox nodes --help)");
		return GB_EXIT_USAGE;
	}
	if (*sd && *json) {
		err_print("--prometheus-sd prints JSON already: leave out --json");
		return GB_EXIT_USAGE;
	}
	return -1;
}

enum { N_ID, N_HOST, N_ROLE, N_AVAIL, N_STATE, N_CLASS, N_CPU, N_MEM, N_GPU, N_TASKS, N_COLS };

static int node_cmp(const void *a, const void *b)
{
	const struct node *x = *(const struct node *const *)a, *y = *(const struct node *const *)b;
	int c = strcmp(x->hostname ? x->hostname : "", y->hostname ? y->hostname : "");
	return c ? c : strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

static double percent(double part, double whole)
{
	return whole > 0 ? part / whole * 100 : 0;
}

int cmd_nodes(struct session *cli, int argc, char **argv)
{
	bool json, sd;
	long port;
	int done = nodes_args(argc, argv, &json, &sd, &port);
	if (done >= 0)
		return done;
	struct cluster *cl = NULL;
	int rc = cli_connect_negotiated(cli);
	if (rc == 0)
		rc = cli_cluster(cli, false, &cl);
	if (rc != 0)
		goto out;
	if (json && cluster_usage_source(cl) == USAGE_PROMETHEUS) {
		cluster_sample(cl, false);   /* one round: the nodes' figures come with the containers' */
		engine_run(cli->engine);
		if (cluster_usage_error(cl))
			put_sanitised(stderr, "glovebox: usage: ", cluster_usage_error(cl));
	}
	const struct node_list *nodes = cluster_nodes(cl);
	const struct node **sorted = xcalloc(nodes->n + 1, sizeof *sorted);
	for (size_t i = 0; i < nodes->n; i++)
		sorted[i] = &nodes->v[i];
	qsort(sorted, nodes->n, sizeof *sorted, node_cmp);

	if (sd) {
		print_sd(sorted, nodes->n, port);
	} else if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < nodes->n; i++) {
			const struct node *n = sorted[i];
			struct node_usage u;
			node_usage_get(n, cluster_services(cl), cluster_tasks(cl), &u);
			json_t *o = json_object();
			json_object_set_new(o, "id", jstr(n->id));
			json_object_set_new(o, "hostname", jstr(n->hostname));
			json_object_set_new(o, "role", jstr(n->role));
			json_object_set_new(o, "availability", jstr(n->availability));
			json_object_set_new(o, "state", jstr(n->state));
			json_object_set_new(o, "class", jstr(u.class_name));
			json_object_set_new(o, "leader", json_boolean(n->leader));
			json_object_set_new(o, "addr", jstr(n->addr));
			json_object_set_new(o, "engine_version", jstr(n->engine_version));
			json_object_set_new(o, "cpu_reserved", json_real(u.cpu_reserved));
			json_object_set_new(o, "cpu_capacity", json_real(u.cpu_capacity));
			json_object_set_new(o, "mem_reserved", json_integer(u.mem_reserved));
			json_object_set_new(o, "mem_capacity", json_integer(u.mem_capacity));
			json_object_set_new(o, "tasks_running", json_integer(u.tasks_running));
			json_t *gr = json_array();
			for (size_t k = 0; k < n->generic.n; k++) {
				const char *kind = n->generic.v[k].kind;
				int64_t cap = n->generic.v[k].count;
				json_t *g = json_object();
				json_object_set_new(g, "kind", jstr(kind));
				json_object_set_new(g, "reserved", json_integer(
					cap - node_free_generic(n, cluster_services(cl), cluster_tasks(cl), kind)));
				json_object_set_new(g, "capacity", json_integer(cap));
				json_array_append_new(gr, g);
			}
			json_object_set_new(o, "generic_resources", gr);
			bool cpu_known, mem_known;
			double cpu_used;
			uint64_t mem_used;
			cluster_node_used(cl, n->id, &cpu_known, &cpu_used, &mem_known, &mem_used);
			json_object_set_new(o, "cpu_used_percent", cpu_known ? json_real(cpu_used) : json_null());
			json_object_set_new(o, "mem_used_bytes", mem_known ? json_integer((json_int_t)mem_used) : json_null());
			json_array_append_new(arr, o);
		}
		json_print(arr);
	} else {
		static const char *const headers[N_COLS] = {"ID", "HOSTNAME", "ROLE", "AVAILABILITY", "STATE", "CLASS", "CPU", "MEM", "GPU", "TASKS"};
		static const size_t max_width[N_COLS] = {12, 32, 8, 12, 12, 16, 24, 32, 12, 0};
		int flags = san_flags();
		char **cells = xcalloc(nodes->n * N_COLS + 1, sizeof *cells);
		for (size_t i = 0; i < nodes->n; i++) {
			const struct node *n = sorted[i];
			struct node_usage u;
			char a[32], b[32];
			node_usage_get(n, cluster_services(cl), cluster_tasks(cl), &u);
			char **row = cells + i * N_COLS;
			row[N_ID] = sanitize(n->id ? n->id : "", n->id ? strnlen(n->id, 12) : 0, flags);
			row[N_HOST] = sanitize_str(n->hostname ? n->hostname : "-", flags);
			row[N_ROLE] = sanitize_str(n->role ? n->role : "-", flags);
			row[N_AVAIL] = sanitize_str(n->availability ? n->availability : "-", flags);
			row[N_STATE] = sanitize_str(n->state ? n->state : "-", flags);
			row[N_CLASS] = sanitize_str(u.class_name ? u.class_name : "-", flags);
			row[N_CPU] = xasprintf("%.4g/%.4g (%.0f%%)", u.cpu_reserved, u.cpu_capacity,
			                       percent(u.cpu_reserved, u.cpu_capacity));
			format_bytes(a, sizeof a, u.mem_reserved > 0 ? (uint64_t)u.mem_reserved : 0);
			format_bytes(b, sizeof b, u.mem_capacity > 0 ? (uint64_t)u.mem_capacity : 0);
			row[N_MEM] = xasprintf("%s/%s (%.0f%%)", a, b, percent((double)u.mem_reserved, (double)u.mem_capacity));
			row[N_GPU] = u.gpu_capacity > 0 ? xasprintf("%lld/%lld", (long long)u.gpu_reserved,
			                                            (long long)u.gpu_capacity)
			                                 : xstrdup("-");
			row[N_TASKS] = xasprintf("%u", u.tasks_running);
		}
		table_print(headers, max_width, N_COLS, cells, nodes->n, isatty(STDOUT_FILENO));
		for (size_t i = 0; i < nodes->n * N_COLS; i++)
			free(cells[i]);
		free(cells);
	}
	free(sorted);
out:
	cluster_free(&cl);
	cli_close(cli);
	return rc;
}
