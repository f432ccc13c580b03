/* glovebox ls: the jobs of the swarm as a table or as JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "api/cluster.h"
#include "api/xalloc.h"
#include "tui/cli.h"
#include "widgets/sanitize.h"

enum { COL_ID, COL_NAME, COL_IMAGE, COL_OWNER, COL_CLASS, COL_REPLICAS, COL_STATE, COL_CPU,
       COL_MEM, COL_AGE, COL_REASON, N_COLS };

static const char *const headers[N_COLS] = {
	"ID", "NAME", "IMAGE", "OWNER", "CLASS", "REPLICAS", "STATE", "CPU", "MEM", "AGE", "REASON",
};
/* Widest a column may get in the table; --json has the full values. */
static const size_t max_width[N_COLS] = {12, 32, 40, 16, 10, 9, 8, 14, 18, 5, 0};

static int job_cmp(const void *a, const void *b)
{
	const struct job *x = a, *y = b;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* The cells of one row, sanitised, owned by the caller. */
static void row_cells(const struct job *j, int64_t now, int flags, char *cells[N_COLS])
{
	char a[64], b[64];
	cells[COL_ID] = sanitize(j->id ? j->id : "", j->id ? strnlen(j->id, 12) : 0, flags);
	cells[COL_NAME] = sanitize_str(j->name, flags);
	cells[COL_IMAGE] = sanitize_str(j->image, flags);
	cells[COL_OWNER] = sanitize_str(j->owner ? j->owner : "-", flags);
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
	cells[COL_REASON] = sanitize_str(j->reason ? j->reason : "", flags);
}

static void print_table(const struct job_list *jobs, bool tty)
{
	int flags = locale_is_utf8() ? 0 : SAN_ASCII;
	bool ascii = flags & SAN_ASCII;
	int64_t now = now_ns();
	size_t n = jobs->n;
	char *(*cells)[N_COLS] = xcalloc(n + 1, sizeof *cells);
	size_t width[N_COLS];
	for (int c = 0; c < N_COLS; c++)
		width[c] = strlen(headers[c]);
	for (size_t i = 0; i < n; i++) {
		row_cells(&jobs->v[i], now, flags, cells[i]);
		for (int c = 0; c < N_COLS; c++) {
			size_t w = text_width(cells[i][c]);
			if (max_width[c] && w > max_width[c])
				w = max_width[c];
			if (w > width[c])
				width[c] = w;
		}
	}
	/* On a terminal the reason fills what is left of the line; in a pipe it is whole. */
	size_t reason_cols = 0;
	if (tty) {
		struct winsize ws;
		size_t used = 0;
		for (int c = 0; c < COL_REASON; c++)
			used += width[c] + 2;
		size_t cols = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
		reason_cols = cols > used + 8 ? cols - used : 8;
	}
	size_t bufsz = 4096;
	char *buf = xmalloc(bufsz);
	for (size_t i = 0; i <= n; i++) {
		for (int c = 0; c < N_COLS; c++) {
			const char *s = i == 0 ? headers[c] : cells[i - 1][c];
			bool last = c == N_COLS - 1;
			size_t w = last ? (reason_cols ? reason_cols : text_width(s)) : width[c];
			if (bufsz < w * 4 + 8) {
				bufsz = w * 4 + 8;
				buf = xrealloc(buf, bufsz);
			}
			text_fit(buf, bufsz, s, w, !last, ascii);
			fputs(buf, stdout);
			if (!last)
				fputs("  ", stdout);
		}
		fputc('\n', stdout);
	}
	free(buf);
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < N_COLS; c++)
			free(cells[i][c]);
	free(cells);
}

int cmd_ls(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"no-usage", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool json = false, usage = true;
	int c;
	while ((c = getopt_long(argc, argv, "jnh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'n': usage = false; break;
		case 'h':
			puts("usage: glovebox ls [--json] [--no-usage]\n\n"
			     "Lists the swarm's services as jobs: state (with the scheduler's reason when\n"
			     "pending, exit code or OOM when failed), replicas, and CPU and memory usage of\n"
			     "the tasks on the connected node (sampled over about a second).\n"
			     "--no-usage skips the sampling.");
			return GB_EXIT_OK;
		default:
			return GB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("ls takes no arguments (glovebox ls --help)");
		return GB_EXIT_USAGE;
	}
	int rc = cli_connect(cli);
	if (rc != 0)
		return rc;
	struct cluster *cl = cluster_new(cli->engine);
	cluster_refresh(cl);   /* negotiates first, then fetches info, services and tasks */
	engine_run(cli->engine);
	if (cluster_error(cl)) {
		cli_error("%s", cluster_error(cl));
		rc = cluster_unreachable(cl) ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
		goto out;
	}
	if (usage) {
		cluster_sample(cl, true);
		engine_run(cli->engine);
	}
	struct job_list jobs = {0};
	cluster_jobs(cl, &jobs);
	qsort(jobs.v, jobs.n, sizeof *jobs.v, job_cmp);
	if (json) {
		/* JSON escapes C0 controls but not DEL or C1; on a terminal escape all non-ASCII. */
		char *out = job_list_json(&jobs, true, isatty(STDOUT_FILENO));
		puts(out);
		free(out);
	} else {
		print_table(&jobs, isatty(STDOUT_FILENO));
	}
	job_list_clear(&jobs);
out:
	cluster_free(&cl);
	cli_close(cli);
	return rc;
}
