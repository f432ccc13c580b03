/* The new-job form itself: its lines and focus, the checks, the fit and posture lines, its
 * keys and the "discard?" question. See submit_int.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/str.h"
#include "api/base/xalloc.h"
#include "api/core/fit.h"
#include "tui/console/submit_int.h"
#include "widgets/cmdline.h"
#include "widgets/dialog.h"
#include "widgets/field.h"

const enum job_field submit_text_field[N_TEXT] = {
	[T_IMAGE] = JF_IMAGE, [T_CPUS] = JF_CPUS, [T_MEMORY] = JF_MEMORY,
	[T_LIFETIME] = JF_LIFETIME, [T_COMMAND] = JF_COMMAND, [T_NAME] = JF_NAME,
};

/* --- numbers as the policy writes them, whatever LC_NUMERIC says --- */

void submit_form_fmt_cpus(char *buf, size_t sz, double cpus)
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
void submit_form_fmt_size(char *buf, size_t sz, int64_t bytes)
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

void submit_form_build(struct submit_screen *s)
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

const struct item *submit_form_focused(const struct submit_screen *s)
{
	return s->focus < s->n_items ? &s->items[s->focus] : NULL;
}

void submit_form_set_focus(struct submit_screen *s, size_t i)
{
	s->focus = i < s->n_items ? i : 0;
	for (int t = 0; t < N_TEXT; t++)
		field_set_focus(s->text[t], false);
	const struct item *it = submit_form_focused(s);
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

size_t submit_form_item_for_field(const struct submit_screen *s, enum job_field f)
{
	for (int t = 0; t < N_TEXT; t++)
		if (submit_text_field[t] == f)
			return item_for(s, IT_TEXT, (size_t)t);
	if (f == JF_CLASS)
		return item_for(s, IT_CLASS, s->cls);
	if (f == JF_DATASETS)
		return item_for(s, IT_DATASET, 0);
	return s->focus;
}

/* --- checking the form --- */

const char *submit_form_field_error(const struct submit_screen *s, enum job_field f)
{
	if (s->failure && s->failure_field == f)
		return s->failure;
	if (f == JF_COMMAND && s->cmd_error)
		return s->cmd_error;
	return s->errs.msg[f];
}

bool submit_form_ok(const struct submit_screen *s)
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
void submit_form_validate(struct submit_screen *s)
{
	const struct policy *p = &s->policy;
	job_plan_clear(&s->plan);
	job_errors_clear(&s->errs);
	submit_set_str(&s->cmd_error, NULL);
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
	submit_form_fmt_cpus(buf, sizeof buf, c->cpus);
	field_set_placeholder(s->text[T_CPUS], buf);
	submit_form_fmt_size(buf, sizeof buf, c->memory);
	field_set_placeholder(s->text[T_MEMORY], buf);
	format_duration(buf, sizeof buf, p->max_lifetime);
	field_set_placeholder(s->text[T_LIFETIME], buf);
	field_set_placeholder(s->text[T_COMMAND], "the image's own");
	field_set_placeholder(s->text[T_NAME], s->plan_ok ? s->plan.name : "made from the image");
	submit_form_fit_update(s);
	submit_form_posture_update(s);
}

/* The summary's posture lines, between the fit line and the buttons (the form's last line):
 * each property of the job's hardening the engine will not enforce, as glovebox submit says
 * it. Known once the engine's API version is; its info may make no-new-privileges sure. */
void submit_form_posture_update(struct submit_screen *s)
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
void submit_form_fit_update(struct submit_screen *s)
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
		submit_set_str(&s->fit, xstrdup("checked once the CPUs and memory are right"));
		return;
	}
	if (!data) {
		submit_set_str(&s->fit, xstrdup("waiting for the cluster's nodes and tasks"));
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
	          (const char *const *)c->constraints, c->n_constraints, cpus, mem, c->gpus, &f);
	submit_set_str(&s->fit, fit_describe(&f, c->name, cpus, mem));
	s->fit_role = f.fits ? THEME_ROW_OK : THEME_ROW_PENDING;
}

/* --- keys --- */

static void ask_discard(struct submit_screen *s, bool quit)
{
	static const char *const buttons[] = {"Discard", "Keep editing"};
	s->quit_after = quit;
	s->confirm = dialog_new(quit ? "Quit glovebox?" : "Discard the job?",
	                        quit ? "The new job's form holds what you typed. Discard it and quit?"
	                             : "Discard what you typed for this job?",
	                        buttons, 2, 1, submit_theme(s));
	widget_place(dialog_widget(s->confirm), stdscr, s->area);
}

/* Esc, or Cancel: ask first when something was typed. */
static void cancel(struct submit_screen *s)
{
	if (s->have_policy && form_touched(s))
		ask_discard(s, false);
	else
		submit_flow_close(s, NULL, NULL);
}

int submit_form_confirm_input(struct submit_screen *s, int key)
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
			submit_flow_close(s, NULL, NULL);   /* frees s */
	}
	return WR_HANDLED | WR_REDRAW;
}

static void move_focus(struct submit_screen *s, int dir)
{
	if (s->failure && s->failure_field == JF_COUNT)
		submit_set_str(&s->failure, NULL);   /* read; the focused field's hint comes back */
	if (s->n_items)
		submit_form_set_focus(s, dir > 0 ? (s->focus + 1) % s->n_items : (s->focus + s->n_items - 1) % s->n_items);
}

/* The item after the list the focus is in (Enter on a class). */
static void leave_list(struct submit_screen *s)
{
	enum item_kind k = s->items[s->focus].kind;
	size_t i = s->focus;
	while (i + 1 < s->n_items && s->items[i].kind == k)
		i++;
	submit_form_set_focus(s, i);
}

static void edited(struct submit_screen *s, enum job_field f)
{
	/* A submission's error stays until the user changes what it is about. */
	if (s->failure && (s->failure_field == f || s->failure_field == JF_COUNT))
		submit_set_str(&s->failure, NULL);
	submit_form_validate(s);
}

int submit_form_input(struct submit_screen *s, wint_t ch, bool is_code)
{
	const struct item *it = submit_form_focused(s);
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
		if (submit_is_enter(ch, is_code)) {
			move_focus(s, 1);
			return WR_HANDLED | WR_REDRAW;
		}
		if (field_input(s->text[it->index], ch, is_code) & WR_REDRAW)
			edited(s, submit_text_field[it->index]);
		return WR_HANDLED | WR_REDRAW;
	case IT_CLASS:
		if ((!is_code && ch == ' ') || submit_is_enter(ch, is_code)) {
			if (s->cls != it->index) {
				s->cls = it->index;
				edited(s, JF_CLASS);
			}
			if (submit_is_enter(ch, is_code))
				leave_list(s);
		}
		return WR_HANDLED | WR_REDRAW;
	case IT_DATASET:
		if ((!is_code && (ch == ' ' || ch == 'x')) || submit_is_enter(ch, is_code)) {
			s->picked[it->index] = !s->picked[it->index];
			edited(s, JF_DATASETS);
		}
		return WR_HANDLED | WR_REDRAW;
	case IT_SUBMIT:
	case IT_CANCEL:
		if (is_code && (ch == KEY_LEFT || ch == KEY_RIGHT)) {
			submit_form_set_focus(s, item_for(s, it->kind == IT_SUBMIT ? IT_CANCEL : IT_SUBMIT, 0));
			return WR_HANDLED | WR_REDRAW;
		}
		if (!submit_is_enter(ch, is_code) && !(!is_code && ch == ' '))
			return WR_HANDLED;
		if (it->kind == IT_CANCEL) {
			cancel(s);
			return WR_HANDLED | WR_REDRAW;
		}
		if (submit_form_ok(s)) {
			submit_flow_check_terms(s);
		} else {
			/* Never a dead end: go where the form needs fixing. */
			for (int f = 0; f < JF_COUNT; f++)
				if (submit_form_field_error(s, (enum job_field)f)) {
					submit_form_set_focus(s, submit_form_item_for_field(s, (enum job_field)f));
					break;
				}
		}
		return WR_HANDLED | WR_REDRAW;
	}
	return WR_HANDLED;
}

void submit_form_clear(struct submit_screen *s)
{
	for (int t = 0; t < N_TEXT; t++)
		field_free(&s->text[t]);
	job_plan_clear(&s->plan);
	job_errors_clear(&s->errs);
	free(s->lines);
	free(s->items);
	free(s->picked);
	free(s->free);
	free(s->cmd_error);
	free(s->fit);
	strv_free(s->posture, s->n_posture);
}
