/* The new-job form's drawing, key tables and help. See submit_int.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/base/xalloc.h"
#include "api/core/jobs.h"
#include "tui/console/submit_int.h"
#include "widgets/dialog.h"
#include "widgets/field.h"
#include "widgets/pager.h"
#include "widgets/wrap.h"

static const char *const text_label[N_TEXT] = {
	[T_IMAGE] = "Image", [T_CPUS] = "CPUs", [T_MEMORY] = "Memory",
	[T_LIFETIME] = "Lifetime", [T_COMMAND] = "Command", [T_NAME] = "Name",
};

/* The key tables feed the help screen and the key bar (the KB_BAR entries, in this order;
 * the KB_NOHELP ones are the global and the pager's keys, or a key the bar names shorter).
 * Their ops are 0: the form's input (submit.c, submit_form.c) switches on the keys itself,
 * as its fields take any character. */
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

const struct help_section submit_draw_help[] = {
	{"New job", submit_keys},
	{"Data-use terms", submit_terms_keys},
	{"Reading the terms", pager_keys},
	{NULL, NULL},
};

const struct keybinding *submit_draw_keys(const void *data)
{
	const struct submit_screen *s = data;
	return s->step == ST_TERMS ? submit_terms_keys : submit_keys;
}

/* --- drawing --- */

/* Paint untrusted text at (y, x) of the area, cut to w columns. */
static int put(struct submit_screen *s, int y, int x, int w, const char *text, attr_t attr)
{
	if (w <= 0 || y < 0 || y >= s->area.h || x >= s->area.w)
		return 0;
	if (x + w > s->area.w)
		w = s->area.w - x;
	char *c = submit_clean(s, text);
	int n = widget_put(stdscr, s->area.y + y, s->area.x + x, w, c, attr, false, submit_theme(s)->ascii);
	free(c);
	return n;
}

static attr_t role(const struct submit_screen *s, enum theme_role r)
{
	return theme_attr(submit_theme(s), r);
}

static void draw_title(struct submit_screen *s, const char *title)
{
	attr_t h = role(s, THEME_HEADER);
	widget_fill(stdscr, s->area.y, s->area.x, s->area.w, h);
	int n = put(s, 0, 0, s->area.w, title, h);
	if (s->have_policy && s->policy.origin && s->area.w - n > 20) {
		char *raw = xasprintf("policy: %s", s->policy.origin);
		char *o = submit_clean(s, raw);
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
	char *c = submit_clean(s, text ? text : "");
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
			           submit_theme(s)->ascii);
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
	submit_form_fmt_cpus(cpu, sizeof cpu, (double)llround(f->cpus * 10) / 10);
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
	const char *err = submit_form_field_error(s, submit_text_field[t]);
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
		submit_form_fmt_cpus(v, sizeof v, c->max_cpus);
		snprintf(buf, sz, "up to %s in this class", v);
		break;
	case T_MEMORY:
		submit_form_fmt_size(v, sizeof v, c->max_memory);
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
	const struct item *it = submit_form_focused(s);
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
		err = submit_form_field_error(s, submit_text_field[it->index]);
		if (err && (*field_text(s->text[it->index]) || err == s->failure)) {
			*r = THEME_ROW_FAILED;
			return xasprintf("%s: %s", job_field_name(submit_text_field[it->index]), err);
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
		if (submit_form_ok(s))
			return xasprintf("Enter submits %s. The data-use terms are shown first when you have "
			                 "not accepted them yet.", s->plan.name);
		for (int f = 0; f < JF_COUNT; f++)
			if ((err = submit_form_field_error(s, (enum job_field)f))) {
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
		const struct item *it = submit_form_focused(s);
		bool ok = submit_form_ok(s) && s->step == ST_FORM;
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
	const struct item *it = submit_form_focused(s);
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
		put(s, 1, s->area.w - 1, 1, submit_theme(s)->ascii ? "^" : "\xE2\x86\x91", role(s, THEME_EMPTY));
	if (s->scroll + rows < (int)s->n_lines)
		put(s, rows, s->area.w - 1, 1, submit_theme(s)->ascii ? "v" : "\xE2\x86\x93", role(s, THEME_EMPTY));
	enum theme_role r;
	char *hint = hint_for(s, &r);
	draw_hint(s, hint, r);
	free(hint);
}

/* The pager's text: what changed since the user's last acceptance, when the terms did, then
 * the terms in full. */
void submit_draw_terms_text(struct submit_screen *s)
{
	const struct policy *p = &s->policy;
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
	submit_flow_terms_check_end(s);
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

void submit_draw(void *data)
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
			           w.line[i], role(s, THEME_ROW_FAILED), false, submit_theme(s)->ascii);
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
