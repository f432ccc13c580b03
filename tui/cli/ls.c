/* glovebox ls: the jobs of the swarm as a table or as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <time.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "api/core/attention.h"
#include "api/core/jobtext.h"
#include "api/core/roles.h"
#include "api/engine/jsonout.h"
#include "api/swarm/cluster.h"
#include "api/swarm/jobview.h"
#include "tui/cli/admin.h"
#include "tui/cli/cli.h"
#include "tui/cli/out.h"

enum { COL_ID, COL_NAME, COL_IMAGE, COL_OWNER, COL_CLASS, COL_REPLICAS, COL_STATE, COL_CPU,
       COL_MEM, COL_AGE, COL_EXPIRES, COL_REASON, N_COLS };

static const char *const headers[N_COLS] = {
	"ID", "NAME", "IMAGE", "OWNER", "CLASS", "REPLICAS", "STATE", "CPU", "MEM", "AGE", "EXPIRES",
	"REASON",
};
/* Widest a column may get in the table; --json has the full values. */
static const size_t max_width[N_COLS] = {12, 32, 40, 16, 10, 9, 8, 14, 18, 5, 18, 0};

/* Services without glovebox.owner were not made by glovebox (only admins see them). */
#define NOT_GLOVEBOX JOB_NOT_GLOVEBOX

/* The cells of one row, sanitised, owned by the caller. att may be NULL (no --attention). */
static void row_cells(const struct job *j, const struct attention *att, int64_t now, int flags,
                      char *cells[N_COLS])
{
	char a[64], b[64];
	cells[COL_ID] = sanitize(j->id ? j->id : "", j->id ? strnlen(j->id, 12) : 0, flags);
	cells[COL_NAME] = sanitize_str(j->name, flags);
	cells[COL_IMAGE] = sanitize_str(j->image, flags);
	cells[COL_OWNER] = sanitize_str(j->owner ? j->owner : NOT_GLOVEBOX, flags);
	cells[COL_CLASS] = sanitize_str(j->class_name ? j->class_name : "-", flags);
	cells[COL_REPLICAS] = xasprintf("%llu/%llu", (unsigned long long)j->running,
	                                (unsigned long long)j->desired);
	cells[COL_STATE] = xstrdup(job_state_name(j->state));
	if (!j->sampled)
		cells[COL_CPU] = xstrdup("-");
	else if (j->cpu_limit > 0)
		cells[COL_CPU] = xasprintf("%.1f%% of %.4g", j->cpu_percent, j->cpu_limit);
	else
		cells[COL_CPU] = xasprintf("%.1f%%", j->cpu_percent);
	if (!j->sampled) {
		cells[COL_MEM] = xstrdup("-");
	} else {
		format_bytes(a, sizeof a, j->mem_used);
		if (j->mem_limit > 0) {
			format_bytes(b, sizeof b, (uint64_t)j->mem_limit);
			cells[COL_MEM] = xasprintf("%s/%s", a, b);
		} else {
			cells[COL_MEM] = xstrdup(a);
		}
	}
	format_age(a, sizeof a, (now - j->created_ns) / 1000000000LL);
	cells[COL_AGE] = xstrdup(j->created_ns > 0 ? a : "-");
	job_expiry_cell(a, sizeof a, j, now / 1000000000LL);
	cells[COL_EXPIRES] = xstrdup(a);
	const char *reason = att && att->why ? att->why : j->reason;
	cells[COL_REASON] = sanitize_str(reason ? reason : "", flags);
}

static void print_table(const struct job_list *jobs, const struct attention *const *att, bool tty)
{
	int flags = locale_is_utf8() ? 0 : SAN_ASCII;
	int64_t now = now_ns();
	size_t n = jobs->n;
	/* Row-major for table_print; on a terminal the reason fills what is left of the line, in
	 * a pipe it is whole. */
	char **cells = xcalloc(n * N_COLS + 1, sizeof *cells);
	for (size_t i = 0; i < n; i++)
		row_cells(&jobs->v[i], att ? att[i] : NULL, now, flags, cells + i * N_COLS);
	table_print(headers, max_width, N_COLS, cells, n, tty);
	for (size_t i = 0; i < n * N_COLS; i++)
		free(cells[i]);
	free(cells);
}

static const char *hostname_of(const struct cluster *cl, const char *node_id)
{
	const struct node *n = cluster_node(cl, node_id);
	return n && n->hostname ? n->hostname : node_id;
}

/* The hostnames of the nodes where the job's current tasks run, each once, in the tasks'
 * order. */
static json_t *running_nodes(const struct cluster *cl, const struct job *j)
{
	json_t *arr = json_array();
	const struct task_list *tl = cluster_tasks(cl);
	for (size_t i = 0; j->service && i < tl->n; i++) {
		const struct task *t = &tl->v[i];
		if (!t->node_id || !t->service_id || strcmp(t->service_id, j->id) != 0 ||
		    !t->state || strcmp(t->state, "running") != 0)
			continue;
		const char *h = hostname_of(cl, t->node_id);
		bool seen = false;
		for (size_t k = 0; k < json_array_size(arr) && !seen; k++)
			seen = strcmp(json_string_value(json_array_get(arr, k)), h) == 0;
		if (!seen)
			json_array_append_new(arr, jsonout_text(h));
	}
	return arr;
}

/* The keys job_list_json() does not know: managed, expires_at, node, nodes, usage_source,
 * usage_age_s, and with --attention the attention object. Takes and returns the document text. */
static char *add_keys(char *doc, const struct job_list *jobs, const struct attention *const *att,
                      const struct cluster *cl)
{
	json_t *arr = json_loads(doc, 0, NULL);
	if (!json_is_array(arr) || json_array_size(arr) != jobs->n) {
		json_decref(arr);
		return doc;
	}
	for (size_t i = 0; i < jobs->n; i++) {
		json_t *o = json_array_get(arr, i);
		int64_t at;
		char when[32];
		json_object_set_new(o, "managed", json_boolean(jobs->v[i].managed));
		const struct job *j = &jobs->v[i];
		json_object_set_new(o, "node", j->node_id ? jsonout_text(hostname_of(cl, j->node_id)) : json_null());
		json_object_set_new(o, "nodes", running_nodes(cl, j));
		json_object_set_new(o, "usage_source", json_string(usage_source_name(cluster_usage_source(cl))));
		int64_t age = cluster_usage_age_ms(cl);
		json_object_set_new(o, "usage_age_s", age >= 0 && j->sampled ? json_real((double)(age / 100) / 10) : json_null());
		if (job_expires_at(&jobs->v[i], &at)) {
			time_t t = (time_t)at;
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
			json_object_set_new(o, "expires_at", json_string(when));
		} else {
			json_object_set_new(o, "expires_at", json_null());
		}
		if (att) {
			json_t *why = att[i]->why ? json_string(att[i]->why) : NULL;
			json_t *a = att[i]->kind == ATT_NONE ? json_null()
			            : json_pack("{s:s, s:o}", "kind", attention_kind_name(att[i]->kind), "why",
			                        why ? json_incref(why) : json_null());
			json_decref(why);
			json_object_set_new(o, "attention", a);
		}
	}
	char *out = json_dumps(arr, JSON_PRESERVE_ORDER | JSON_INDENT(2) |
	                                (isatty(STDOUT_FILENO) ? JSON_ENSURE_ASCII : 0));
	json_decref(arr);
	if (!out)
		return doc;
	free(doc);
	return out;
}

/* The policy's metrics settings, when neither --metrics nor GLOVEBOX_METRICS said: the
 * researcher's policy is at hand; root's is read for this (docs/metrics.md). */
static void usage_settings(struct session *cli, const struct who *w)
{
	struct policy pol = {0};
	const struct policy *p = w->have_policy ? &w->pol : NULL;
	bool own = false;
	if (!p && cli->metrics_from == METRICS_NONE && getuid() == 0 &&
	    cli_policy(cli, &pol, CLI_POLICY_OPTIONAL) == 0) {
		p = &pol;
		own = true;
	}
	char *err = NULL;
	if (p && session_metrics_policy(cli, p, &err) != 0) {
		err_print("usage from the engine: %s", err);
		free(err);
	}
	if (own)
		policy_clear(&pol);
}

/* One line on stderr when usage from Prometheus is missing or old. */
static void usage_note(const struct cluster *cl, bool usage)
{
	const char *why = cluster_usage_error(cl);
	if (!usage || cluster_usage_source(cl) != USAGE_PROMETHEUS || !why)
		return;
	int64_t age = cluster_usage_age_ms(cl);
	char *msg = age < 0 ? xasprintf("usage: no figures: %s", why)
	                    : xasprintf("usage: figures are %lld s old: %s", (long long)(age / 1000), why);
	put_sanitised(stderr, "glovebox: ", msg);
	free(msg);
}

int cmd_ls(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"no-usage", no_argument, NULL, 'n'},
		{"attention", no_argument, NULL, 'a'},
		{"pending-after", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool json = false, usage = true, attention = false;
	int64_t pending_after = ATTENTION_PENDING_DEFAULT;
	char *err = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "jnap:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'n': usage = false; break;
		case 'a': attention = true; break;
		case 'p':
			if (parse_duration(optarg, &pending_after, &err) != 0) {
				err_print("--pending-after: %s", err);
				free(err);
				return GB_EXIT_USAGE;
			}
			break;
		case 'h':
			puts("usage: glovebox ls [--json] [--no-usage] [--attention [--pending-after DURATION]]\n\n"
			     "Lists the swarm's services as jobs: state (with the scheduler's reason when\n"
			     "pending, exit code or OOM when failed), replicas, and CPU and memory usage of\n"
			     "the tasks on the connected node (sampled over about a second).\n"
			     "--no-usage skips the sampling. --attention lists first the jobs that need a\n"
			     "person (OOM kills, restart loops, long waits, expired, failed), with why;\n"
			     "a wait is long after --pending-after (default 10m).\n"
			     "Researchers see only their own jobs; admins see all, and services not made\n"
			     "by glovebox show the owner " NOT_GLOVEBOX ".");
			return GB_EXIT_OK;
		default:
			return GB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		err_print("ls takes no arguments (glovebox ls --help)");
		return GB_EXIT_USAGE;
	}
	struct who w = {0};
	struct jobview *view = NULL;
	int rc = cli_connect(cli);
	if (rc != 0)
		return rc;
	struct cluster *cl = cluster_new(cli->engine);
	cluster_refresh(cl);   /* negotiates first, then fetches info, services and tasks */
	engine_run(cli->engine);
	if (cluster_error(cl)) {
		err_print("%s", cluster_error(cl));
		rc = cluster_unreachable(cl) ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
		goto out;
	}
	/* Root needs no policy to be an admin; others need the engine (negotiated by now). */
	if ((rc = who_establish(cli, &w)) != 0)
		goto out;
	usage_settings(cli, &w);
	if (usage || attention) {
		/* Without usage, one-shot samples still inspect failed containers for OOM kills. */
		cluster_sample(cl, usage);
		engine_run(cli->engine);
		usage_note(cl, usage);
	}
	/* 0 would mean the default: a threshold of "at once" is one second. */
	struct jobview_opts vo = {.pending_threshold = pending_after == 0 ? 1 : pending_after};
	view = jobview_new(&vo);
	jobview_update_cluster(view, cl, &w.actor, (int64_t)time(NULL));
	/* The rows in the order shown: by name, or most urgent first. They are copies of the
	 * view's jobs by value, for job_list_json(): the view keeps owning what they point to. */
	size_t n = jobview_count(view);
	struct job_list jobs = {xcalloc(n + 1, sizeof *jobs.v), n};
	const struct attention **att = attention ? xcalloc(n + 1, sizeof *att) : NULL;
	for (size_t k = 0; k < n; k++) {
		size_t i = attention ? jobview_ranked(view, k) : k;
		jobs.v[k] = *jobview_job(view, i);
		if (att)
			att[k] = jobview_attention(view, i);
	}
	if (json) {
		/* JSON escapes C0 controls but not DEL or C1; on a terminal escape all non-ASCII. */
		char *out = job_list_json(&jobs, true, isatty(STDOUT_FILENO));
		out = add_keys(out, &jobs, att, cl);
		puts(out);
		free(out);
	} else {
		print_table(&jobs, att, isatty(STDOUT_FILENO));
	}
	free(att);
	free(jobs.v);   /* not job_list_clear(): the jobs are the view's */
out:
	jobview_free(&view);
	who_clear(&w);
	cluster_free(&cl);
	cli_close(cli);
	return rc;
}
