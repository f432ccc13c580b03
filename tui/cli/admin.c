/* glovebox rm, scale, node, reap and audit: acting on jobs and nodes by role, each action
 * on record in the swarm's audit log; and who runs glovebox, shared with ls, ps and nodes. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/base/sanitize.h"
#include "api/base/str.h"
#include "api/base/timefmt.h"
#include "api/base/xalloc.h"
#include "api/core/attention.h"
#include "api/engine/jsonout.h"
#include "api/swarm/actions.h"
#include "api/swarm/audit.h"
#include "api/swarm/cluster.h"
#include "api/swarm/jobview.h"
#include "tui/cli/admin.h"
#include "tui/cli/out.h"

/* ---- shared ---- */

/* err_print() for text that came from the engine or a user. */
static void error_sanitised(const char *prefix, const char *s)
{
	put_sanitised(stderr, prefix, s);
}

int who_establish(struct session *cli, struct who *w)
{
	char *err = NULL;
	if (who_begin(w, &err) != 0) {
		err_print("%s", err);
		free(err);
		return GB_EXIT_ERROR;
	}
	if (w->actor.role == ROLE_ADMIN)
		return 0;
	int rc = cli_policy(cli, &w->pol, 0);
	if (rc == GB_EXIT_UNREACHABLE)
		return rc;
	if (rc != 0) {
		err_print("without a policy glovebox cannot tell who the admins are: you act as a researcher, on your own jobs only");
		return 0;
	}
	w->have_policy = true;
	who_apply_policy(w);
	return 0;
}

static int denied(const struct who *w, const char *what)
{
	char *msg = who_denied_text(w, what);
	error_sanitised("glovebox: ", msg);
	free(msg);
	return GB_EXIT_DENIED;
}

int cli_cluster(struct session *cli, bool inspect, struct cluster **out)
{
	struct cluster *cl = cluster_new(cli->engine);
	cluster_refresh(cl);
	engine_run(cli->engine);
	if (!cluster_error(cl) && inspect) {
		cluster_sample(cl, false);
		engine_run(cli->engine);
	}
	if (cluster_error(cl)) {
		error_sanitised("glovebox: ", cluster_error(cl));
		int rc = cluster_unreachable(cl) ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
		cluster_free(&cl);
		return rc;
	}
	*out = cl;
	return 0;
}

/* A line from the terminal, without its newline; NULL at end of input. */
static char *read_line(const char *prompt)
{
	fputs(prompt, stderr);
	fflush(stderr);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static bool confirmed(const char *prompt)
{
	char *answer = read_line(prompt);
	bool yes = answer && (strcmp(answer, "y") == 0 || strcmp(answer, "yes") == 0);
	free(answer);
	return yes;
}

/* A reason: checked when given; asked for on a terminal when required and missing. Returns 0
 * with *out (borrowed or owned in *owned), or an exit code after saying why. */
static int get_reason(const char *given, bool required, const char *what, const char **out, char **owned)
{
	char *err = NULL;
	*out = given;
	if (!given && required) {
		if (!isatty(STDIN_FILENO)) {
			err_print("%s needs --reason TEXT: it is recorded in the audit log", what);
			return GB_EXIT_USAGE;
		}
		*owned = read_line("Reason (recorded in the audit log): ");
		*out = *owned;
		if (!*out) {
			err_print("no reason given: nothing was done");
			return GB_EXIT_USAGE;
		}
	}
	if (*out && audit_reason_check(*out, &err) != 0) {
		err_print("--reason: %s", err);
		free(err);
		return GB_EXIT_USAGE;
	}
	return 0;
}

/* ---- running an action to its end ---- */

struct outcome {
	bool ok, unreachable, not_found;
	char *error, *warning, *audit, *detail;
};

static void outcome_clear(struct outcome *o)
{
	free(o->error);
	free(o->warning);
	free(o->audit);
	free(o->detail);
	memset(o, 0, sizeof *o);
}

static void admin_on_progress(void *ud, const char *step)
{
	(void)ud;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "glovebox: %s...\n", step);
}

static void admin_on_done(void *ud, const struct action_result *r)
{
	struct outcome *o = ud;
	o->ok = r->ok;
	o->unreachable = r->unreachable;
	o->not_found = r->not_found;
	o->error = xstrdup(r->error);
	o->warning = xstrdup(r->warning);
	o->audit = xstrdup(r->audit_config);
	o->detail = xstrdup(r->detail);
}

static void action_wait(struct session *cli, struct action *a)
{
	while (!action_finished(a)) {
		int ms = action_wait_ms(a, mono_ns());
		int timeout = ms < 0 || ms > 200 ? 200 : ms;
		if (engine_poll(cli->engine, NULL, 0, timeout) != 0)
			break;
		action_tick(a, mono_ns());
	}
}

static int outcome_rc(const struct outcome *o)
{
	if (o->ok)
		return GB_EXIT_OK;
	return o->unreachable ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
}

/* Connect, learn who runs glovebox and fetch the cluster. */
static int admin_prepare(struct session *cli, struct who *w, struct cluster **cl, bool inspect)
{
	int rc = cli_connect_negotiated(cli);
	if (rc == 0)
		rc = who_establish(cli, w);
	if (rc == 0)
		rc = cli_cluster(cli, inspect, cl);
	return rc;
}

/* The visible job called name; prints why not and returns NULL. */
static const struct job *visible_job(const struct who *w, const struct jobview *view, const char *name)
{
	char *err = NULL;
	const struct job *j = jobview_find(view, name, NULL, &err);
	if (!j) {
		if (w->actor.role == ROLE_RESEARCHER) {
			char *msg = xasprintf("%s among your jobs (researchers see and act only on their own)", err);
			free(err);
			err = msg;
		}
		error_sanitised("glovebox: ", err);
		free(err);
	}
	return j;
}

/* What rm and scale share: who asks, the job they name, whether they may act on it, the reason
 * and the action's outcome. */
struct job_act {
	struct who w;
	struct cluster *cl;
	struct jobview *view;        /* the jobs the account sees */
	const struct job *j;
	enum permit permit;
	const char *reason;          /* given, or owned_reason, or NULL */
	char *owned_reason;
	struct audit_record rec;
	struct outcome o;
};

/* Connect, find the job called name among those the account sees and check it may do act
 * (replicas: for ACT_SCALE; deny_what: "remove other users' jobs"). 0, or the exit code once
 * the reason is printed. */
static int job_act_open(struct session *cli, struct job_act *ja, const char *name, enum act act,
                        uint64_t replicas, const char *deny_what)
{
	int rc = admin_prepare(cli, &ja->w, &ja->cl, false);
	if (rc != 0)
		return rc;
	ja->view = jobview_new(NULL);
	jobview_update_cluster(ja->view, ja->cl, &ja->w.actor, (int64_t)time(NULL));
	ja->j = visible_job(&ja->w, ja->view, name);
	if (!ja->j)
		return GB_EXIT_ERROR;
	ja->permit = act == ACT_SCALE ? actor_may_scale(&ja->w.actor, ja->j->owner, replicas)
	                              : actor_may(&ja->w.actor, act, ja->j->owner);
	if (ja->permit != PERMIT_DENY)
		return 0;
	bool own = str_eq(ja->j->owner, ja->w.me.user);
	if (act == ACT_SCALE && replicas > 1 && own) {
		err_print("researchers scale their own jobs to 0 or 1 only (pause and resume): each "
		          "replica reserves the job's CPUs and memory again; ask an admin for more");
		return GB_EXIT_DENIED;
	}
	return denied(&ja->w, deny_what);
}

/* The reason: given, or asked for when the account must give one (what: "removing a job that
 * is not yours"). */
static int job_act_reason(struct job_act *ja, const char *given, const char *what)
{
	return get_reason(given, ja->permit == PERMIT_WITH_REASON, what, &ja->reason, &ja->owned_reason);
}

/* The audit record of act on the job, once the account has confirmed it. */
static const struct audit_record *job_act_record(struct job_act *ja, enum audit_action act)
{
	audit_record_init(&ja->rec, ja->w.me.user, act, ja->j->name, ja->j->id, ja->j->owner, ja->reason);
	return &ja->rec;
}

/* Run the action to its end; the exit code. */
static int job_act_run(struct session *cli, struct job_act *ja, struct action *a)
{
	action_wait(cli, a);
	action_free(&a);
	return outcome_rc(&ja->o);
}

static void job_act_close(struct session *cli, struct job_act *ja)
{
	audit_clear(&ja->rec);
	outcome_clear(&ja->o);
	free(ja->owned_reason);
	jobview_free(&ja->view);
	cluster_free(&ja->cl);
	who_clear(&ja->w);
	cli_close(cli);
}

/* ---- glovebox rm ---- */

static const char rm_usage[] =
	"usage: glovebox rm NAME [--reason TEXT] [--yes]\n"
	"\n"
	"Removes a job: its service (the swarm stops its tasks) and then its network.\n"
	"Asks for confirmation on a terminal; elsewhere --yes is required. Researchers remove\n"
	"their own jobs only; an admin removing another user's job must give a reason.\n"
	"Every removal is recorded in the swarm's audit log (glovebox audit).\n";

int cmd_rm(struct session *cli, int argc, char **argv)
{
	const char *reason_arg;
	bool yes;
	int rc = cli_reason_args(argc, argv, rm_usage, &reason_arg, &yes);
	if (rc >= 0)
		return rc;
	if (argc - optind != 1) {
		err_print("rm takes one job name (glovebox rm --help)");
		return GB_EXIT_USAGE;
	}
	struct job_act ja = {0};
	rc = job_act_open(cli, &ja, argv[optind], ACT_RM, 0, "remove other users' jobs");
	if (rc == 0)
		rc = job_act_reason(&ja, reason_arg, "removing a job that is not yours");
	if (rc != 0)
		goto out;
	const struct job *j = ja.j;
	if (!yes) {
		if (!isatty(STDIN_FILENO)) {
			err_print("rm asks for confirmation: add --yes when not on a terminal");
			rc = GB_EXIT_USAGE;
			goto out;
		}
		char *prompt = xasprintf("Remove job %s (owner %s, %llu running)? Its tasks are stopped%s. [y/N] ",
		                         j->name, j->owner ? j->owner : "none: not made by glovebox",
		                         (unsigned long long)j->running, j->managed ? " and its network removed" : "");
		char *clean = sanitize_str(prompt, 0);
		bool ok = confirmed(clean);
		free(clean);
		free(prompt);
		if (!ok) {
			err_print("not removed");
			rc = GB_EXIT_ERROR;
			goto out;
		}
	}
	rc = job_act_run(cli, &ja, action_remove_job(cli->engine, job_act_record(&ja, AUDIT_RM), NULL,
	                                             admin_on_progress, admin_on_done, &ja.o));
	if (ja.o.ok) {
		char *msg = xasprintf("removed job %s (audit record %s)", j->name, ja.o.audit ? ja.o.audit : "none");
		put_sanitised(stdout, "", msg);
		free(msg);
		if (ja.o.warning)
			error_sanitised("glovebox: warning: ", ja.o.warning);
	} else {
		error_sanitised("glovebox: ", ja.o.error ? ja.o.error : "the job could not be removed");
	}
out:
	job_act_close(cli, &ja);
	return rc;
}

/* ---- glovebox scale ---- */

static const char scale_usage[] =
	"usage: glovebox scale NAME REPLICAS [--reason TEXT]\n"
	"\n"
	"Pauses a job (0 replicas: its task is stopped, the job and its network stay) or resumes\n"
	"it (1). Researchers scale their own jobs to 0 or 1 only. Admins may scale any job to up to\n"
	"1000 replicas; each replica reserves the job's CPUs and memory again, so anything but\n"
	"pausing or resuming one's own job needs a reason. Recorded in the swarm's audit log\n"
	"(glovebox audit).\n";

int cmd_scale(struct session *cli, int argc, char **argv)
{
	const char *reason_arg;
	int rc = cli_reason_args(argc, argv, scale_usage, &reason_arg, NULL);
	if (rc >= 0)
		return rc;
	uint64_t replicas;
	if (argc - optind != 2 || replicas_parse(argv[optind + 1], &replicas) != 0) {
		err_print("usage: glovebox scale NAME REPLICAS (0 pauses the job, 1 resumes it; admins up to %d)",
		          REPLICAS_MAX);
		return GB_EXIT_USAGE;
	}
	struct job_act ja = {0};
	rc = job_act_open(cli, &ja, argv[optind], ACT_SCALE, replicas, "scale other users' jobs");
	if (rc != 0)
		goto out;
	const struct job *j = ja.j;
	if (j->service && j->service->mode == MODE_REPLICATED && j->service->replicas == replicas) {
		char *msg = xasprintf("job %s already has %llu replica%s: nothing to do", j->name,
		                      (unsigned long long)replicas, replicas == 1 ? "" : "s");
		put_sanitised(stdout, "", msg);
		free(msg);
		goto out;
	}
	rc = job_act_reason(&ja, reason_arg, replicas > 1 ? "scaling beyond one replica" : "scaling a job that is not yours");
	if (rc != 0)
		goto out;
	rc = job_act_run(cli, &ja, action_scale_job(cli->engine, job_act_record(&ja, AUDIT_SCALE), replicas,
	                                            NULL, admin_on_progress, admin_on_done, &ja.o));
	if (ja.o.ok) {
		char *msg = xasprintf("scaled job %s: %s (audit record %s)", j->name, ja.o.detail ? ja.o.detail : "",
		                      ja.o.audit ? ja.o.audit : "none");
		put_sanitised(stdout, "", msg);
		free(msg);
	} else {
		error_sanitised("glovebox: ", ja.o.error ? ja.o.error : "the job could not be scaled");
	}
out:
	job_act_close(cli, &ja);
	return rc;
}

/* ---- glovebox node ---- */

static const char node_usage_text[] =
	"usage: glovebox node pause|activate|drain NAME [--reason TEXT] [--yes]\n"
	"\n"
	"Admins only. pause: the swarm places no new tasks on the node; running jobs keep running.\n"
	"activate: the node takes new tasks again. drain: the swarm STOPS EVERY RUNNING TASK on\n"
	"the node and moves jobs elsewhere if they fit (a job's state in memory is lost), so it\n"
	"needs --yes. NAME is the node's hostname or ID. Recorded in the audit log.\n";

int cmd_node(struct session *cli, int argc, char **argv)
{
	const char *reason;
	bool yes;
	int rc = cli_reason_args(argc, argv, node_usage_text, &reason, &yes);
	if (rc >= 0)
		return rc;
	enum audit_action act;
	if (argc - optind != 2) {
		fputs(node_usage_text, stderr);
		return GB_EXIT_USAGE;
	}
	if (strcmp(argv[optind], "pause") == 0)
		act = AUDIT_PAUSE_NODE;
	else if (strcmp(argv[optind], "activate") == 0)
		act = AUDIT_ACTIVATE_NODE;
	else if (strcmp(argv[optind], "drain") == 0)
		act = AUDIT_DRAIN_NODE;
	else {
		err_print("node takes pause, activate or drain, not \"%s\"", argv[optind]);
		return GB_EXIT_USAGE;
	}
	char *err = NULL;
	if (reason && audit_reason_check(reason, &err) != 0) {
		err_print("--reason: %s", err);
		free(err);
		return GB_EXIT_USAGE;
	}
	const char *name = argv[optind + 1];
	struct who w = {0};
	struct cluster *cl = NULL;
	struct outcome o = {0};
	struct audit_record rec = {0};
	rc = admin_prepare(cli, &w, &cl, false);
	if (rc != 0)
		goto out;
	if (actor_may(&w.actor, ACT_NODE, NULL) == PERMIT_DENY) {
		rc = denied(&w, "pause, activate or drain nodes");
		goto out;
	}
	const struct node *n = node_find(cluster_nodes(cl), name, &err);
	if (!n) {
		if (!err)
			err = xasprintf("no node named \"%s\" (glovebox nodes lists them)", name);
		error_sanitised("glovebox: ", err);
		free(err);
		rc = GB_EXIT_ERROR;
		goto out;
	}
	const char *host = n->hostname ? n->hostname : n->id;
	if (act == AUDIT_DRAIN_NODE) {
		unsigned count = 0;
		char *names = node_running_jobs(n, cluster_services(cl), cluster_tasks(cl), &count);
		char *msg = xasprintf("draining %s stops all %u task%s running on it%s%s%s: their jobs lose what they "
		                      "hold in memory and restart elsewhere only if another node has room "
		                      "(glovebox node pause keeps them running)",
		                      host, count, count == 1 ? "" : "s", names ? " (jobs " : "",
		                      names ? names : "", names ? ")" : "");
		error_sanitised(yes ? "glovebox: " : "glovebox: refusing without --yes: ", msg);
		free(msg);
		free(names);
		if (!yes) {
			rc = GB_EXIT_USAGE;
			goto out;
		}
	}
	audit_record_init(&rec, w.me.user, act, host, n->id, NULL, reason);
	struct action *a = action_node_availability(cli->engine, &rec, NULL, admin_on_progress, admin_on_done, &o);
	action_wait(cli, a);
	action_free(&a);
	rc = outcome_rc(&o);
	if (o.ok) {
		static const char *const said[] = {
			[AUDIT_PAUSE_NODE] = "paused: its running jobs keep running; the swarm places no new tasks on it",
			[AUDIT_ACTIVATE_NODE] = "activated: the swarm places new tasks on it again",
			[AUDIT_DRAIN_NODE] = "drained: the swarm stops its tasks and places them on other nodes where they fit",
		};
		char *msg = xasprintf("%s %s (audit record %s)", host, said[act], o.audit ? o.audit : "none");
		put_sanitised(stdout, "", msg);
		free(msg);
	} else {
		error_sanitised("glovebox: ", o.error ? o.error : "the node could not be updated");
	}
out:
	audit_clear(&rec);
	outcome_clear(&o);
	cluster_free(&cl);
	who_clear(&w);
	cli_close(cli);
	return rc;
}

/* ---- glovebox reap ---- */

static const char reap_usage[] =
	"usage: glovebox reap [--dry-run] [--json] [--owner USER]...\n"
	"\n"
	"Removes every job past its lifetime (label glovebox.expires-at), with its network, and\n"
	"records each removal in the audit log. --dry-run only lists them. --owner limits it to\n"
	"the jobs of USER (repeatable). For admins and root; meant for a systemd timer or cron\n"
	"(docs/admin-guide.md). Exit 1 when a job could not be removed.\n";

struct reaped {
	const struct job *job;
	int64_t expires_at;
	struct outcome o;
	bool tried;
};

static int reaped_cmp(const void *a, const void *b)
{
	const struct reaped *x = a, *y = b;
	if (x->expires_at != y->expires_at)
		return x->expires_at < y->expires_at ? -1 : 1;
	return str_cmp(x->job->name, y->job->name);
}

int cmd_reap(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"dry-run", no_argument, NULL, 'n'}, {"json", no_argument, NULL, 'j'},
		{"owner", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool dry = false, json = false;
	const char **owners = xcalloc((size_t)argc + 1, sizeof *owners);
	size_t n_owners = 0;
	int c;
	while ((c = getopt_long(argc, argv, "njo:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry = true; break;
		case 'j': json = true; break;
		case 'o': owners[n_owners++] = optarg; break;
		case 'h': fputs(reap_usage, stdout); free(owners); return GB_EXIT_OK;
		default: fputs(reap_usage, stderr); free(owners); return GB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		err_print("reap takes no arguments (glovebox reap --help)");
		free(owners);
		return GB_EXIT_USAGE;
	}
	struct who w = {0};
	struct cluster *cl = NULL;
	struct jobview *view = NULL;
	struct reaped *list = NULL;
	size_t n = 0;
	int rc = admin_prepare(cli, &w, &cl, false);
	if (rc != 0)
		goto out;
	if (actor_may(&w.actor, ACT_REAP, NULL) == PERMIT_DENY) {
		rc = denied(&w, "reap expired jobs");
		goto out;
	}
	int64_t now = (int64_t)time(NULL);
	view = jobview_new(NULL);   /* an admin's: every job */
	jobview_update_cluster(view, cl, &w.actor, now);
	list = xcalloc(jobview_count(view) + 1, sizeof *list);
	for (size_t i = 0; i < jobview_count(view); i++) {
		const struct job *j = jobview_job(view, i);
		int64_t at;
		/* Only glovebox's jobs: a lifetime label on anything else is not ours to enforce. */
		if (!j->managed || !job_expires_at(j, &at) || at > now)
			continue;
		bool wanted = n_owners == 0;
		for (size_t k = 0; k < n_owners && !wanted; k++)
			wanted = strcmp(owners[k], j->owner) == 0;
		if (wanted)
			list[n++] = (struct reaped){ .job = j, .expires_at = at };
	}
	qsort(list, n, sizeof *list, reaped_cmp);

	unsigned failed = 0;
	for (size_t i = 0; i < n && !dry; i++) {
		const struct job *j = list[i].job;
		char when[TIME_ISO8601_SIZE];
		time_iso8601(list[i].expires_at, when);
		char *reason = xasprintf("past its lifetime: glovebox.expires-at %s", when);
		struct audit_record rec;
		audit_record_init(&rec, w.me.user, AUDIT_REAP, j->name, j->id, j->owner, reason);
		struct action *a = action_remove_job(cli->engine, &rec, NULL, NULL, admin_on_done, &list[i].o);
		action_wait(cli, a);
		action_free(&a);
		audit_clear(&rec);
		free(reason);
		list[i].tried = true;
		/* Gone already (removed meanwhile): nothing left to reap. */
		if (!list[i].o.ok && !list[i].o.not_found)
			failed++;
		if (list[i].o.unreachable)
			break;
	}

	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			const struct reaped *r = &list[i];
			char when[TIME_ISO8601_SIZE];
			time_iso8601(r->expires_at, when);
			json_t *o = json_object();
			json_object_set_new(o, "name", jsonout_text(r->job->name));
			json_object_set_new(o, "id", jsonout_text(r->job->id));
			json_object_set_new(o, "owner", jsonout_text(r->job->owner));
			json_object_set_new(o, "expires_at", json_string(when));
			json_object_set_new(o, "removed", dry || !r->tried ? json_null() : json_boolean(r->o.ok));
			json_object_set_new(o, "error", jsonout_text(r->o.ok ? NULL : r->o.error));
			json_object_set_new(o, "warning", jsonout_text(r->o.warning));
			json_object_set_new(o, "audit", jsonout_text(r->o.audit));
			json_array_append_new(arr, o);
		}
		char now_s[TIME_ISO8601_SIZE];
		time_iso8601(now, now_s);
		json_print(json_pack("{s:b, s:s, s:o}", "dry_run", dry, "now", now_s, "jobs", arr));
	} else {
		for (size_t i = 0; i < n; i++) {
			const struct reaped *r = &list[i];
			char exp[64];
			format_expiry(exp, sizeof exp, r->expires_at, now);
			char *msg;
			if (dry)
				msg = xasprintf("would reap %s (owner %s, %s)", r->job->name, r->job->owner, exp);
			else if (r->o.ok)
				msg = xasprintf("reaped %s (owner %s, %s; audit record %s)", r->job->name, r->job->owner, exp,
				                r->o.audit ? r->o.audit : "none");
			else if (r->tried)
				msg = xasprintf("could not reap %s (owner %s, %s): %s", r->job->name, r->job->owner, exp,
				                r->o.error ? r->o.error : "unknown error");
			else
				msg = xasprintf("not tried: %s (owner %s, %s)", r->job->name, r->job->owner, exp);
			put_sanitised(r->tried && !r->o.ok ? stderr : stdout, "", msg);
			free(msg);
			if (r->o.warning)
				error_sanitised("glovebox: warning: ", r->o.warning);
		}
		if (n == 0)
			puts("no expired jobs");
		else if (!dry)
			printf("reaped %zu of %zu expired job%s\n", n - failed, n, n == 1 ? "" : "s");
	}
	rc = failed ? GB_EXIT_ERROR : GB_EXIT_OK;
	for (size_t i = 0; i < n; i++)
		if (list[i].o.unreachable)
			rc = GB_EXIT_UNREACHABLE;
out:
	for (size_t i = 0; i < n; i++)
		outcome_clear(&list[i].o);
	free(list);
	free(owners);
	jobview_free(&view);
	cluster_free(&cl);
	who_clear(&w);
	cli_close(cli);
	return rc;
}

/* ---- glovebox audit ---- */

static const char audit_usage[] =
	"usage: glovebox audit [--json]\n"
	"\n"
	"Lists the audit log kept in the swarm, newest first: who removed, scaled or reaped which\n"
	"job, or paused, activated or drained which node, when, and why. Admins see every record;\n"
	"researchers those they made and those about their own jobs.\n";

struct audit_wait {
	bool done, unreachable;
	char *error;
	struct audit_log log;
};

static void on_audit(void *ud, const struct audit_log *l, const char *error, bool unreachable)
{
	struct audit_wait *aw = ud;
	aw->done = true;
	aw->unreachable = unreachable;
	aw->error = xstrdup(error);
	/* The log is borrowed: move its entries. */
	aw->log = *l;
	((struct audit_log *)l)->v = NULL;
	((struct audit_log *)l)->n = 0;
}

enum { A_TIME, A_WHO, A_ACTION, A_TARGET, A_OWNER, A_DETAIL, A_REASON, A_COLS };

int cmd_audit(struct session *cli, int argc, char **argv)
{
	bool json;
	int done = cli_json_args(argc, argv, "audit", audit_usage, 0, "no arguments", &json);
	if (done >= 0)
		return done;
	struct who w = {0};
	struct audit_wait aw = {0};
	int rc = cli_connect_negotiated(cli);
	if (rc == 0)
		rc = who_establish(cli, &w);
	if (rc != 0)
		goto out;
	struct audit_query *q = audit_query_start(cli->engine, on_audit, &aw);
	cli_wait(cli, &aw.done, NULL);
	audit_query_free(&q);
	if (aw.error) {
		error_sanitised("glovebox: ", aw.error);
		rc = aw.unreachable ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
		goto out;
	}
	audit_log_filter(&aw.log, &w.actor);
	if (aw.log.unreadable && w.actor.role == ROLE_ADMIN)
		err_print("%zu config%s labelled glovebox.audit %s not a readable audit record", aw.log.unreadable,
		          aw.log.unreadable == 1 ? "" : "s", aw.log.unreadable == 1 ? "is" : "are");
	if (json) {
		char *text = audit_log_json(&aw.log, true, isatty(STDOUT_FILENO));
		puts(text);
		free(text);
		goto out;
	}
	static const char *const headers[A_COLS] = {"TIME", "WHO", "ACTION", "TARGET", "OWNER", "DETAIL", "REASON"};
	static const size_t max_width[A_COLS] = {20, 16, 13, 32, 16, 32, 0};
	char **cells = xcalloc(aw.log.n * A_COLS + 1, sizeof *cells);
	for (size_t i = 0; i < aw.log.n; i++) {
		const struct audit_record *r = &aw.log.v[i].rec;
		char when[TIME_ISO8601_SIZE];
		time_iso8601(r->time, when);
		char **row = cells + i * A_COLS;
		row[A_TIME] = xstrdup(when);
		row[A_WHO] = sanitize_str(r->who, 0);
		row[A_ACTION] = xstrdup(audit_action_name(r->action));
		row[A_TARGET] = sanitize_str(r->target, 0);
		row[A_OWNER] = sanitize_str(r->owner ? r->owner : "-", 0);
		row[A_DETAIL] = sanitize_str(r->detail ? r->detail : "-", 0);
		row[A_REASON] = sanitize_str(r->reason ? r->reason : "-", 0);
	}
	table_print(headers, max_width, A_COLS, cells, aw.log.n, isatty(STDOUT_FILENO));
	for (size_t i = 0; i < aw.log.n * A_COLS; i++)
		free(cells[i]);
	free(cells);
out:
	free(aw.error);
	audit_log_clear(&aw.log);
	who_clear(&w);
	cli_close(cli);
	return rc;
}
