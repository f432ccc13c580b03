/* glovebox submit, terms, policy: the command-line side of submitting jobs. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/base/sanitize.h"
#include "api/base/secmem.h"
#include "api/base/xalloc.h"
#include "api/core/fit.h"
#include "api/core/identity.h"
#include "api/core/jobspec.h"
#include "api/core/roles.h"
#include "api/core/terms.h"
#include "api/creds/creds.h"
#include "api/engine/decode.h"
#include "api/swarm/audit.h"
#include "api/swarm/cluster.h"
#include "api/swarm/store.h"
#include "api/swarm/submit.h"
#include "tui/cli/cli.h"
#include "tui/cli/login.h"

static const char submit_usage[] =
	"usage: glovebox submit --image REF --class NAME [--dataset NAME]... [--cpus N]\n"
	"                       [--memory SIZE] [--lifetime DUR] [--name NAME] [--purpose TEXT]\n"
	"                       [--accept-terms SHA256] [--json]\n"
	"                       [--registry-user USER --registry-password-stdin] [-- CMD ARG...]\n"
	"\n"
	"Submits a job under the platform policy: the class's constraints and quotas, read-only\n"
	"datasets, an internal network without egress, a hardened container, the image pinned to\n"
	"its digest. The data-use terms must have been accepted: the first time, and whenever they\n"
	"change, pass --accept-terms with their SHA-256 (glovebox terms shows both) and --purpose.\n"
	"A private registry's credentials come from your keyring (glovebox login), or, without a\n"
	"keyring, for this submission only from --registry-user and a password on stdin.\n"
	"exit codes: 0 submitted, 1 error, 2 bad input, 3 engine unreachable, 4 terms not accepted\n";

/* Print text from the engine or the policy to a terminal safely. */
static void put_clean(FILE *f, const char *prefix, const char *text)
{
	char *clean = sanitize_str(text, SAN_KEEP_NEWLINE | SAN_KEEP_TAB);
	fprintf(f, "%s%s\n", prefix, clean);
	free(clean);
}

struct consents {
	bool done, unreachable;
	char *error;
	char *accepted;              /* name of a record for the current terms */
	struct consent last;         /* the newest record, for the diff */
	bool has_last;
	const char *sha, *user;
};

static void on_consents(void *ud, const struct config_list *l, const char *error, bool unreachable)
{
	struct consents *c = ud;
	c->done = true;
	if (error) {
		c->error = xstrdup(error);
		c->unreachable = unreachable;
		return;
	}
	consent_find(l, c->user, c->sha, &c->accepted, &c->last, &c->has_last);
}

struct outcome {
	bool done, json;
	int rc;
};

static void submit_on_progress(void *ud, const char *step)
{
	struct outcome *o = ud;
	if (!o->json)
		fprintf(stderr, "glovebox: %s...\n", step);
}

static struct {
	const struct job_plan *plan;
	const char *fit;
	const char *consent;
	const char *registry;        /* the image's; for the login hint */
	bool had_auth;
	const char *keyring_note;
	const struct job_posture *posture;
} shown;

/* The posture as --json has it: every item, with its state. */
static json_t *posture_json(const struct job_posture *ps)
{
	json_t *a = json_array();
	for (size_t i = 0; i < ps->n; i++) {
		const struct posture_item *it = &ps->item[i];
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", it->name, "state",
		                                   job_posture_state_name(it->state), "detail", it->detail));
	}
	return a;
}

static void submit_on_done(void *ud, const struct submit_result *r)
{
	struct outcome *o = ud;
	o->done = true;
	if (!r->ok) {
		char *msg = sanitize_str(r->error, SAN_ASCII);
		if (r->field != JF_COUNT)
			err_print("%s: %s", job_field_name(r->field), msg);
		else
			err_print("%s", msg);
		if (r->rolled_back)
			err_print("the network made for the job was removed again: nothing is left behind");
		free(msg);
		if (r->field == JF_IMAGE && creds_error_is_auth(r->error))
			login_explain_refusal(shown.registry, shown.had_auth, shown.keyring_note);
		o->rc = r->field == JF_NAME || r->field == JF_IMAGE ? GB_EXIT_USAGE : GB_EXIT_ERROR;
		return;
	}
	if (o->json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?}", "id", r->service_id, "name",
		                      shown.plan->name, "network", shown.plan->network, "image",
		                      r->image_pinned, "consent", shown.consent, "fit", shown.fit,
		                      "warnings", r->warnings);
		json_object_set_new(j, "posture", posture_json(shown.posture));
		char *text = json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		puts(text);
		free(text);
		json_decref(j);
	} else {
		printf("submitted %s (service %.12s)\n", shown.plan->name, r->service_id);
		put_clean(stdout, "image    ", r->image_pinned);
		put_clean(stdout, "network  ", shown.plan->network);
		put_clean(stdout, "fit      ", shown.fit);
		if (r->warnings)
			put_clean(stdout, "warning  ", r->warnings);
	}
	o->rc = GB_EXIT_OK;
}

/* The fit check reads the whole cluster; a failure here only means no estimate. *posture:
 * the job's, with the engine's info when it could be read. */
static char *fit_now(struct session *cli, const struct job_plan *plan, struct job_posture *posture)
{
	struct cluster *cl = cluster_new(cli->engine);
	cluster_refresh(cl);
	engine_run(cli->engine);
	char *msg;
	if (cluster_error(cl)) {
		msg = xasprintf("unknown (%s)", cluster_error(cl));
	} else {
		struct fit f;
		fit_check(cluster_nodes(cl), cluster_services(cl), cluster_tasks(cl),
		          (const char *const *)plan->cls->constraints, plan->cls->n_constraints,
		          plan->cpus, plan->memory, plan->cls->gpus, &f);
		msg = fit_describe(&f, plan->cls->name, plan->cpus, plan->memory);
	}
	job_posture_make(plan->policy, plan, engine_api_minor(cli->engine),
	                 cluster_error(cl) ? NULL : cluster_info(cl), posture);
	cluster_free(&cl);
	return msg;
}

static int terms_gate(struct session *cli, const struct policy *pol, const struct whoami *me,
                      const struct job_plan *plan, const char *accept, const char *purpose,
                      char **consent_name, char **consent_json, char **consent_labels)
{
	char *sha = sha256_hex(pol->terms_text, strlen(pol->terms_text));
	char *label = xasprintf("glovebox.user=%s", me->user);
	struct consents c = {.sha = sha, .user = me->user};
	configs_list(cli->engine, "glovebox.consent=1", label, on_consents, &c);
	cli_wait(cli, &c.done, NULL);
	free(label);
	int rc = 0;
	if (c.error) {
		err_print("cannot read your earlier acceptances of the terms: %s", c.error);
		rc = c.unreachable ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
	} else if (c.accepted) {
		*consent_name = c.accepted;
		c.accepted = NULL;
	} else if (!accept || strcmp(accept, sha) != 0) {
		if (accept)
			err_print("--accept-terms %s does not match the current terms", accept);
		err_print("the data-use terms (version %s) must be accepted before you submit%s",
		          pol->terms_version, c.has_last ? ": they changed since you last accepted them" : "");
		if (c.has_last && c.last.terms_text) {
			char *diff = terms_diff(c.last.terms_text, pol->terms_text, 2);
			put_clean(stderr, "what changed:\n", diff);
			free(diff);
		}
		fprintf(stderr, "read them with `glovebox terms`, then submit again with\n"
		                "  --accept-terms %s --purpose \"what the job is for\"\n", sha);
		rc = GB_EXIT_TERMS;
	} else if (!purpose || !*purpose) {
		err_print("--purpose is required when you accept the terms: one line saying what the job is for");
		rc = GB_EXIT_USAGE;
	} else {
		char host[256] = "unknown";
		gethostname(host, sizeof host - 1);
		struct consent rec = {
			.user = me->user, .terms_version = pol->terms_version, .terms_sha256 = sha,
			.terms_text = pol->terms_text, .datasets = plan->datasets, .n_datasets = plan->n_datasets,
			.class_name = plan->cls->name, .purpose = (char *)(uintptr_t)purpose,
			.time = (int64_t)time(NULL), .host = host, .glovebox_version = (char *)(uintptr_t)GLOVEBOX_VERSION,
		};
		*consent_json = consent_to_json(&rec);
		*consent_labels = consent_config_labels(&rec);
		if (!*consent_json || !*consent_labels) {
			/* The record would not read back: never cite a record that was not stored. */
			err_print("purpose: the acceptance needs a purpose of one non-blank line (and terms under 1000 KiB)");
			rc = GB_EXIT_USAGE;
		} else {
			*consent_name = consent_config_name(&rec);
		}
	}
	free(c.error);
	free(c.accepted);
	if (c.has_last)
		consent_clear(&c.last);
	free(sha);
	return rc;
}

int cmd_submit(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"image", required_argument, NULL, 'i'}, {"class", required_argument, NULL, 'c'},
		{"dataset", required_argument, NULL, 'd'}, {"cpus", required_argument, NULL, 'C'},
		{"memory", required_argument, NULL, 'm'}, {"lifetime", required_argument, NULL, 'l'},
		{"name", required_argument, NULL, 'n'}, {"purpose", required_argument, NULL, 'p'},
		{"accept-terms", required_argument, NULL, 'a'}, {"json", no_argument, NULL, 'j'},
		{"registry-user", required_argument, NULL, 'U'},
		{"registry-password-stdin", no_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct job_request req = {0};
	const char **datasets = xcalloc((size_t)argc + 1, sizeof *datasets);
	const char *accept = NULL, *reg_user = NULL;
	bool reg_stdin = false;
	struct outcome out = {.rc = GB_EXIT_ERROR};
	int c, rc = GB_EXIT_OK;
	while ((c = getopt_long(argc, argv, "+i:c:d:C:m:l:n:p:a:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'i': req.image = optarg; break;
		case 'c': req.class_name = optarg; break;
		case 'd': datasets[req.n_datasets++] = optarg; break;
		case 'C': req.cpus = optarg; break;
		case 'm': req.memory = optarg; break;
		case 'l': req.lifetime = optarg; break;
		case 'n': req.name = optarg; break;
		case 'p': req.purpose = optarg; break;
		case 'a': accept = optarg; break;
		case 'j': out.json = true; break;
		case 'U': reg_user = optarg; break;
		case 'S': reg_stdin = true; break;
		case 'h': fputs(submit_usage, stdout); free(datasets); return GB_EXIT_OK;
		default: fputs(submit_usage, stderr); free(datasets); return GB_EXIT_USAGE;
		}
	}
	req.datasets = datasets;
	req.command = (const char *const *)argv + optind;
	req.n_command = (size_t)(argc - optind);
	if (!reg_user != !reg_stdin) {
		err_print("--registry-user and --registry-password-stdin go together");
		free(datasets);
		return GB_EXIT_USAGE;
	}
	if (!req.image || !req.class_name) {
		err_print("submit needs --image and --class (glovebox submit --help)");
		free(datasets);
		return GB_EXIT_USAGE;
	}

	struct whoami me = {0};
	struct policy pol = {0};
	struct job_plan plan = {0};
	struct job_errors errs = {0};
	char *err = NULL, *consent_name = NULL, *consent_json = NULL, *consent_labels = NULL, *fit = NULL;
	struct job_posture posture = {0};
	char *reg_password = NULL, *reg_auth = NULL, *keyring_note = NULL;
	/* Registry credentials never travel in clear: refuse before the password is read. */
	if (reg_stdin && (rc = login_check_endpoint(cli)) != 0) {
		free(datasets);
		return rc;
	}
	if (reg_stdin && !(reg_password = login_read_secret(STDIN_FILENO, "Registry password: ", &err))) {
		err_print("%s", err);
		free(err);
		free(datasets);
		return GB_EXIT_USAGE;
	}
	if (whoami_current(&me, &err) != 0) {
		err_print("%s", err);
		rc = GB_EXIT_ERROR;
		goto out;
	}
	if ((rc = cli_connect_negotiated(cli)) != 0 || (rc = cli_policy(cli, &pol, CLI_POLICY_INSIST)) != 0)
		goto out;
	uint32_t rnd;
	if (submit_name_random(&rnd, &err) != 0) {
		err_print("%s", err);
		rc = GB_EXIT_ERROR;
		goto out;
	}
	if (job_plan_make(&pol, &req, &me.id, rnd, &plan, &errs) != 0) {
		for (int f = 0; f < JF_COUNT; f++)
			if (errs.msg[f]) {
				char *m = sanitize_str(errs.msg[f], SAN_ASCII);
				err_print("%s: %s", job_field_name((enum job_field)f), m);
				free(m);
			}
		rc = GB_EXIT_USAGE;
		goto out;
	}
	rc = terms_gate(cli, &pol, &me, &plan, accept, req.purpose, &consent_name, &consent_json,
	                &consent_labels);
	if (rc != 0)
		goto out;
	fit = fit_now(cli, &plan, &posture);
	if (!out.json)
		put_clean(stderr, "glovebox: fit: ", fit);
	/* What will not be enforced, one line each, before anything is made; --json has it all. */
	for (size_t i = 0; i < posture.n; i++) {
		const struct posture_item *it = &posture.item[i];
		if (it->state == POSTURE_ENFORCED)
			continue;
		char *line = job_posture_line(it);
		put_clean(stderr, it->state == POSTURE_OFF ? "glovebox: note: " : "glovebox: warning: ", line);
		free(line);
	}

	/* The registry's credentials: pulled by the nodes, and used to resolve the digest. */
	reg_auth = login_registry_auth(plan.image.registry, reg_user, &reg_password, &keyring_note);
	if (reg_auth && (rc = login_check_endpoint(cli)) != 0)
		goto out;
	char *sha = sha256_hex(pol.terms_text, strlen(pol.terms_text));
	struct submit_args args = {
		.plan = &plan, .terms_sha256 = sha, .consent_name = consent_name,
		.consent_json = consent_json, .consent_labels = consent_labels,
		.registry_auth = reg_auth, .now = (int64_t)time(NULL),
	};
	shown.plan = &plan;
	shown.fit = fit;
	shown.consent = consent_name;
	shown.registry = plan.image.registry;
	shown.had_auth = reg_auth != NULL;
	shown.keyring_note = keyring_note;
	shown.posture = &posture;
	volatile int interrupted = 0;
	struct submit *s = submit_start(cli->engine, &args, submit_on_progress, submit_on_done,
	                                &out);
	secmem_free(&reg_auth);   /* submit keeps its own copy, wiped when it is freed */
	cli_wait(cli, &out.done, &interrupted);
	if (!out.done) {
		/* Ctrl-C: let the submission undo what it made, then stop. */
		submit_interrupt(s);
		cli_wait(cli, &out.done, NULL);
	}
	submit_free(&s);
	free(sha);
	rc = out.rc;
out:
	secmem_free(&reg_password);
	secmem_free(&reg_auth);
	free(keyring_note);
	free(err);
	free(fit);
	job_posture_clear(&posture);
	free(consent_name);
	free(consent_json);
	free(consent_labels);
	job_errors_clear(&errs);
	job_plan_clear(&plan);
	policy_clear(&pol);
	whoami_clear(&me);
	free(datasets);
	cli_close(cli);
	return rc;
}

int cmd_terms(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"sha256", no_argument, NULL, 's'}, {NULL, 0, NULL, 0},
	};
	bool only_hash = false;
	int c;
	while ((c = getopt_long(argc, argv, "s", opts, NULL)) != -1) {
		if (c != 's')
			return GB_EXIT_USAGE;
		only_hash = true;
	}
	struct policy pol = {0};
	int rc = 0;
	/* The terms of the policy that governs: an untrusted file named is set aside with a notice. */
	if ((rc = cli_policy(cli, &pol, 0)) != 0)
		goto out;
	char *sha = sha256_hex(pol.terms_text, strlen(pol.terms_text));
	if (only_hash) {
		puts(sha);
	} else {
		/* Piped: the exact bytes, so they hash to the same value; on a terminal: sanitised. */
		if (isatty(STDOUT_FILENO))
			put_clean(stdout, "", pol.terms_text);
		else
			fputs(pol.terms_text, stdout);
		printf("\n---\nterms version %s\nsha256 %s\n", pol.terms_version, sha);
	}
	free(sha);
out:
	policy_clear(&pol);
	cli_close(cli);
	return rc;
}

struct created {
	bool done;
	long status;
	char *error;
};

static void on_created(void *ud, const struct engine_reply *r)
{
	struct created *c = ud;
	c->done = true;
	c->status = r->status;
	c->error = xstrdup(r->error);
}

/* POST a config; a 409 means the same one is there already. Returns 0 new, 1 existing, -1. */
static int create_config(struct session *cli, const char *body, const char *what)
{
	struct created c = {0};
	engine_request(cli->engine, "POST", "/configs/create", body, what, on_created, &c);
	cli_wait(cli, &c.done, NULL);
	int rc = c.error ? (c.status == 409 ? 1 : -1) : 0;
	if (rc < 0)
		err_print("%s", c.error);
	free(c.error);
	return rc;
}

static const char policy_usage[] =
	"usage: glovebox policy check FILE\n"
	"       glovebox policy publish FILE [--reason TEXT]\n"
	"\n"
	"check validates a policy file and its terms; it needs no engine and governs nothing.\n"
	"publish stores them in the swarm, where they govern every submission. Only root and the\n"
	"admins of the policy in force may publish (when none is in force, only root); each\n"
	"publication is recorded in the swarm's audit log (glovebox audit) before it is made.\n";

/* Whether the account may publish: root, or a member of the admin_group of the policy in
 * force (the swarm's, else a trusted /etc/glovebox/policy.json; never a file the user names).
 * Returns 0, or an exit code after saying why not. */
static int may_publish(struct session *cli, const struct whoami *me)
{
	if (me->uid == 0)
		return 0;
	struct policy_fetch *f = policy_fetch_start(cli->engine, NULL, false, NULL, NULL);
	while (!policy_fetch_finished(f))
		if (engine_poll(cli->engine, NULL, 0, 200) != 0)
			break;
	struct policy in_force = {0};
	char *err = NULL;
	bool none = false;
	int rc = policy_fetch_result(f, &in_force, &none, &err);
	policy_fetch_free(&f);
	if (rc != 0 && !none) {
		char *clean = sanitize_str(err, SAN_ASCII);
		err_print("%s", clean);
		free(clean);
	} else if (none) {
		err_print("no policy is in force yet: only root may publish the first one");
		rc = GB_EXIT_DENIED;
	} else if (role_of(me, policy_admin_group(&in_force)) != ROLE_ADMIN) {
		char *group = sanitize_str(in_force.admin_group ? in_force.admin_group : "(none)", SAN_ASCII);
		err_print("only root and the admins of the policy in force (group %s) may publish a policy", group);
		free(group);
		rc = GB_EXIT_DENIED;
	}
	free(err);
	policy_clear(&in_force);
	return rc;
}

int cmd_policy(struct session *cli, int argc, char **argv)
{
	const char *reason;
	int rc = cli_reason_args(argc, argv, policy_usage, &reason, NULL);
	if (rc >= 0)
		return rc;
	if (argc - optind != 2 || (strcmp(argv[optind], "check") != 0 && strcmp(argv[optind], "publish") != 0) ||
	    (reason && strcmp(argv[optind], "publish") != 0)) {
		fputs(policy_usage, stderr);
		return GB_EXIT_USAGE;
	}
	const char *verb = argv[optind], *path = argv[optind + 1];
	struct policy pol = {0};
	struct whoami me = {0};
	struct audit_record rec = {0};
	char *err = NULL;
	if (reason && audit_reason_check(reason, &err) != 0) {
		err_print("--reason: %s", err);
		free(err);
		return GB_EXIT_USAGE;
	}
	if (policy_load_file(path, &pol, &err) != 0) {
		char *clean = sanitize_str(err, SAN_ASCII);
		err_print("%s", clean);
		free(clean);
		free(err);
		return GB_EXIT_USAGE;
	}
	char *sha = sha256_hex(pol.terms_text, strlen(pol.terms_text));
	char *psha = NULL, *tname = NULL, *pname = NULL, *tbody = NULL, *pbody = NULL;
	char *abody = NULL, *aname = NULL;
	rc = GB_EXIT_OK;
	if (strcmp(verb, "check") == 0) {
		put_clean(stdout, "", path);
		printf("  valid: %zu classes, %zu datasets, terms version %s (sha256 %s)\n", pol.n_classes,
		       pol.n_datasets, pol.terms_version, sha);
		goto out;
	}
	if (whoami_current(&me, &err) != 0) {
		err_print("%s", err);
		rc = GB_EXIT_ERROR;
		goto out;
	}
	if ((rc = cli_connect_negotiated(cli)) != 0 || (rc = may_publish(cli, &me)) != 0)
		goto out;
	/* What is published is the bytes policy_load_file read and checked, not a second read of
	 * the path, which could have changed since. */
	psha = sha256_hex(pol.source, pol.source_len);
	tbody = publish_terms_body(&pol, &tname);
	pbody = publish_policy_body(pol.source, pol.source_len, tname, &pname);
	audit_record_init(&rec, me.user, AUDIT_PUBLISH_POLICY, pname, psha, NULL, reason);
	free(rec.detail);
	rec.detail = xasprintf("terms %s version %s", tname, pol.terms_version);
	abody = audit_config_body(&rec, &aname);
	/* The record first: no publication without one (docs/admin-guide.md, the audit log). */
	int a = abody ? create_config(cli, abody, "recording the publication in the audit log") : -1;
	int t = a >= 0 ? create_config(cli, tbody, "publishing the terms") : -1;
	int p = t >= 0 ? create_config(cli, pbody, "publishing the policy") : -1;
	if (a < 0 || t < 0 || p < 0)
		rc = GB_EXIT_ERROR;
	else if (p == 1)
		printf("already published: %s with terms %s (audit record %s)\n", pname, tname, aname);
	else
		printf("published %s with terms %s (version %s, sha256 %s; audit record %s)\n", pname, tname,
		       pol.terms_version, sha, aname);
out:
	free(psha);
	free(tname);
	free(pname);
	free(tbody);
	free(pbody);
	free(abody);
	free(aname);
	free(sha);
	audit_clear(&rec);
	whoami_clear(&me);
	policy_clear(&pol);
	cli_close(cli);
	return rc;
}
