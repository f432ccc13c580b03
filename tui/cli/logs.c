/* glovebox logs: a job's logs, decoded and sanitised, as much of them as the policy shows the
 * caller (docs/logs.md). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "api/core/identity.h"
#include "api/core/roles.h"
#include "api/swarm/logstream.h"
#include "api/swarm/store.h"
#include "tui/cli/cli.h"

static const char logs_usage[] =
	"usage: glovebox logs NAME [--follow] [--tail N] [--timestamps]\n"
	"\n"
	"Prints the logs of the job NAME (a service name, its ID or a unique start of the ID):\n"
	"its standard output to standard output and its standard error to standard error.\n"
	"Every line is sanitised: escape sequences and other control characters are shown as\n"
	"visible tokens (^[ , <U+202E>), never passed to the terminal; a line longer than\n"
	"64 KiB is cut and says how many bytes were cut.\n"
	"\n"
	"  -f, --follow       keep printing new lines until Ctrl-C or the job is removed\n"
	"  -n, --tail N       only the last N lines of the past (N >= 0, or \"all\": the default)\n"
	"  -t, --timestamps   put the engine's time (RFC 3339, UTC) before each line\n"
	"\n"
	"Researchers read only their own jobs, and the policy (researcher_logs) may show them\n"
	"only the last 100 lines or none; admins (root and the policy's admin_group) read\n"
	"every job's full logs.\n";

/* Set by SIGINT and SIGTERM; the handler can reach nothing else. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* ---- Finding the job ---- */

struct found {
	bool done, unreachable, not_found;
	char *error;
	struct service svc;         /* the fields logs need, owned */
};

static void on_resolved(void *ud, const struct service *s, const char *error, bool not_found,
                        bool unreachable)
{
	struct found *f = ud;
	f->done = true;
	f->not_found = not_found;
	f->unreachable = unreachable;
	if (!s) {
		f->error = xstrdup(error);
		return;
	}
	f->svc.id = xstrdup(s->id);
	f->svc.name = xstrdup(s->name);
	f->svc.tty = s->tty;
	/* Only the owner label matters here. */
	const char *owner = labels_get(&s->labels, "glovebox.owner");
	if (owner) {
		f->svc.labels.v = xcalloc(1, sizeof *f->svc.labels.v);
		f->svc.labels.v[0].key = xstrdup("glovebox.owner");
		f->svc.labels.v[0].value = xstrdup(owner);
		f->svc.labels.n = 1;
	}
}

/* ---- Printing ---- */

struct out {
	int flags;                  /* sanitize() flags */
	bool ascii, timestamps;
	bool done, write_failed;
	int write_errno;
	struct logs_end end;        /* error copied */
	char *end_error;
};

static void note_write(struct out *o, FILE *f)
{
	if (!o->write_failed && ferror(f)) {
		o->write_failed = true;
		o->write_errno = errno;
	}
}

static void on_line(void *ud, const struct log_line *l)
{
	struct out *o = ud;
	if (o->write_failed)
		return;
	char *text = sanitize(l->text, l->len, o->flags);
	if (l->stream == LOG_ENGINE) {
		/* Not the job's output: the engine could not read (part of) the logs. */
		fflush(stdout);
		err_print("engine: %s", text);
		free(text);
		return;
	}
	FILE *f = l->stream == LOG_STDERR ? stderr : stdout;
	if (f == stderr)
		fflush(stdout);
	if (o->timestamps) {
		char ts[48];
		if (l->ts_ns > 0)
			log_format_time(ts, sizeof ts, l->ts_ns);
		else
			snprintf(ts, sizeof ts, "%-30s", "-");
		fputs(ts, f);
		fputc(' ', f);
	}
	fputs(text, f);
	if (l->cut > 0) {
		char mark[64];
		log_cut_marker(mark, sizeof mark, l->cut, o->ascii);
		fputs(mark, f);
	}
	fputc('\n', f);
	free(text);
	note_write(o, f);
}

static void on_end(void *ud, const struct logs_end *end)
{
	struct out *o = ud;
	o->done = true;
	o->end = *end;
	o->end_error = xstrdup(end->error);
	o->end.error = o->end_error;
}

/* Run the stream until it ends, the user interrupts, or stdout goes away. */
static int stream_logs(struct session *cli, const struct service *svc, const struct logs_request *req,
                       bool timestamps)
{
	struct out o = {
		.flags = SAN_KEEP_TAB | SAN_STRIP_ESC | (locale_is_utf8() ? 0 : SAN_ASCII),
		.ascii = !locale_is_utf8(),
		.timestamps = timestamps,
	};
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term, old_pipe;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	/* A reader that went away is an EPIPE on write, not a signal that kills us mid-line. */
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old_pipe);

	interrupted = 0;
	/* Following a multiplexed stream, timestamps are asked for even when not shown: a stream
	 * that the connection cuts then reopens from the last line shown (logstream.h). */
	struct logs_request rq = *req;
	if (rq.follow && !svc->tty)
		rq.timestamps = true;
	struct logs_stream *ls = logs_stream_open(cli->engine, svc, &rq, on_line, on_end, &o);
	uint64_t told = 0;   /* the cuts said on stderr */
	while (!o.done && !interrupted && !o.write_failed) {
		int64_t now = mono_ns() / 1000000;
		logs_stream_tick(ls, now);
		int in_s = 0;
		const char *cut = logs_stream_cut(ls, now, &in_s);
		if (cut && told == logs_stream_reopens(ls)) {
			char *msg = sanitize_str(cut, o.flags);
			fflush(stdout);
			err_print("the log stream was cut (%s): opening it again in %ds", msg, in_s);
			free(msg);
			told++;
		}
		int wait = logs_stream_wait_ms(ls, now);
		if (engine_poll(cli->engine, NULL, 0, wait >= 0 && wait < 500 ? wait : 500) != 0)
			break;
		/* Lines reach a pipe as they arrive, not when a buffer fills. */
		fflush(stdout);
		note_write(&o, stdout);
	}
	logs_stream_free(&ls);
	fflush(stdout);
	note_write(&o, stdout);

	int rc = GB_EXIT_OK;
	if (o.write_failed) {
		/* EPIPE: the reader (head, a closed less) has what it wanted. */
		if (o.write_errno != EPIPE) {
			err_print("cannot write the logs: %s", strerror(o.write_errno));
			rc = GB_EXIT_ERROR;
		}
	} else if (interrupted) {
		rc = GB_EXIT_OK;
	} else if (o.end.removed) {
		err_print("the job was removed");
	} else if (o.end.error) {
		char *msg = sanitize_str(o.end.error, o.flags);
		err_print("%s", msg);
		free(msg);
		rc = o.end.unreachable ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
	} else if (!o.done) {
		err_print("the connection to the engine failed");
		rc = GB_EXIT_ERROR;
	}
	free(o.end_error);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return rc;
}

static int parse_tail(const char *s, long *tail)
{
	if (strcmp(s, "all") == 0) {
		*tail = -1;
		return 0;
	}
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < 0)
		return -1;
	*tail = v;
	return 0;
}

int cmd_logs(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"follow", no_argument, NULL, 'f'},
		{"tail", required_argument, NULL, 'n'},
		{"timestamps", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct logs_request req = {.tail = -1};
	bool timestamps = false;
	int c;
	while ((c = getopt_long(argc, argv, "fn:th", opts, NULL)) != -1) {
		switch (c) {
		case 'f': req.follow = true; break;
		case 't': timestamps = true; break;
		case 'n':
			if (parse_tail(optarg, &req.tail) != 0) {
				char *a = sanitize_str(optarg, 0);
				err_print("--tail takes a number of lines (0 or more) or \"all\", not \"%s\"", a);
				free(a);
				return GB_EXIT_USAGE;
			}
			break;
		case 'h': fputs(logs_usage, stdout); return GB_EXIT_OK;
		default: fputs(logs_usage, stderr); return GB_EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !*argv[optind]) {
		err_print("logs takes one job name or ID (glovebox logs --help)");
		return GB_EXIT_USAGE;
	}
	/* Ask for timestamps only when they are shown: in a raw (TTY) stream the engine also puts
	 * them inside lines longer than 16 KiB, where they cannot be told from text. */
	req.timestamps = timestamps;
	const char *name = argv[optind];
	char *shown = sanitize_str(name, 0);

	struct whoami me = {0};
	struct policy pol = {0};
	struct found f = {0};
	bool have_policy = false;
	char *err = NULL;
	int rc;
	if (whoami_current(&me, &err) != 0) {
		err_print("%s", err);
		rc = GB_EXIT_ERROR;
		goto out;
	}
	if ((rc = cli_connect_negotiated(cli)) != 0)
		goto out;
	/* No policy at all is not an error here: there is no rule to apply beyond ownership. */
	rc = cli_policy(cli, &pol, CLI_POLICY_OPTIONAL);
	if (rc == 1) {
		rc = 0;
	} else if (rc != 0) {
		goto out;
	} else {
		have_policy = true;
	}
	/* Roles as everywhere in glovebox (roles.h): root, or the admin_group of the policy that
	 * governs, which for anyone else is always a trusted one. */
	bool admin = role_of(&me, have_policy ? policy_admin_group(&pol) : NULL) == ROLE_ADMIN;

	/* To a researcher another user's job does not exist: the same answer as for no job at all. */
	struct actor researcher = {.user = me.user, .role = ROLE_RESEARCHER};
	logs_resolve(cli->engine, name, admin ? NULL : &researcher, on_resolved, &f);
	cli_wait(cli, &f.done, NULL);
	if (!f.done || f.error) {
		err_print("%s: %s", shown, f.error ? f.error : "the engine did not answer");
		rc = f.unreachable ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
		goto out;
	}
	if (logs_authorize(have_policy ? &pol : NULL, admin, me.user, &f.svc, &req, &err) != 0) {
		err_print("%s: %s", shown, err);
		rc = GB_EXIT_ERROR;
		goto out;
	}
	if (req.capped)
		err_print("the policy shows researchers only the last %d lines of a job's past logs",
		          LOGS_TAIL_LINES);
	rc = stream_logs(cli, &f.svc, &req, timestamps);
out:
	free(err);
	free(f.error);
	free(f.svc.id);
	free(f.svc.name);
	labels_clear(&f.svc.labels);
	policy_clear(&pol);
	whoami_clear(&me);
	free(shown);
	cli_close(cli);
	return rc;
}
