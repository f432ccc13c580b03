/* The submit form: a new job from the console, made the way `glovebox submit` makes it
 * (policy, job plan, terms gate, fit check, submit_start), without ever waiting on the network.
 *
 * Steps: LOADING (the policy: a file at once, the swarm's asynchronously), FORM (every change
 * is checked with job_plan_make and the reason shown beside the field), CHECKING (the user's
 * acceptance records, listed asynchronously), TERMS (the full terms in a pager, read to the
 * end, then "accept" and a purpose), SUBMITTING (submit_start's steps). A failed submission
 * goes back to FORM with everything typed and the error beside the field it concerns; a good
 * one closes the form and the jobs list selects the new job. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/creds/creds.h"
#include "api/core/fit.h"
#include "api/core/identity.h"
#include "api/core/jobspec.h"
#include "api/creds/keyring.h"
#include "api/base/secmem.h"
#include "api/swarm/store.h"
#include "api/swarm/submit.h"
#include "api/core/terms.h"
#include "api/base/xalloc.h"
#include "api/swarm/policy_fetch.h"
#include "tui/console/submit.h"

#include "tui/console/app.h"
#include "tui/console/login.h"
#include "widgets/cmdline.h"
#include "widgets/dialog.h"
#include "widgets/field.h"
#include "widgets/pager.h"
#include "api/base/sanitize.h"

#define KEY_ESC 27
#define CTRL(c) ((c) & 0x1f)
#define LABEL_X 2           /* the focus mark '>' sits in column 0 */
#define LABEL_W 10
#define FIELD_X (LABEL_X + LABEL_W)
#define HINT_ROWS 2
#define EXIT_WAIT_MS 5000   /* at exit, how long an interrupted submission may take to undo */

enum step { ST_LOADING, ST_BROKEN, ST_FORM, ST_CHECKING, ST_TERMS, ST_SUBMITTING };

enum text_id { T_IMAGE, T_CPUS, T_MEMORY, T_LIFETIME, T_COMMAND, T_NAME, N_TEXT };

static const enum job_field text_field[N_TEXT] = {
	[T_IMAGE] = JF_IMAGE, [T_CPUS] = JF_CPUS, [T_MEMORY] = JF_MEMORY,
	[T_LIFETIME] = JF_LIFETIME, [T_COMMAND] = JF_COMMAND, [T_NAME] = JF_NAME,
};
static const char *const text_label[N_TEXT] = {
	[T_IMAGE] = "Image", [T_CPUS] = "CPUs", [T_MEMORY] = "Memory",
	[T_LIFETIME] = "Lifetime", [T_COMMAND] = "Command", [T_NAME] = "Name",
};

/* Lines of the form, top to bottom; items are the lines (or buttons) the cursor visits. */
enum line_kind { L_TEXT, L_CLASS, L_DATASET, L_NO_DATASET, L_BLANK, L_FIT, L_POSTURE, L_BUTTONS };
struct line { enum line_kind kind; size_t index; };
enum item_kind { IT_TEXT, IT_CLASS, IT_DATASET, IT_SUBMIT, IT_CANCEL };
struct item { enum item_kind kind; size_t index; size_t line; };

/* Focus in the terms step. */
enum { TF_PAGER, TF_ACCEPT, TF_PURPOSE };

/* The key tables feed the help screen and the key bar (the KB_BAR entries, in this order;
 * the KB_NOHELP ones are the global and the pager's keys, or a key the bar names shorter);
 * the handlers below switch on keys. */
static const struct keybinding submit_keys[] = {
	{KEY_F(1), "F1", "Help", NULL, KB_BAR | KB_NOHELP, OP_HELP},
	{KEY_ESC, "Esc", "Cancel", "Cancel the form (asks first when something was typed); "
	                           "while submitting, interrupt and undo", KB_BAR, 0},
	{'\t', "Tab", "Next", NULL, KB_BAR | KB_NOHELP, 0},
	{'\t', "Tab/Down", NULL, "Next field (Shift-Tab or Up: the previous one)", 0, 0},
	{' ', "Space", "Pick", "Choose the class under the cursor, or pick or drop a dataset", KB_BAR, 0},
	{'\r', "Enter", "OK", "Next field; on a class, choose it; on Submit, submit the job "
	                       "(or go to the first field that needs fixing)", KB_BAR, 0},
	{KEY_F(10), "F10", "Quit", NULL, KB_BAR | KB_NOHELP, OP_QUIT},
	{KEY_LEFT, "Left/Right", NULL, "Move in a text field (Home/Ctrl-A, End/Ctrl-E: to its ends)", 0, 0},
	{KEY_BACKSPACE, "Backspace", NULL, "Delete before the cursor (Delete/Ctrl-D: at it)", 0, 0},
	{CTRL('U'), "Ctrl-U", NULL, "Delete to the start of the field (Ctrl-K: to its end, Ctrl-W: a word)", 0, 0},
	{0, NULL, NULL, NULL, 0, 0},
};

static const struct keybinding submit_terms_keys[] = {
	{KEY_F(1), "F1", "Help", NULL, KB_BAR | KB_NOHELP, OP_HELP},
	{KEY_ESC, "Esc", "Back", "Back to the form without accepting: nothing is submitted", KB_BAR, 0},
	{KEY_NPAGE, "PgDn", "Page", NULL, KB_BAR | KB_NOHELP, 0},
	{KEY_END, "End", "End", NULL, KB_BAR | KB_NOHELP, 0},
	{'/', "/", "Search", NULL, KB_BAR | KB_NOHELP, 0},
	{'\t', "Tab", "Next", "Between the terms, the confirmation and the purpose, once the end "
	                      "of the terms was reached", KB_BAR, 0},
	{'\r', "Enter", NULL, "Confirm the word accept, then the purpose: the job is submitted", 0, 0},
	{0, NULL, NULL, NULL, 0, 0},
};

static const struct help_section submit_help[] = {
	{"New job", submit_keys},
	{"Data-use terms", submit_terms_keys},
	{"Reading the terms", pager_keys},
	{NULL, NULL},
};

struct class_free { unsigned nodes; double cpus; int64_t mem; };

struct submit_screen {
	struct app *app;
	struct rect area;
	enum step step;
	char *broken;                      /* why there is no form (ST_BROKEN), sanitised */

	struct policy policy;
	bool have_policy;
	struct whoami me;
	bool have_me;
	char *sha;                         /* SHA-256 of the policy's terms */
	struct policy_fetch *fetch;        /* the policy being read */
	bool fetch_done;                   /* fetched() ran: free the fetch outside its callback */
	struct engine_req *req_consents;

	/* The form. */
	struct field *text[N_TEXT];
	size_t cls, default_cls;           /* the chosen class, and the one chosen at first */
	bool *picked;                      /* per dataset of the policy */
	struct line *lines;
	size_t n_lines;
	struct item *items;
	size_t n_items, focus;
	int scroll;
	uint32_t rnd;                      /* the derived name's suffix, fixed for the form */

	struct job_plan plan;              /* valid when plan_ok; borrowed by a submission */
	bool plan_ok;
	struct job_errors errs;
	char *cmd_error;                   /* the command line does not split */
	struct class_free *free;           /* per class */
	char *fit;                         /* what the fit check says */
	enum theme_role fit_role;
	char **posture;                    /* the summary: what will not be enforced, one line each */
	size_t n_posture;

	char *failure;                     /* the last submission's error, sanitised */
	enum job_field failure_field;
	char *progress;                    /* the submission's step under way */
	struct dialog *confirm;            /* discard the form? */
	bool quit_after;                   /* ... and quit glovebox */

	/* The terms. */
	struct pager *pager;
	struct field *accept, *purpose;
	int tfocus;
	bool end_seen;
	char *terms_msg;                   /* sanitised */
	struct consent last;               /* the user's newest acceptance record */
	bool has_last;
	/* This form's own acceptance, kept so a retry after a failure does not ask again. */
	char *acc_sha, *acc_purpose;
	int64_t acc_time;

	/* The registry's credentials, looked up before submit_start (this session's, then the
	 * keyring's); the acceptance record to cite waits here meanwhile. */
	struct keyring_req *req_cred;
	char *pend_name, *pend_json, *pend_labels;
	bool had_auth;                     /* the submission sent X-Registry-Auth */
	char *keyring_note;                /* why the keyring could not be asked, or NULL */

	struct submit *submit;
	bool interrupted, done, succeeded;
	char *service_id, *notice;
};

static void validate(struct submit_screen *s);

/* Close the form: it pops (it is the top screen: it takes every key), which frees it, so
 * what it hands on is copied first; the jobs list then selects service_id (may be NULL) and
 * the status line says notice (may be NULL). */
static void submit_close(struct submit_screen *s, const char *service_id, const char *notice)
{
	struct app *a = s->app;
	char *id = xstrdup(service_id), *shown = xstrdup(notice);
	screen_pop(a);
	if (id)
		app_select_job(a, id);
	if (shown)
		app_notice(a, shown);
	free(id);
	free(shown);
}
static void fit_update(struct submit_screen *s);
static void posture_update(struct submit_screen *s);

static const struct theme *theme(const struct submit_screen *s)
{
	return &s->app->theme;
}

static void set_str(char **dst, char *value)
{
	free(*dst);
	*dst = value;
}

static char *clean(const struct submit_screen *s, const char *text)
{
	return sanitize_str(text, theme(s)->ascii ? SAN_ASCII : 0);
}

/* Paint untrusted text at (y, x) of the area, cut to w columns. */
static int put(struct submit_screen *s, int y, int x, int w, const char *text, attr_t attr)
{
	if (w <= 0 || y < 0 || y >= s->area.h || x >= s->area.w)
		return 0;
	if (x + w > s->area.w)
		w = s->area.w - x;
	char *c = clean(s, text);
	int n = widget_put(stdscr, s->area.y + y, s->area.x + x, w, c, attr, false, theme(s)->ascii);
	free(c);
	return n;
}

static attr_t role(const struct submit_screen *s, enum theme_role r)
{
	return theme_attr(theme(s), r);
}

/* --- numbers as the policy writes them, whatever LC_NUMERIC says --- */

static void fmt_cpus(char *buf, size_t sz, double cpus)
{
	long long milli = llround(cpus * 1000);
	if (milli % 1000 == 0)
		snprintf(buf, sz, "%lld", milli / 1000);
	else if (milli % 100 == 0)
		snprintf(buf, sz, "%lld.%lld", milli / 1000, milli % 1000 / 100);
	else if (milli % 10 == 0)
		snprintf(buf, sz, "%lld.%02lld", milli / 1000, milli % 1000 / 10);
	else
		snprintf(buf, sz, "%lld.%03lld", milli / 1000, milli % 1000);
}

/* Exact, so it reads back the same: "16GiB", "256MiB", else bytes. */
static void fmt_size(char *buf, size_t sz, int64_t bytes)
{
	static const char *const units[] = {"TiB", "GiB", "MiB", "KiB"};
	for (int i = 0; i < 4; i++) {
		int64_t unit = (int64_t)1 << (10 * (4 - i));
		if (bytes >= unit && bytes % unit == 0) {
			snprintf(buf, sz, "%lld%s", (long long)(bytes / unit), units[i]);
			return;
		}
	}
	snprintf(buf, sz, "%lld", (long long)bytes);
}

/* --- the command line --- */

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* --- the form's lines and items --- */

static void add_line(struct submit_screen *s, enum line_kind kind, size_t index)
{
	s->lines = xreallocarray(s->lines, s->n_lines + 1, sizeof *s->lines);
	s->lines[s->n_lines++] = (struct line){kind, index};
}

static void add_item(struct submit_screen *s, enum item_kind kind, size_t index)
{
	s->items = xreallocarray(s->items, s->n_items + 1, sizeof *s->items);
	s->items[s->n_items++] = (struct item){kind, index, s->n_lines - 1};
}

static bool dataset_allowed(const struct submit_screen *s, size_t i)
{
	return policy_dataset_allowed(&s->policy.datasets[i], (const char *const *)s->me.groups,
	                              s->me.n_groups);
}

static void build_form(struct submit_screen *s)
{
	const struct policy *p = &s->policy;
	add_line(s, L_TEXT, T_IMAGE);
	add_item(s, IT_TEXT, T_IMAGE);
	const struct policy_class *def = policy_class_find(p, "default");
	s->cls = s->default_cls = def ? (size_t)(def - p->classes) : 0;
	for (size_t i = 0; i < p->n_classes; i++) {
		add_line(s, L_CLASS, i);
		add_item(s, IT_CLASS, i);
	}
	s->picked = xcalloc(p->n_datasets + 1, sizeof *s->picked);
	size_t shown = 0;
	for (size_t i = 0; i < p->n_datasets; i++) {
		/* Only the datasets the user's groups may use are offered. */
		if (!dataset_allowed(s, i))
			continue;
		add_line(s, L_DATASET, i);
		add_item(s, IT_DATASET, i);
		shown++;
	}
	if (!shown)
		add_line(s, L_NO_DATASET, 0);
	for (int t = T_CPUS; t < N_TEXT; t++) {
		add_line(s, L_TEXT, (size_t)t);
		add_item(s, IT_TEXT, (size_t)t);
	}
	add_line(s, L_BLANK, 0);
	add_line(s, L_FIT, 0);
	add_line(s, L_BUTTONS, 0);
	add_item(s, IT_SUBMIT, 0);
	add_item(s, IT_CANCEL, 0);
	s->free = xcalloc(p->n_classes + 1, sizeof *s->free);
	s->focus = 0;
}

static const struct item *focused(const struct submit_screen *s)
{
	return s->focus < s->n_items ? &s->items[s->focus] : NULL;
}

static void set_focus(struct submit_screen *s, size_t i)
{
	s->focus = i < s->n_items ? i : 0;
	for (int t = 0; t < N_TEXT; t++)
		field_set_focus(s->text[t], false);
	const struct item *it = focused(s);
	if (it && it->kind == IT_TEXT)
		field_set_focus(s->text[it->index], true);
}

static size_t item_for(const struct submit_screen *s, enum item_kind kind, size_t index)
{
	for (size_t i = 0; i < s->n_items; i++)
		if (s->items[i].kind == kind && (kind == IT_DATASET || s->items[i].index == index))
			return i;
	return 0;
}

static size_t item_for_field(const struct submit_screen *s, enum job_field f)
{
	for (int t = 0; t < N_TEXT; t++)
		if (text_field[t] == f)
			return item_for(s, IT_TEXT, (size_t)t);
	if (f == JF_CLASS)
		return item_for(s, IT_CLASS, s->cls);
	if (f == JF_DATASETS)
		return item_for(s, IT_DATASET, 0);
	return s->focus;
}

/* --- checking the form --- */

static const char *field_error(const struct submit_screen *s, enum job_field f)
{
	if (s->failure && s->failure_field == f)
		return s->failure;
	if (f == JF_COMMAND && s->cmd_error)
		return s->cmd_error;
	return s->errs.msg[f];
}

static bool form_ok(const struct submit_screen *s)
{
	if (!s->plan_ok || s->cmd_error)
		return false;
	for (int f = 0; f < JF_COUNT; f++)
		if (s->errs.msg[f])
			return false;
	return true;
}

static bool form_touched(const struct submit_screen *s)
{
	for (int t = 0; t < N_TEXT; t++)
		if (*field_text(s->text[t]))
			return true;
	for (size_t i = 0; i < s->policy.n_datasets; i++)
		if (s->picked[i])
			return true;
	return s->cls != s->default_cls;
}

/* The request as the form says, and the plan job_plan_make makes of it. */
static void validate(struct submit_screen *s)
{
	const struct policy *p = &s->policy;
	job_plan_clear(&s->plan);
	job_errors_clear(&s->errs);
	set_str(&s->cmd_error, NULL);
	s->plan_ok = false;

	const char **datasets = xcalloc(p->n_datasets + 1, sizeof *datasets);
	size_t nd = 0;
	for (size_t i = 0; i < p->n_datasets; i++)
		if (s->picked[i])
			datasets[nd++] = p->datasets[i].name;
	/* Split as the ':' prompt splits (libedit's tokenizer): quotes and backslashes as in a
	 * shell. */
	char **argv = NULL, *err = NULL;
	int argc = 0;
	if (cmdline_split(field_text(s->text[T_COMMAND]), &argc, &argv, &err) != 0) {
		s->cmd_error = xstrdup("a quote is not closed (arguments split like a shell's: 'a b' or \"a b\")");
		free(err);
	}
	struct job_request req = {
		.image = field_text(s->text[T_IMAGE]),
		.class_name = p->classes[s->cls].name,
		.datasets = datasets, .n_datasets = nd,
		.cpus = field_text(s->text[T_CPUS]),
		.memory = field_text(s->text[T_MEMORY]),
		.lifetime = field_text(s->text[T_LIFETIME]),
		.name = field_text(s->text[T_NAME]),
		.command = (const char *const *)argv, .n_command = (size_t)argc,
	};
	s->plan_ok = job_plan_make(p, &req, &s->me.id, s->rnd, &s->plan, &s->errs) == 0;
	cmdline_argv_free(&argv);
	free(datasets);

	const struct policy_class *c = &p->classes[s->cls];
	char buf[64];
	fmt_cpus(buf, sizeof buf, c->cpus);
	field_set_placeholder(s->text[T_CPUS], buf);
	fmt_size(buf, sizeof buf, c->memory);
	field_set_placeholder(s->text[T_MEMORY], buf);
	format_duration(buf, sizeof buf, p->max_lifetime);
	field_set_placeholder(s->text[T_LIFETIME], buf);
	field_set_placeholder(s->text[T_COMMAND], "the image's own");
	field_set_placeholder(s->text[T_NAME], s->plan_ok ? s->plan.name : "made from the image");
	fit_update(s);
	posture_update(s);
}

/* The summary's posture lines, between the fit line and the buttons (the form's last line):
 * each property of the job's hardening the engine will not enforce, as glovebox submit says
 * it. Known once the engine's API version is; its info may make no-new-privileges sure. */
static void posture_update(struct submit_screen *s)
{
	int api = engine_api_minor(s->app->session->engine);
	struct cluster *cl = s->app->cluster;
	strv_free(s->posture, s->n_posture);
	s->posture = NULL;
	s->n_posture = 0;
	if (api) {
		struct job_posture ps;
		job_posture_make(&s->policy, s->plan_ok ? &s->plan : NULL, api,
		                 cluster_updated_ns(cl) ? cluster_info(cl) : NULL, &ps);
		s->posture = xcalloc(ps.n + 1, sizeof *s->posture);
		for (size_t i = 0; i < ps.n; i++)
			if (ps.item[i].state != POSTURE_ENFORCED)
				s->posture[s->n_posture++] = job_posture_line(&ps.item[i]);
		job_posture_clear(&ps);
	}
	size_t end = s->n_lines;
	while (end && s->lines[end - 1].kind != L_FIT)
		end--;
	if (!end)
		return;   /* no form yet */
	s->n_lines = end;
	for (size_t i = 0; i < s->n_posture; i++)
		add_line(s, L_POSTURE, i);
	add_line(s, L_BUTTONS, 0);
	for (size_t i = 0; i < s->n_items; i++)
		if (s->items[i].kind == IT_SUBMIT || s->items[i].kind == IT_CANCEL)
			s->items[i].line = s->n_lines - 1;
}

/* Free capacity of every class and the fit of the job as the form stands, from the cluster
 * data the console already has. */
static void fit_update(struct submit_screen *s)
{
	if (!s->have_policy || !s->free)
		return;
	const struct policy *p = &s->policy;
	struct cluster *cl = s->app->cluster;
	bool data = cluster_updated_ns(cl) != 0;
	const struct node_list *nodes = cluster_nodes(cl);
	for (size_t c = 0; c < p->n_classes; c++) {
		const struct policy_class *pc = &p->classes[c];
		struct class_free f = {0};
		for (size_t i = 0; data && i < nodes->n; i++) {
			const struct node *n = &nodes->v[i];
			bool ok = n->state && !strcmp(n->state, "ready") && n->availability &&
			          !strcmp(n->availability, "active");
			for (size_t k = 0; ok && k < pc->n_constraints; k++)
				ok = node_satisfies(n, pc->constraints[k]);
			if (!ok)
				continue;
			double fc;
			int64_t fm;
			node_free(n, cluster_services(cl), cluster_tasks(cl), &fc, &fm);
			f.nodes++;
			f.cpus += fc > 0 ? fc : 0;
			f.mem += fm > 0 ? fm : 0;
		}
		s->free[c] = f;
	}

	const struct policy_class *c = &p->classes[s->cls];
	s->fit_role = THEME_EMPTY;
	if (s->errs.msg[JF_CPUS] || s->errs.msg[JF_MEMORY]) {
		set_str(&s->fit, xstrdup("checked once the CPUs and memory are right"));
		return;
	}
	if (!data) {
		set_str(&s->fit, xstrdup("waiting for the cluster's nodes and tasks"));
		return;
	}
	const char *ct = field_text(s->text[T_CPUS]), *mt = field_text(s->text[T_MEMORY]);
	/* The CPUs were checked above: the field is empty or reads as a number. */
	double cpus = c->cpus;
	int64_t nanos;
	char *err = NULL;
	if (*ct && parse_cpus(ct, &nanos, &err) == 0)
		cpus = (double)nanos / 1e9;
	free(err);
	int64_t mem = c->memory;
	if (*mt && parse_size(mt, &mem, NULL) != 0)
		mem = c->memory;
	struct fit f;
	fit_check(nodes, cluster_services(cl), cluster_tasks(cl),
	          (const char *const *)c->constraints, c->n_constraints, cpus, mem, &f);
	set_str(&s->fit, fit_describe(&f, c->name, cpus, mem));
	s->fit_role = f.fits ? THEME_ROW_OK : THEME_ROW_PENDING;
}

/* --- the policy --- */

static void broken(struct submit_screen *s, const char *why)
{
	s->step = ST_BROKEN;
	set_str(&s->broken, clean(s, why));
}

static void policy_ready(struct submit_screen *s)
{
	s->have_policy = true;
	s->sha = sha256_hex(s->policy.terms_text, strlen(s->policy.terms_text));
	build_form(s);
	set_focus(s, 0);
	validate(s);
	s->step = ST_FORM;
}

/* The fetch finished: the policy that governs, or why the form cannot open. A policy file the
 * user named that is not trusted never governs a submission: the form says so and stays shut,
 * as `glovebox submit` exits 5. */
static void fetched(struct submit_screen *s)
{
	char *err = NULL;
	bool none;
	if (policy_fetch_named_refused(s->fetch) && s->me.uid != 0) {
		char *msg = xasprintf("%s; leave out --policy and GLOVEBOX_POLICY to work under the "
		                      "platform's policy", policy_fetch_notice(s->fetch));
		broken(s, msg);
		free(msg);
	} else if (policy_fetch_result(s->fetch, &s->policy, &none, &err) != 0) {
		policy_clear(&s->policy);
		broken(s, err);
	} else {
		policy_ready(s);
	}
	free(err);
	s->fetch_done = true;
	s->app->dirty = true;
}

static void on_fetched(void *ud)
{
	fetched(ud);
}

/* The policy that governs (tui/cli.h policy_fetch): a named file is read at once, the swarm
 * asked asynchronously once the engine is negotiated. */
static void policy_start(struct submit_screen *s)
{
	if (s->fetch && s->fetch_done)
		policy_fetch_free(&s->fetch);
	struct engine *e = s->app->session->engine;
	const char *named = session_policy_file(s->app->session);
	if (s->fetch || (!named && !engine_api_minor(e)))
		return;   /* in flight, or data_changed tries again when the engine answers */
	s->fetch_done = false;
	s->fetch = policy_fetch_start(e, named, s->me.uid == 0, on_fetched, s);
	if (policy_fetch_finished(s->fetch))
		fetched(s);
}

/* --- the terms --- */

static void terms_close(struct submit_screen *s, const char *msg)
{
	s->step = ST_FORM;
	pager_free(&s->pager);
	field_free(&s->accept);
	field_free(&s->purpose);
	set_str(&s->terms_msg, NULL);
	set_str(&s->failure, msg ? clean(s, msg) : NULL);
	s->failure_field = JF_COUNT;
}

static void terms_open(struct submit_screen *s)
{
	const struct policy *p = &s->policy;
	s->step = ST_TERMS;
	s->pager = pager_new(theme(s));
	s->accept = field_new(theme(s), 64);
	s->purpose = field_new(theme(s), 2000);
	field_set_placeholder(s->purpose, "what the job is for, one line");
	s->tfocus = TF_PAGER;
	s->end_seen = false;
	if (s->has_last && s->last.terms_text && strcmp(s->last.terms_sha256, s->sha) != 0) {
		char when[32] = "";
		time_t t = (time_t)s->last.time;
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof when, " on %Y-%m-%d", &tm);
		char *head = xasprintf("The terms changed since you accepted version %s%s. What changed "
		                       "(- removed, + added):\n", s->last.terms_version, when);
		pager_append(s->pager, head, strlen(head), THEME_HEADER);
		free(head);
		char *diff = terms_diff(s->last.terms_text, p->terms_text, 2);
		for (const char *l = diff; *l;) {
			const char *nl = strchr(l, '\n');
			size_t n = nl ? (size_t)(nl - l) : strlen(l);
			enum theme_role r = n >= 2 && l[0] == '+' && l[1] == ' ' ? THEME_ROW_OK
			                    : n >= 2 && l[0] == '-' && l[1] == ' ' ? THEME_ROW_FAILED
			                    : THEME_NORMAL;
			pager_append(s->pager, l, n, r);
			l += n + (nl != NULL);
		}
		free(diff);
		static const char rule[] = "\n--- The terms in full ---\n";
		pager_append(s->pager, rule, strlen(rule), THEME_HEADER);
	}
	pager_append(s->pager, p->terms_text, strlen(p->terms_text), THEME_NORMAL);
	static const char end[] = "\n--- End of the terms ---";
	pager_append(s->pager, end, strlen(end), THEME_EMPTY);
}

static void terms_focus(struct submit_screen *s, int f)
{
	s->tfocus = f;
	field_set_focus(s->accept, f == TF_ACCEPT);
	field_set_focus(s->purpose, f == TF_PURPOSE);
}

/* Once the end of the terms has been in view, the confirmation takes the keyboard (once: Tab
 * can go back to the pager). */
static void terms_check_end(struct submit_screen *s)
{
	if (!s->end_seen && pager_reached_end(s->pager)) {
		s->end_seen = true;
		terms_focus(s, TF_ACCEPT);
	}
}

/* --- submitting --- */

static void on_progress(void *ud, const char *step)
{
	struct submit_screen *s = ud;
	set_str(&s->progress, xasprintf("%s%s...", s->interrupted ? "interrupting; " : "", step));
	s->app->dirty = true;
}

static void on_done(void *ud, const struct submit_result *r)
{
	struct submit_screen *s = ud;
	s->done = true;
	set_str(&s->progress, NULL);
	s->app->dirty = true;
	if (r->ok) {
		s->succeeded = true;
		s->service_id = xstrdup(r->service_id);
		struct cluster *cl = s->app->cluster;
		char *hw = job_hardening_warning(engine_api_minor(s->app->session->engine),
		                                 cluster_updated_ns(cl) ? cluster_info(cl) : NULL);
		s->notice = xasprintf("submitted %s: %s%s%s%s%s", s->plan.name, s->fit ? s->fit : "",
		                      r->warnings ? "; the engine warns: " : "",
		                      r->warnings ? r->warnings : "", hw ? "; " : "", hw ? hw : "");
		free(hw);
		return;
	}
	/* Back to the form with everything typed; the error beside its field. */
	s->step = ST_FORM;
	char *msg = xasprintf("%s%s", r->error ? r->error : "the submission failed",
	                      r->rolled_back ? " (the network made for it was removed again)" : "");
	set_str(&s->failure, clean(s, msg));
	free(msg);
	s->failure_field = r->field;
	if (r->field != JF_COUNT)
		set_focus(s, item_for_field(s, r->field));
	if (r->field == JF_IMAGE && r->error && creds_error_is_auth(r->error)) {
		/* The registry wants a login: say so beside the image and open the login dialog. */
		char *why = xasprintf("%s %s (L), then submit again: %s%s%s%s",
		                      s->had_auth ? "the registry refused your stored credentials: log in to"
		                                  : "log in to", s->plan.image.registry, s->failure,
		                      s->keyring_note ? " (keyring: " : "",
		                      s->keyring_note ? s->keyring_note : "", s->keyring_note ? ")" : "");
		set_str(&s->failure, clean(s, why));
		free(why);
		login_dialog_open(s->app, s->plan.image.registry);
	}
}

static void start_submit(struct submit_screen *s, const char *auth)
{
	char *why = NULL;
	if (auth && endpoint_check_secrets(engine_endpoint(s->app->session->engine), &why) != 0) {
		/* Nothing goes out; back to the form, which says why. */
		on_done(s, &(struct submit_result){.field = JF_COUNT, .error = why});
		free(why);
		return;
	}
	struct submit_args args = {
		.plan = &s->plan, .terms_sha256 = s->sha, .consent_name = s->pend_name,
		.consent_json = s->pend_json, .consent_labels = s->pend_labels,
		.registry_auth = auth, .now = (int64_t)time(NULL),
	};
	s->had_auth = auth != NULL;
	s->submit = submit_start(s->app->session->engine, &args, on_progress, on_done, s);
}

static void on_cred(void *ud, struct keyring_result *r)
{
	struct submit_screen *s = ud;
	s->req_cred = NULL;
	char *auth = r->state == KEYRING_OK && r->cred ? cred_registry_auth(r->cred) : NULL;
	if (r->state != KEYRING_OK)
		set_str(&s->keyring_note, xstrdup(r->message ? r->message : keyring_state_name(r->state)));
	start_submit(s, auth);
	secmem_free(&auth);
	s->app->dirty = true;
}

/* Submit with the registry's credentials when there are any: this session's first, then the
 * keyring's (asked without waiting; the loop calls on_cred back). */
static void go_submit(struct submit_screen *s, const char *name, const char *json, const char *labels)
{
	submit_free(&s->submit);
	if (s->req_cred)
		keyring_cancel(s->app->keyring, s->req_cred);
	s->req_cred = NULL;
	set_str(&s->pend_name, name ? xstrdup(name) : NULL);
	set_str(&s->pend_json, json ? xstrdup(json) : NULL);
	set_str(&s->pend_labels, labels ? xstrdup(labels) : NULL);
	set_str(&s->keyring_note, NULL);
	s->done = s->interrupted = false;
	s->step = ST_SUBMITTING;
	set_str(&s->failure, NULL);
	char *key = creds_server_key(s->plan.image.registry);
	const struct cred *c = key ? creds_find(s->app->creds, key) : NULL;
	if (c || !key || !s->app->keyring) {
		char *auth = c ? cred_registry_auth(c) : NULL;
		set_str(&s->progress, xstrdup("starting..."));
		start_submit(s, auth);
		secmem_free(&auth);
	} else {
		set_str(&s->progress, xstrdup("looking up the registry's credentials in your keyring..."));
		s->req_cred = keyring_lookup(s->app->keyring, key, on_cred, s);
	}
	free(key);
}

/* The acceptance record, as cmd_submit.c's terms_gate makes it. Returns false with *err when
 * it would not read back (it must never be cited unless stored). */
static bool consent_make(struct submit_screen *s, const char *purpose, int64_t when, char **name,
                         char **json, char **labels, char **err)
{
	char host[256] = "unknown";
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	struct consent rec = {
		.user = s->me.user, .terms_version = s->policy.terms_version, .terms_sha256 = s->sha,
		.terms_text = s->policy.terms_text, .datasets = s->plan.datasets,
		.n_datasets = s->plan.n_datasets, .class_name = s->plan.cls->name,
		.purpose = (char *)(uintptr_t)purpose, .time = when, .host = host,
		.glovebox_version = (char *)(uintptr_t)GLOVEBOX_VERSION,
	};
	*json = consent_to_json(&rec);
	*labels = consent_config_labels(&rec);
	if (!*json || !*labels) {
		free(*json);
		free(*labels);
		*json = *labels = NULL;
		*err = xstrdup("the acceptance cannot be recorded: it needs a purpose of one non-blank "
		               "line, and terms under 1000 KiB");
		return false;
	}
	*name = consent_config_name(&rec);
	return true;
}

static void submit_with_acceptance(struct submit_screen *s)
{
	char *name = NULL, *json = NULL, *labels = NULL, *err = NULL;
	if (!consent_make(s, s->acc_purpose, s->acc_time, &name, &json, &labels, &err)) {
		terms_close(s, err);
		free(err);
		return;
	}
	pager_free(&s->pager);
	field_free(&s->accept);
	field_free(&s->purpose);
	go_submit(s, name, json, labels);
	free(name);
	free(json);
	free(labels);
}

static void on_consents(void *ud, const struct config_list *l, const char *error, bool unreachable)
{
	struct submit_screen *s = ud;
	(void)unreachable;
	s->req_consents = NULL;
	s->app->dirty = true;
	if (s->step != ST_CHECKING)
		return;
	if (error) {
		char *msg = xasprintf("cannot read your earlier acceptances of the terms: %s", error);
		terms_close(s, msg);
		free(msg);
		return;
	}
	char *accepted = NULL;
	if (s->has_last)
		consent_clear(&s->last);
	consent_find(l, s->me.user, s->sha, &accepted, &s->last, &s->has_last);
	if (accepted)
		go_submit(s, accepted, NULL, NULL);
	else if (s->acc_sha && strcmp(s->acc_sha, s->sha) == 0)
		submit_with_acceptance(s);   /* accepted in this form, not stored yet */
	else
		terms_open(s);
	free(accepted);
}

/* Submit pressed on a valid form: look for an acceptance of these terms first. */
static void check_terms(struct submit_screen *s)
{
	struct engine *e = s->app->session->engine;
	if (!engine_api_minor(e)) {
		set_str(&s->failure, xstrdup("not connected to the engine yet: wait until the jobs list "
		                             "shows, then submit again"));
		s->failure_field = JF_COUNT;
		return;
	}
	set_str(&s->failure, NULL);
	s->step = ST_CHECKING;
	char *label = xasprintf("glovebox.user=%s", s->me.user);
	s->req_consents = configs_list(e, "glovebox.consent=1", label, on_consents, s);
	free(label);
}

static void purpose_done(struct submit_screen *s)
{
	const char *purpose = field_text(s->purpose);
	const char *p = purpose;
	set_str(&s->terms_msg, NULL);
	while (*p == ' ')
		p++;
	if (!*p) {
		set_str(&s->terms_msg, xstrdup("the purpose is required: one line saying what the job is for"));
		return;
	}
	/* The same check job_plan_make does on --purpose; only that field's verdict counts. */
	struct job_request req = {.purpose = purpose};
	struct job_errors e = {0};
	struct job_plan scratch;
	job_plan_make(&s->policy, &req, &s->me.id, 0, &scratch, &e);
	job_plan_clear(&scratch);
	if (e.msg[JF_PURPOSE]) {
		char *msg = xasprintf("purpose: %s", e.msg[JF_PURPOSE]);
		set_str(&s->terms_msg, clean(s, msg));
		free(msg);
	}
	job_errors_clear(&e);
	if (s->terms_msg)
		return;
	set_str(&s->acc_sha, xstrdup(s->sha));
	set_str(&s->acc_purpose, xstrdup(purpose));
	s->acc_time = (int64_t)time(NULL);
	submit_with_acceptance(s);
}

/* --- keys --- */

static bool is_enter(wint_t ch, bool is_code)
{
	return (!is_code && (ch == '\r' || ch == '\n')) || (is_code && ch == KEY_ENTER);
}

static void ask_discard(struct submit_screen *s, bool quit)
{
	static const char *const buttons[] = {"Discard", "Keep editing"};
	s->quit_after = quit;
	s->confirm = dialog_new(quit ? "Quit glovebox?" : "Discard the job?",
	                        quit ? "The new job's form holds what you typed. Discard it and quit?"
	                             : "Discard what you typed for this job?",
	                        buttons, 2, 1, theme(s));
	widget_place(dialog_widget(s->confirm), stdscr, s->area);
}

/* Esc, or Cancel: ask first when something was typed. */
static void cancel(struct submit_screen *s)
{
	if (s->have_policy && form_touched(s))
		ask_discard(s, false);
	else
		submit_close(s, NULL, NULL);
}

static int confirm_input(struct submit_screen *s, int key)
{
	int r = dialog_handle_key(s->confirm, key);
	if (!(r & WR_DONE))
		return WR_HANDLED | WR_REDRAW;
	bool discard = dialog_result(s->confirm) == 0, quit = s->quit_after;
	dialog_free(&s->confirm);
	if (discard) {
		if (quit)
			s->app->quit = true;
		else
			submit_close(s, NULL, NULL);   /* frees s */
	}
	return WR_HANDLED | WR_REDRAW;
}

static void move_focus(struct submit_screen *s, int dir)
{
	if (s->failure && s->failure_field == JF_COUNT)
		set_str(&s->failure, NULL);   /* read; the focused field's hint comes back */
	if (s->n_items)
		set_focus(s, dir > 0 ? (s->focus + 1) % s->n_items : (s->focus + s->n_items - 1) % s->n_items);
}

/* The item after the list the focus is in (Enter on a class). */
static void leave_list(struct submit_screen *s)
{
	enum item_kind k = s->items[s->focus].kind;
	size_t i = s->focus;
	while (i + 1 < s->n_items && s->items[i].kind == k)
		i++;
	set_focus(s, i);
}

static void edited(struct submit_screen *s, enum job_field f)
{
	/* A submission's error stays until the user changes what it is about. */
	if (s->failure && (s->failure_field == f || s->failure_field == JF_COUNT))
		set_str(&s->failure, NULL);
	validate(s);
}

static int form_input(struct submit_screen *s, wint_t ch, bool is_code)
{
	const struct item *it = focused(s);
	if (is_code && (ch == KEY_F(1) || ch == KEY_F(5)))
		return WR_IGNORED;
	if (!is_code && ch == CTRL('L'))
		return WR_IGNORED;
	if (is_code && ch == KEY_F(10)) {
		if (!form_touched(s))
			return WR_IGNORED;
		ask_discard(s, true);
		return WR_HANDLED | WR_REDRAW;
	}
	if (!is_code && ch == KEY_ESC) {
		cancel(s);
		return WR_HANDLED | WR_REDRAW;
	}
	if ((!is_code && ch == '\t') || (is_code && ch == KEY_DOWN)) {
		move_focus(s, 1);
		return WR_HANDLED | WR_REDRAW;
	}
	if (is_code && (ch == KEY_BTAB || ch == KEY_UP)) {
		move_focus(s, -1);
		return WR_HANDLED | WR_REDRAW;
	}
	if (!it)
		return WR_HANDLED;
	switch (it->kind) {
	case IT_TEXT:
		if (is_enter(ch, is_code)) {
			move_focus(s, 1);
			return WR_HANDLED | WR_REDRAW;
		}
		if (field_input(s->text[it->index], ch, is_code) & WR_REDRAW)
			edited(s, text_field[it->index]);
		return WR_HANDLED | WR_REDRAW;
	case IT_CLASS:
		if ((!is_code && ch == ' ') || is_enter(ch, is_code)) {
			if (s->cls != it->index) {
				s->cls = it->index;
				edited(s, JF_CLASS);
			}
			if (is_enter(ch, is_code))
				leave_list(s);
		}
		return WR_HANDLED | WR_REDRAW;
	case IT_DATASET:
		if ((!is_code && (ch == ' ' || ch == 'x')) || is_enter(ch, is_code)) {
			s->picked[it->index] = !s->picked[it->index];
			edited(s, JF_DATASETS);
		}
		return WR_HANDLED | WR_REDRAW;
	case IT_SUBMIT:
	case IT_CANCEL:
		if (is_code && (ch == KEY_LEFT || ch == KEY_RIGHT)) {
			set_focus(s, item_for(s, it->kind == IT_SUBMIT ? IT_CANCEL : IT_SUBMIT, 0));
			return WR_HANDLED | WR_REDRAW;
		}
		if (!is_enter(ch, is_code) && !(!is_code && ch == ' '))
			return WR_HANDLED;
		if (it->kind == IT_CANCEL) {
			cancel(s);
			return WR_HANDLED | WR_REDRAW;
		}
		if (form_ok(s)) {
			check_terms(s);
		} else {
			/* Never a dead end: go where the form needs fixing. */
			for (int f = 0; f < JF_COUNT; f++)
				if (field_error(s, (enum job_field)f)) {
					set_focus(s, item_for_field(s, (enum job_field)f));
					break;
				}
		}
		return WR_HANDLED | WR_REDRAW;
	}
	return WR_HANDLED;
}

static int terms_input(struct submit_screen *s, wint_t ch, bool is_code)
{
	if (is_code && (ch == KEY_F(1) || ch == KEY_F(5) || ch == KEY_F(10)))
		return WR_IGNORED;
	if (pager_prompting(s->pager))
		return pager_input(s->pager, ch, is_code) | WR_HANDLED;
	if (!is_code && ch == KEY_ESC) {
		terms_close(s, "the terms were not accepted: nothing was submitted");
		return WR_HANDLED | WR_REDRAW;
	}
	bool reached = pager_reached_end(s->pager);
	set_str(&s->terms_msg, NULL);
	if (!is_code && ch == '\t') {
		if (reached)
			terms_focus(s, s->tfocus == TF_PAGER ? TF_ACCEPT
			               : s->tfocus == TF_ACCEPT && !strcmp(field_text(s->accept), "accept")
			               ? TF_PURPOSE : TF_PAGER);
		return WR_HANDLED | WR_REDRAW;
	}
	if (is_code && ch == KEY_BTAB) {
		terms_focus(s, s->tfocus == TF_PURPOSE ? TF_ACCEPT : TF_PAGER);
		return WR_HANDLED | WR_REDRAW;
	}
	if (s->tfocus == TF_PAGER) {
		int r = pager_input(s->pager, ch, is_code);
		terms_check_end(s);
		if (r == WR_IGNORED && is_enter(ch, is_code))
			set_str(&s->terms_msg, xstrdup(reached ? "Tab goes to the confirmation"
			                                       : "read the terms to the end first (PgDn, End)"));
		return WR_HANDLED | WR_REDRAW;
	}
	/* A field has the keyboard; the pager keeps the keys a field has no use for. */
	if (is_code && (ch == KEY_UP || ch == KEY_DOWN || ch == KEY_PPAGE || ch == KEY_NPAGE)) {
		pager_input(s->pager, ch, is_code);
		return WR_HANDLED | WR_REDRAW;
	}
	struct field *f = s->tfocus == TF_ACCEPT ? s->accept : s->purpose;
	if (!is_enter(ch, is_code)) {
		field_input(f, ch, is_code);
		return WR_HANDLED | WR_REDRAW;
	}
	if (s->tfocus == TF_ACCEPT) {
		const char *t = field_text(s->accept);
		while (*t == ' ')
			t++;
		size_t n = strlen(t);
		while (n && t[n - 1] == ' ')
			n--;
		if (n == 6 && !strncmp(t, "accept", 6))
			terms_focus(s, TF_PURPOSE);
		else
			set_str(&s->terms_msg, xstrdup("type the word accept to accept the terms, "
			                               "or Esc to go back without accepting"));
		return WR_HANDLED | WR_REDRAW;
	}
	purpose_done(s);
	return WR_HANDLED | WR_REDRAW;
}

static int submit_screen_input(void *data, wint_t ch, bool is_code)
{
	struct submit_screen *s = data;
	if (s->confirm)
		return confirm_input(s, is_code || ch < 0x80 ? (int)ch : 0);
	switch (s->step) {
	case ST_LOADING:
	case ST_BROKEN:
		if (!is_code && ch == KEY_ESC) {
			submit_close(s, NULL, NULL);
			return WR_HANDLED | WR_REDRAW;
		}
		if (s->step == ST_BROKEN && (is_enter(ch, is_code) || (!is_code && ch == 'r'))) {
			char *err = NULL;
			s->step = ST_LOADING;
			if (!s->have_me && whoami_current(&s->me, &err) != 0) {
				broken(s, err);
				free(err);
				return WR_HANDLED | WR_REDRAW;
			}
			s->have_me = true;
			policy_start(s);
			return WR_HANDLED | WR_REDRAW;
		}
		return is_code && (ch == KEY_F(1) || ch == KEY_F(10) || ch == KEY_F(5)) ? WR_IGNORED : WR_HANDLED;
	case ST_FORM:
		return form_input(s, ch, is_code);
	case ST_CHECKING:
		if (!is_code && ch == KEY_ESC) {
			configs_list_cancel(s->app->session->engine, s->req_consents);
			s->req_consents = NULL;
			s->step = ST_FORM;
		}
		return WR_HANDLED | WR_REDRAW;
	case ST_TERMS:
		return terms_input(s, ch, is_code);
	case ST_SUBMITTING:
		if (!is_code && ch == KEY_ESC && s->submit && !s->interrupted) {
			s->interrupted = true;
			submit_interrupt(s->submit);
			set_str(&s->progress, xstrdup("interrupting: what was made is undone..."));
		} else if (is_code && ch == KEY_F(1)) {
			return WR_IGNORED;
		}
		return WR_HANDLED | WR_REDRAW;
	}
	return WR_HANDLED;
}

/* --- drawing --- */

static void draw_title(struct submit_screen *s, const char *title)
{
	attr_t h = role(s, THEME_HEADER);
	widget_fill(stdscr, s->area.y, s->area.x, s->area.w, h);
	int n = put(s, 0, 0, s->area.w, title, h);
	if (s->have_policy && s->policy.origin && s->area.w - n > 20) {
		char *raw = xasprintf("policy: %s", s->policy.origin);
		char *o = clean(s, raw);
		free(raw);
		int w = (int)text_width(o);
		int room = s->area.w - n - 2;
		put(s, 0, s->area.w - (w < room ? w : room), room, o, h);
		free(o);
	}
}

/* The wrapped hint in the bottom HINT_ROWS lines. */
static void draw_hint(struct submit_screen *s, const char *text, enum theme_role r)
{
	struct wrap w = {0};
	char *c = clean(s, text ? text : "");
	wrap_text(&w, c, s->area.w - 1);
	free(c);
	for (int i = 0; i < HINT_ROWS; i++) {
		int y = s->area.h - HINT_ROWS + i;
		widget_fill(stdscr, s->area.y + y, s->area.x, s->area.w, role(s, THEME_NORMAL));
		if ((size_t)i < w.n) {
			const char *line = w.line[i];
			char *cut = NULL;
			if (i == HINT_ROWS - 1 && w.n > HINT_ROWS)
				line = cut = xasprintf("%s ...", w.line[i]);
			widget_put(stdscr, s->area.y + y, s->area.x, s->area.w, line, role(s, r), false,
			           theme(s)->ascii);
			free(cut);
		}
	}
	wrap_free(&w);
}

static void describe_free(const struct class_free *f, bool data, char *buf, size_t sz)
{
	char cpu[32], mem[32];
	if (!data) {
		snprintf(buf, sz, "free: not known yet");
		return;
	}
	if (!f->nodes) {
		snprintf(buf, sz, "no ready node");
		return;
	}
	fmt_cpus(cpu, sizeof cpu, (double)llround(f->cpus * 10) / 10);
	format_bytes(mem, sizeof mem, (uint64_t)f->mem);
	if (f->nodes == 1)
		snprintf(buf, sz, "free %s CPU %s", cpu, mem);
	else
		snprintf(buf, sz, "%u nodes, free %s CPU %s", f->nodes, cpu, mem);
}

/* The text beside a field: its error, or what is allowed. */
static const char *beside(struct submit_screen *s, enum text_id t, char *buf, size_t sz, enum theme_role *r)
{
	const struct policy *p = &s->policy;
	const struct policy_class *c = &p->classes[s->cls];
	const char *err = field_error(s, text_field[t]);
	*r = THEME_ROW_FAILED;
	if (err) {
		/* An empty required field is a hint, not yet a mistake. */
		if (t == T_IMAGE && !*field_text(s->text[t]) && err != s->failure)
			*r = THEME_EMPTY;
		return err;
	}
	*r = THEME_EMPTY;
	char v[32];
	switch (t) {
	case T_IMAGE:
		if (p->n_registries) {
			size_t o = (size_t)snprintf(buf, sz, "from ");
			for (size_t i = 0; i < p->n_registries && o < sz; i++)
				o += (size_t)snprintf(buf + o, sz - o, "%s%s", i ? ", " : "", p->registries[i]);
		} else {
			snprintf(buf, sz, "from any registry");
		}
		break;
	case T_CPUS:
		fmt_cpus(v, sizeof v, c->max_cpus);
		snprintf(buf, sz, "up to %s in this class", v);
		break;
	case T_MEMORY:
		fmt_size(v, sizeof v, c->max_memory);
		snprintf(buf, sz, "up to %s in this class", v);
		break;
	case T_LIFETIME:
		format_duration(v, sizeof v, p->max_lifetime);
		snprintf(buf, sz, "up to %s", v);
		break;
	case T_COMMAND:
		snprintf(buf, sz, "optional: arguments for the image");
		break;
	case T_NAME:
		snprintf(buf, sz, "optional");
		break;
	default:
		buf[0] = '\0';
	}
	return buf;
}

/* The hint for the focused item: its whole error, or what it is for. */
static char *hint_for(struct submit_screen *s, enum theme_role *r)
{
	const struct policy *p = &s->policy;
	const struct item *it = focused(s);
	*r = THEME_NORMAL;
	if (s->step == ST_SUBMITTING) {
		*r = THEME_ROW_PENDING;
		return xasprintf("submitting: %s%s", s->progress ? s->progress : "...",
		                 s->interrupted ? "" : " (Esc interrupts and undoes it)");
	}
	if (s->step == ST_CHECKING) {
		*r = THEME_ROW_PENDING;
		return xstrdup("checking your earlier acceptances of the terms...");
	}
	if (s->failure && s->failure_field == JF_COUNT) {
		*r = THEME_ROW_FAILED;
		return xstrdup(s->failure);
	}
	if (!it)
		return xstrdup("");
	const char *err;
	switch (it->kind) {
	case IT_TEXT:
		err = field_error(s, text_field[it->index]);
		if (err && (*field_text(s->text[it->index]) || err == s->failure)) {
			*r = THEME_ROW_FAILED;
			return xasprintf("%s: %s", job_field_name(text_field[it->index]), err);
		}
		switch (it->index) {
		case T_IMAGE:
			return xstrdup("The image to run, as registry/path:tag; it is pinned to its digest "
			               "when the job is submitted.");
		case T_CPUS:
			return xstrdup("CPUs for the job, both reserved and its limit; empty: the class's default.");
		case T_MEMORY:
			return xstrdup("Memory for the job, reserved and its limit, e.g. 512MiB or 2GiB; "
			               "empty: the class's default.");
		case T_LIFETIME:
			return xstrdup("How long the job may run, e.g. 90m, 12h or 1d 6h; empty: the longest allowed.");
		case T_COMMAND:
			return xstrdup("Arguments for the image's entrypoint, split like a shell's: "
			               "--input /data/x 'two words'. Empty: the image's own.");
		default:
			return xstrdup("The job's name: lowercase letters, digits and '-'. Empty: made from "
			               "your account and the image.");
		}
	case IT_CLASS: {
		const struct policy_class *c = &p->classes[it->index];
		char f[96];
		describe_free(&s->free[it->index], cluster_updated_ns(s->app->cluster) != 0, f, sizeof f);
		return xasprintf("%s: %s (%s; %u ready node%s). Space or Enter chooses it.", c->name,
		                 *c->description ? c->description : "no description", f,
		                 s->free[it->index].nodes, s->free[it->index].nodes == 1 ? "" : "s");
	}
	case IT_DATASET: {
		const struct policy_dataset *d = &p->datasets[it->index];
		if (s->errs.msg[JF_DATASETS]) {
			*r = THEME_ROW_FAILED;
			return xasprintf("datasets: %s", s->errs.msg[JF_DATASETS]);
		}
		return xasprintf("%s: %s, read-only at %s. Space picks or drops it.", d->name,
		                 *d->description ? d->description : "no description", d->target);
	}
	case IT_SUBMIT:
		if (form_ok(s))
			return xasprintf("Enter submits %s. The data-use terms are shown first when you have "
			                 "not accepted them yet.", s->plan.name);
		for (int f = 0; f < JF_COUNT; f++)
			if ((err = field_error(s, (enum job_field)f))) {
				*r = THEME_ROW_FAILED;
				return xasprintf("not yet: %s: %s (Enter goes there)", job_field_name((enum job_field)f), err);
			}
		return xstrdup("");
	case IT_CANCEL:
		return xstrdup("Enter cancels the form.");
	}
	return xstrdup("");
}

static void draw_line(struct submit_screen *s, const struct line *l, int y, bool focus)
{
	const struct policy *p = &s->policy;
	int w = s->area.w;
	attr_t normal = role(s, THEME_NORMAL);
	char buf[512];
	bool first = l == s->lines || l[-1].kind != l->kind;
	if (focus)
		put(s, y, 0, 1, ">", normal | A_BOLD);
	switch (l->kind) {
	case L_TEXT: {
		enum text_id t = (enum text_id)l->index;
		put(s, y, LABEL_X, LABEL_W, text_label[t], focus ? normal | A_BOLD : normal);
		/* Wide fields leave 30 columns for the reason at 80 columns, 8 when narrow. */
		int fw = t == T_IMAGE || t == T_COMMAND ? w - FIELD_X - 2 - (w >= 70 ? 30 : 8)
		         : t == T_NAME ? 24 : 10;
		fw = fw > 48 ? 48 : fw < 6 ? 6 : fw;
		if (FIELD_X + fw + 2 > w)
			fw = w - FIELD_X - 2;
		if (fw < 1)
			return;
		put(s, y, FIELD_X, 1, "[", normal);
		widget_place(field_widget(s->text[t]), stdscr,
		             (struct rect){s->area.y + y, s->area.x + FIELD_X + 1, 1, fw});
		widget_draw(field_widget(s->text[t]));
		put(s, y, FIELD_X + 1 + fw, 1, "]", normal);
		enum theme_role r;
		const char *msg = beside(s, t, buf, sizeof buf, &r);
		put(s, y, FIELD_X + fw + 3, w - (FIELD_X + fw + 3), msg, role(s, r));
		break;
	}
	case L_CLASS: {
		const struct policy_class *c = &p->classes[l->index];
		if (first)
			put(s, y, LABEL_X, LABEL_W, "Class", focus ? normal | A_BOLD : normal);
		char *name = xasprintf("%s %s", l->index == s->cls ? "(*)" : "( )", c->name);
		int nw = 4 + 12;
		put(s, y, FIELD_X, nw, name, focus ? role(s, THEME_SELECTED) : normal);
		free(name);
		char f[96];
		describe_free(&s->free[l->index], cluster_updated_ns(s->app->cluster) != 0, f, sizeof f);
		int x = FIELD_X + nw + 1;
		put(s, y, x, 24, f, role(s, s->free[l->index].nodes ? THEME_NORMAL : THEME_EMPTY));
		x += 25;
		if (x < w - 8)
			put(s, y, x, w - x, c->description, role(s, THEME_EMPTY));
		break;
	}
	case L_DATASET: {
		const struct policy_dataset *d = &p->datasets[l->index];
		if (first)
			put(s, y, LABEL_X, LABEL_W, "Datasets", focus ? normal | A_BOLD : normal);
		char *name = xasprintf("%s %s", s->picked[l->index] ? "[x]" : "[ ]", d->name);
		int nw = 4 + 20;
		put(s, y, FIELD_X, nw, name, focus ? role(s, THEME_SELECTED) : normal);
		free(name);
		int x = FIELD_X + nw + 1;
		if (first && s->errs.msg[JF_DATASETS])
			put(s, y, x, w - x, s->errs.msg[JF_DATASETS], role(s, THEME_ROW_FAILED));
		else if (x < w - 8)
			put(s, y, x, w - x, d->description, role(s, THEME_EMPTY));
		break;
	}
	case L_NO_DATASET:
		put(s, y, LABEL_X, LABEL_W, "Datasets", normal);
		put(s, y, FIELD_X, w - FIELD_X, "none that your groups may use", role(s, THEME_EMPTY));
		break;
	case L_BLANK:
		break;
	case L_FIT:
		put(s, y, LABEL_X, LABEL_W, "Fit", normal);
		put(s, y, FIELD_X, w - FIELD_X, s->fit ? s->fit : "", role(s, s->fit_role));
		break;
	case L_POSTURE:
		if (first)
			put(s, y, LABEL_X, LABEL_W, "Posture", normal);
		if (l->index < s->n_posture)
			put(s, y, FIELD_X, w - FIELD_X, s->posture[l->index], role(s, THEME_ROW_PENDING));
		break;
	case L_BUTTONS: {
		const struct item *it = focused(s);
		bool ok = form_ok(s) && s->step == ST_FORM;
		bool on_submit = it && it->kind == IT_SUBMIT, on_cancel = it && it->kind == IT_CANCEL;
		if (on_submit || on_cancel)
			put(s, y, 0, 1, ">", normal | A_BOLD);
		int x = FIELD_X;
		attr_t a = on_submit ? role(s, THEME_BUTTON_FOCUS) : ok ? role(s, THEME_BUTTON) : role(s, THEME_EMPTY);
		x += put(s, y, x, 12, ok ? "[ Submit ]" : "[ submit ]", a);
		x += 2;
		put(s, y, x, 12, "[ Cancel ]", on_cancel ? role(s, THEME_BUTTON_FOCUS) : role(s, THEME_BUTTON));
		break;
	}
	}
}

static void draw_form(struct submit_screen *s)
{
	char *title = xasprintf("New job%s", s->step == ST_SUBMITTING ? ": submitting" : "");
	draw_title(s, title);
	free(title);
	int rows = s->area.h - 1 - HINT_ROWS;
	if (rows < 1)
		return;
	/* Keep the focused line in view; show everything when it fits. */
	const struct item *it = focused(s);
	int fl = it ? (int)it->line : 0;
	if ((int)s->n_lines <= rows)
		s->scroll = 0;
	if (fl < s->scroll)
		s->scroll = fl;
	if (fl >= s->scroll + rows)
		s->scroll = fl - rows + 1;
	if (s->scroll > (int)s->n_lines - rows)
		s->scroll = (int)s->n_lines - rows > 0 ? (int)s->n_lines - rows : 0;
	for (int r = 0; r < rows && s->scroll + r < (int)s->n_lines; r++) {
		size_t li = (size_t)(s->scroll + r);
		draw_line(s, &s->lines[li], 1 + r, it && it->line == li && it->kind != IT_SUBMIT &&
		          it->kind != IT_CANCEL);
	}
	if (s->scroll > 0)
		put(s, 1, s->area.w - 1, 1, theme(s)->ascii ? "^" : "\xE2\x86\x91", role(s, THEME_EMPTY));
	if (s->scroll + rows < (int)s->n_lines)
		put(s, rows, s->area.w - 1, 1, theme(s)->ascii ? "v" : "\xE2\x86\x93", role(s, THEME_EMPTY));
	enum theme_role r;
	char *hint = hint_for(s, &r);
	draw_hint(s, hint, r);
	free(hint);
}

static void draw_terms(struct submit_screen *s)
{
	const struct policy *p = &s->policy;
	bool changed = s->has_last && strcmp(s->last.terms_sha256, s->sha) != 0;
	char *title = xasprintf("Data-use terms, version %s%s", p->terms_version,
	                        changed ? " (changed since you last accepted them)" : "");
	draw_title(s, title);
	free(title);
	int h = s->area.h, w = s->area.w;
	int ph = h - 4;
	if (ph < 1)
		return;
	widget_place(pager_widget(s->pager), stdscr, (struct rect){s->area.y + 1, s->area.x, ph, w});
	widget_draw(pager_widget(s->pager));
	terms_check_end(s);
	bool reached = pager_reached_end(s->pager);
	attr_t normal = role(s, THEME_NORMAL);

	char pos[96];
	pager_position_text(s->pager, pos, sizeof pos);
	int y = h - 3;
	widget_fill(stdscr, s->area.y + y, s->area.x, w, role(s, THEME_STATUS));
	int n = put(s, y, 0, w, pos, role(s, THEME_STATUS));
	const char *msg = s->terms_msg ? s->terms_msg
	                  : !reached ? "read to the end to go on: PgDn, End"
	                  : s->tfocus == TF_PAGER ? "Tab: on to the confirmation"
	                  : "Esc: back without accepting";
	put(s, y, n + 2, w - n - 2, msg, role(s, s->terms_msg ? THEME_STATUS_WARN : THEME_STATUS));

	y = h - 2;
	widget_fill(stdscr, s->area.y + y, s->area.x, w, normal);
	if (s->tfocus == TF_ACCEPT)
		put(s, y, 0, 1, ">", normal | A_BOLD);
	put(s, y, LABEL_X, LABEL_W, "Accept", normal);
	if (!reached) {
		put(s, y, FIELD_X, w - FIELD_X, "read the terms to the end first", role(s, THEME_EMPTY));
	} else {
		put(s, y, FIELD_X, 1, "[", normal);
		widget_place(field_widget(s->accept), stdscr, (struct rect){s->area.y + y, s->area.x + FIELD_X + 1, 1, 10});
		widget_draw(field_widget(s->accept));
		put(s, y, FIELD_X + 11, 1, "]", normal);
		put(s, y, FIELD_X + 13, w - FIELD_X - 13, "type accept to accept the terms", role(s, THEME_EMPTY));
	}
	y = h - 1;
	widget_fill(stdscr, s->area.y + y, s->area.x, w, normal);
	if (s->tfocus == TF_PURPOSE)
		put(s, y, 0, 1, ">", normal | A_BOLD);
	put(s, y, LABEL_X, LABEL_W, "Purpose", normal);
	if (s->tfocus == TF_PURPOSE || *field_text(s->purpose)) {
		int fw = w - FIELD_X - 2;
		put(s, y, FIELD_X, 1, "[", normal);
		widget_place(field_widget(s->purpose), stdscr, (struct rect){s->area.y + y, s->area.x + FIELD_X + 1, 1, fw});
		widget_draw(field_widget(s->purpose));
		put(s, y, FIELD_X + 1 + fw, 1, "]", normal);
	} else {
		put(s, y, FIELD_X, w - FIELD_X, "after accept: one line saying what the job is for",
		    role(s, THEME_EMPTY));
	}
}

static void submit_screen_draw(void *data)
{
	struct submit_screen *s = data;
	if (s->area.h < 4 || s->area.w < 20) {
		put(s, 0, 0, s->area.w, "too small for the form", role(s, THEME_NORMAL));
		return;
	}
	switch (s->step) {
	case ST_LOADING: {
		draw_title(s, "New job");
		const char *e = cluster_error(s->app->cluster);
		char *msg = !engine_api_minor(s->app->session->engine) && e
		            ? xasprintf("waiting for the engine to read the policy: %s", e)
		            : xstrdup("reading the policy published in the swarm...");
		put(s, 2, LABEL_X, s->area.w - LABEL_X, msg, role(s, THEME_EMPTY));
		free(msg);
		draw_hint(s, "Esc closes the form.", THEME_NORMAL);
		break;
	}
	case ST_BROKEN: {
		draw_title(s, "New job");
		struct wrap w = {0};
		wrap_text(&w, s->broken, s->area.w - 2 * LABEL_X);
		for (size_t i = 0; i < w.n && (int)i + 2 < s->area.h - HINT_ROWS; i++)
			widget_put(stdscr, s->area.y + 2 + (int)i, s->area.x + LABEL_X, s->area.w - LABEL_X,
			           w.line[i], role(s, THEME_ROW_FAILED), false, theme(s)->ascii);
		wrap_free(&w);
		draw_hint(s, "No job can be submitted without a policy. Enter or r tries again, Esc closes the form.",
		          THEME_NORMAL);
		break;
	}
	case ST_TERMS:
		draw_terms(s);
		break;
	default:
		draw_form(s);
		break;
	}
	if (s->confirm)
		widget_draw(dialog_widget(s->confirm));
}

/* --- life --- */

static void submit_screen_place(void *data, struct rect area)
{
	struct submit_screen *s = data;
	s->area = area;
	if (s->confirm)
		widget_place(dialog_widget(s->confirm), stdscr, area);
}

static void submit_screen_data_changed(void *data)
{
	struct submit_screen *s = data;
	if (s->step == ST_LOADING)
		policy_start(s);   /* the engine may have just answered */
	else if (s->have_policy) {
		fit_update(s);
		posture_update(s);
	}
}

/* A finished submission closes the form here, not from inside its callback. */
static void submit_screen_tick(void *data)
{
	struct submit_screen *s = data;
	if (s->succeeded)
		submit_close(s, s->service_id, s->notice);   /* frees s */
}

/* The keys of the step shown: the form's, or the terms'. */
static const struct keybinding *submit_screen_keys_now(const void *data)
{
	const struct submit_screen *s = data;
	return s->step == ST_TERMS ? submit_terms_keys : submit_keys;
}

static struct submit_screen *submit_screen_new(struct app *a)
{
	struct submit_screen *s = xcalloc(1, sizeof *s);
	s->app = a;
	s->step = ST_LOADING;
	s->failure_field = JF_COUNT;
	for (int t = 0; t < N_TEXT; t++)
		s->text[t] = field_new(&a->theme, t == T_IMAGE || t == T_COMMAND ? 4096 : 256);
	char *err = NULL;
	if (submit_name_random(&s->rnd, &err) != 0 || whoami_current(&s->me, &err) != 0) {
		broken(s, err);
		free(err);
		return s;
	}
	s->have_me = true;
	policy_start(s);
	return s;
}

static void submit_screen_free(void *data)
{
	struct submit_screen *s = data;
	struct engine *e = s->app->session->engine;
	if (s->submit && !s->done) {
		/* Leaving in the middle of a submission (a signal): let it undo what it made. */
		submit_interrupt(s->submit);
		int64_t until = mono_ms() + EXIT_WAIT_MS;
		while (!s->done && mono_ms() < until)
			if (engine_poll(e, NULL, 0, 100) != 0)
				break;
	}
	submit_free(&s->submit);
	if (s->req_cred)
		keyring_cancel(s->app->keyring, s->req_cred);
	free(s->pend_name);
	free(s->pend_json);
	free(s->pend_labels);
	free(s->keyring_note);
	policy_fetch_free(&s->fetch);
	if (s->req_consents)
		configs_list_cancel(e, s->req_consents);
	dialog_free(&s->confirm);
	pager_free(&s->pager);
	field_free(&s->accept);
	field_free(&s->purpose);
	for (int t = 0; t < N_TEXT; t++)
		field_free(&s->text[t]);
	job_plan_clear(&s->plan);
	job_errors_clear(&s->errs);
	if (s->has_last)
		consent_clear(&s->last);
	policy_clear(&s->policy);
	if (s->have_me)
		whoami_clear(&s->me);
	free(s->lines);
	free(s->items);
	free(s->picked);
	free(s->free);
	free(s->broken);
	free(s->sha);
	free(s->cmd_error);
	free(s->fit);
	strv_free(s->posture, s->n_posture);
	free(s->failure);
	free(s->progress);
	free(s->terms_msg);
	free(s->acc_sha);
	free(s->acc_purpose);
	free(s->service_id);
	free(s->notice);
	free(s);
}

const struct screen_ops submit_screen_ops = {
	.name = "new job",
	.keys = submit_screen_keys_now,
	.help = submit_help,
	.place = submit_screen_place,
	.draw = submit_screen_draw,
	.input = submit_screen_input,
	.data_changed = submit_screen_data_changed,
	.tick = submit_screen_tick,
	.free = submit_screen_free,
};

void submit_screen_open(struct app *a)
{
	struct submit_screen *s = submit_screen_new(a);
	screen_pop_all(a);
	screen_push(a, &submit_screen_ops, s);
}
