/* Triage in the console: see triage.h. */
#include "tui/console/triage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "api/engine/errmap.h"
#include "api/swarm/actions.h"
#include "api/swarm/audit.h"
#include "api/swarm/policy_fetch.h"
#include "tui/console/app.h"
#include "widgets/dialog.h"
#include "widgets/field.h"
#include "widgets/wrap.h"

#define BOX_W 64

/* The confirmation box of one action on one job. */
struct box {
	bool open;
	enum audit_action act;       /* AUDIT_RM or AUDIT_SCALE */
	uint64_t replicas;           /* for AUDIT_SCALE */
	char *id, *name, *owner;     /* the job's; owner NULL for a service not made by glovebox */
	char *text;                  /* the question, sanitised */
	bool need_reason;
	struct field *reason;        /* when need_reason */
	char *error;                 /* why the reason was refused, or NULL */
	struct rect area;
};

struct triage {
	struct app *app;
	struct who who;              /* the account, its role and the policy */
	bool role_known;
	struct policy_fetch *fetch;  /* the policy being read */
	bool fetched;                /* fetch has a result, read by triage_on_fetch */

	struct action *action;       /* in flight, or finished and waiting for triage_tick */
	char *action_name;           /* the job acted on */
	enum audit_action action_act;
	uint64_t action_replicas;

	struct box box;
};

/* ---- the role ---- */

static void role_settled(struct triage *t, const char *notice)
{
	t->role_known = true;
	if (notice)
		app_say(t->app, STATUS_WARN, notice);
	t->app->data_dirty = true;   /* what the role may see changed: rebuild the jobs */
}

/* With the policy in t->who.pol: the role it grants. */
static void policy_read(struct triage *t, const char *notice)
{
	t->who.have_policy = true;
	who_apply_policy(&t->who);
	role_settled(t, notice);
	/* The policy's Prometheus, unless --metrics or GLOVEBOX_METRICS named one (metrics.md):
	 * the screens that show usage history lay out again. */
	char *err = NULL;
	if (session_metrics_policy(t->app->session, &t->who.pol, &err) != 0) {
		char *clean = sanitize_str(err, 0);
		char *msg = xasprintf("usage from Prometheus: %s", clean);
		app_say(t->app, STATUS_WARN, msg);
		free(msg);
		free(clean);
		free(err);
	}
	app_screens_changed(t->app);
}

static void no_policy(struct triage *t, const char *why)
{
	char *msg = xasprintf("%s: without a policy glovebox cannot tell who the admins are; you act as a "
	                      "researcher, on your own jobs only", why);
	policy_clear(&t->who.pol);
	role_settled(t, msg);
	free(msg);
}

static void triage_on_fetch(void *ud)
{
	struct triage *t = ud;
	char *err = NULL;
	bool none;
	/* Read here, freed in triage_data_changed: never free the fetch from its own callback. */
	int rc = policy_fetch_result(t->fetch, &t->who.pol, &none, &err);
	const char *notice = policy_fetch_notice(t->fetch);
	char *clean = notice ? sanitize_str(notice, 0) : NULL;
	if (rc == 0)
		policy_read(t, clean);
	else if (rc != GB_EXIT_UNREACHABLE)
		no_policy(t, err);
	/* Unreachable: asked again once the engine is back. */
	free(clean);
	free(err);
	t->fetched = true;
	t->app->data_dirty = true;
}

struct triage *triage_new(struct app *a)
{
	struct triage *t = xcalloc(1, sizeof *t);
	char *err = NULL;
	t->app = a;
	if (whoami_current(&t->who.me, &err) != 0) {
		/* Nobody's jobs are this account's: it sees nothing and may do nothing. */
		t->who.actor.role = ROLE_RESEARCHER;
		t->role_known = true;
		app_say(a, STATUS_WARN, err);
		free(err);
		return t;
	}
	t->who.actor.user = t->who.me.user;
	t->who.actor.role = role_of(&t->who.me, NULL);
	if (t->who.actor.role == ROLE_ADMIN) {   /* root */
		t->role_known = true;
		return t;
	}
	return t;   /* the policy is read once the engine answers (triage_data_changed) */
}

void triage_free(struct triage **pt)
{
	struct triage *t = *pt;
	if (!t)
		return;
	policy_fetch_free(&t->fetch);
	action_free(&t->action);
	free(t->action_name);
	field_free(&t->box.reason);
	free(t->box.id);
	free(t->box.name);
	free(t->box.owner);
	free(t->box.text);
	free(t->box.error);
	who_clear(&t->who);
	free(t);
	*pt = NULL;
}

const struct actor *triage_actor(const struct triage *t)
{
	return &t->who.actor;
}

bool triage_role_known(const struct triage *t)
{
	return t->role_known;
}

const struct policy *triage_policy(const struct triage *t)
{
	return t->role_known && t->who.have_policy ? &t->who.pol : NULL;
}

void triage_data_changed(struct triage *t)
{
	const struct cluster *cl = t->app->cluster;
	if (t->fetch && t->fetched) {
		policy_fetch_free(&t->fetch);
		t->fetched = false;
	}
	if (!t->role_known && !t->fetch && engine_api_minor(t->app->session->engine) && !cluster_error(cl)) {
		t->fetch = policy_fetch_start(t->app->session->engine, session_policy_file(t->app->session), false,
		                              triage_on_fetch, t);
		if (policy_fetch_finished(t->fetch))   /* a named file: read at once */
			triage_on_fetch(t);
	}
}

/* ---- the actions ---- */

static const char *verb(enum audit_action act, uint64_t replicas, bool past)
{
	if (act == AUDIT_RM)
		return past ? "removed" : "removing";
	if (replicas == 0)
		return past ? "paused" : "pausing";
	if (replicas > 1)
		return past ? "scaled" : "scaling";
	return past ? "resumed" : "resuming";
}

/* A status line message at level: before, the job's name, after; sanitised. */
static void notice(struct triage *t, enum status_level level, const char *before, const char *name,
                   const char *after)
{
	char *raw = xasprintf("%s%s%s", before, name ? name : "", after ? after : "");
	char *clean = sanitize_str(raw, 0);
	app_say(t->app, level, clean);
	free(clean);
	free(raw);
}

static void triage_on_progress(void *ud, const char *step)
{
	struct triage *t = ud;
	char *before = xasprintf("%s ", verb(t->action_act, t->action_replicas, false));
	char *after = xasprintf(": %s...", step);
	notice(t, STATUS_INFO, before, t->action_name, after);
	free(before);
	free(after);
}

static void triage_on_done(void *ud, const struct action_result *r)
{
	struct triage *t = ud;
	char *before, *after;
	if (r->ok) {
		before = xasprintf("%s job ", verb(t->action_act, t->action_replicas, true));
		/* The record's name is long for a status line: glovebox audit lists it. */
		after = xasprintf("%s%s; %s%s%s", r->detail ? ": " : "", r->detail ? r->detail : "",
		                  r->audit_config ? "on record in the audit log" : "no audit record",
		                  r->warning ? "; warning: " : "", r->warning ? r->warning : "");
	} else {
		before = xasprintf("%s ", verb(t->action_act, t->action_replicas, false));
		after = xasprintf(" failed: %s", r->error ? r->error : "the engine did not say why");
	}
	notice(t, r->ok ? STATUS_INFO : STATUS_ERROR, before, t->action_name, after);
	free(before);
	free(after);
	app_request_refresh(t->app);
}

static void action_start(struct triage *t, enum audit_action act, const char *id, const char *name,
                         const char *owner, uint64_t replicas, const char *reason)
{
	struct audit_record rec;
	action_free(&t->action);   /* one that finished this turn, before triage_tick freed it */
	free(t->action_name);
	t->action_name = xstrdup(name);
	t->action_act = act;
	t->action_replicas = replicas;
	audit_record_init(&rec, t->who.me.user, act, name, id, owner, reason);
	notice(t, STATUS_INFO, act == AUDIT_RM ? "removing " : "scaling ", name, "...");
	struct engine *e = t->app->session->engine;
	/* done may run before these return (a record refused): triage_tick frees the action. */
	t->action = act == AUDIT_RM ? action_remove_job(e, &rec, NULL, triage_on_progress, triage_on_done, t)
	                            : action_scale_job(e, &rec, replicas, NULL, triage_on_progress, triage_on_done, t);
	audit_clear(&rec);
}

void triage_tick(struct triage *t)
{
	if (!t->action)
		return;
	if (action_finished(t->action))
		action_free(&t->action);
	else
		action_tick(t->action, mono_ns());   /* nothing before it is due */
}

int triage_wait_ms(const struct triage *t)
{
	return t->action ? action_wait_ms(t->action, mono_ns()) : -1;
}

bool triage_busy(const struct triage *t)
{
	return t->action && !action_finished(t->action);
}

/* The job with that id among those the actor sees, or NULL after saying why. The callers took
 * the id from the jobs list (a selected row, which screen.h's NEEDS_JOB checked; a command's
 * NAME), so this only guards against one the list does not have: "no job selected" is said
 * where the selection is checked, once. */
static const struct job *job_for(struct app *a, const char *service_id)
{
	const struct job *j = service_id ? jobview_by_id(a->view, service_id, NULL) : NULL;
	if (j)
		return j;
	app_say(a, STATUS_WARN, "that job is gone");
	return NULL;
}

/* Whether an action may start now (replicas: for ACT_SCALE); says why not. */
static bool may_act(struct app *a, const struct job *j, enum act act, uint64_t replicas, enum permit *p)
{
	struct triage *t = a->triage;
	if (!j)
		return false;
	if (triage_busy(t)) {
		notice(t, STATUS_WARN, "wait: ", t->action_name, " is still being acted on");
		return false;
	}
	if (!engine_api_minor(a->session->engine) || cluster_error(a->cluster)) {
		app_say(a, STATUS_WARN, "not connected to the engine: try again once it answers");
		return false;
	}
	*p = act == ACT_SCALE ? actor_may_scale(triage_actor(t), j->owner, replicas)
	                      : actor_may(triage_actor(t), act, j->owner);
	if (*p == PERMIT_DENY) {
		app_say(a, STATUS_WARN, act == ACT_RM ? "researchers remove only their own jobs"
		                        : replicas > 1 ? "researchers scale their own jobs to 0 or 1 only (pause and resume)"
		                                       : "researchers pause and resume only their own jobs");
		return false;
	}
	return true;
}

static void box_close(struct triage *t)
{
	struct box *b = &t->box;
	b->open = false;
	field_free(&b->reason);
	free(b->id);
	free(b->name);
	free(b->owner);
	free(b->text);
	free(b->error);
	b->id = b->name = b->owner = b->text = b->error = NULL;
	t->app->dirty = true;
}

static void box_open(struct triage *t, const struct job *j, enum audit_action act, uint64_t replicas,
                     bool need_reason)
{
	struct box *b = &t->box;
	box_close(t);
	b->open = true;
	b->act = act;
	b->replicas = replicas;
	b->id = xstrdup(j->id);
	b->name = xstrdup(j->name);
	b->owner = xstrdup(j->owner);
	b->need_reason = need_reason;
	char *raw;
	if (act == AUDIT_RM)
		raw = xasprintf("Remove job %s (owner %s, %llu running)? Its tasks are stopped%s. This cannot be undone.",
		                j->name, j->owner ? j->owner : "none: not made by glovebox",
		                (unsigned long long)j->running, j->managed ? " and its network removed" : "");
	else if (replicas > 1)
		raw = xasprintf("Scale job %s (owner %s) to %llu replicas? Each reserves the job's CPUs and memory.",
		                j->name, j->owner ? j->owner : "none: not made by glovebox", (unsigned long long)replicas);
	else
		raw = xasprintf("%s job %s (owner %s)?", replicas ? "Resume" : "Pause", j->name,
		                j->owner ? j->owner : "none: not made by glovebox");
	if (need_reason) {
		char *r = xasprintf("%s\n\n%s The reason is recorded in the audit log.", raw,
		                    replicas > 1 ? "Say why." : "It is not your job: say why.");
		free(raw);
		raw = r;
		b->reason = field_new(&t->app->theme, AUDIT_REASON_MAX);
		field_set_placeholder(b->reason, "why, one line");
		field_set_focus(b->reason, true);
	}
	b->text = sanitize_str(raw, SAN_KEEP_NEWLINE | (t->app->theme.ascii ? SAN_ASCII : 0));
	free(raw);
	t->app->dirty = true;
}

void triage_remove(struct app *a, const char *service_id)
{
	const struct job *j = job_for(a, service_id);
	enum permit p;
	if (!may_act(a, j, ACT_RM, 0, &p))
		return;
	box_open(a->triage, j, AUDIT_RM, 0, p == PERMIT_WITH_REASON);
}

void triage_scale(struct app *a, const char *service_id, uint64_t replicas)
{
	const struct job *j = job_for(a, service_id);
	enum permit p;
	if (!may_act(a, j, ACT_SCALE, replicas, &p))
		return;
	if (!j->service || j->service->mode != MODE_REPLICATED) {
		notice(a->triage, STATUS_WARN, "", j->name, " is not a replicated service: only those pause and resume");
		return;
	}
	if (j->service->replicas == replicas) {
		notice(a->triage, STATUS_WARN, "", j->name, replicas ? " is running already" : " is paused already");
		return;
	}
	if (p == PERMIT_WITH_REASON)
		box_open(a->triage, j, AUDIT_SCALE, replicas, true);
	else
		action_start(a->triage, AUDIT_SCALE, j->id, j->name, j->owner, replicas, NULL);
}

/* ---- the box ---- */

bool triage_box_open(const struct triage *t)
{
	return t->box.open;
}

void triage_box_place(struct triage *t, struct rect area)
{
	t->box.area = area;
}

static void box_confirm(struct triage *t)
{
	struct box *b = &t->box;
	const char *reason = b->reason ? field_text(b->reason) : NULL;
	char *err = NULL;
	if (reason && audit_reason_check(reason, &err) != 0) {
		free(b->error);
		b->error = err;
		return;
	}
	if (triage_busy(t)) {
		free(b->error);
		b->error = xstrdup("another action is still running: wait for it, or Esc");
		return;
	}
	action_start(t, b->act, b->id, b->name, b->owner, b->replicas, reason);
	box_close(t);
}

int triage_box_input(struct triage *t, wint_t ch, bool is_code)
{
	struct box *b = &t->box;
	bool enter = (!is_code && (ch == '\r' || ch == '\n')) || (is_code && ch == KEY_ENTER);
	t->app->dirty = true;
	if (!is_code && ch == 27) {
		box_close(t);
		app_notice(t->app, "nothing was done");
		return WR_HANDLED | WR_DONE;
	}
	if (b->reason) {
		if (enter)
			box_confirm(t);
		else if (field_input(b->reason, ch, is_code) & WR_REDRAW) {
			free(b->error);
			b->error = NULL;
		}
	} else if (!is_code && (ch == 'y' || ch == 'Y')) {
		box_confirm(t);
	} else if (enter || (!is_code && (ch == 'n' || ch == 'N'))) {
		box_close(t);
		app_notice(t->app, "nothing was done");
	}
	return b->open ? WR_HANDLED | WR_REDRAW : WR_HANDLED | WR_DONE;
}

void triage_box_draw(struct triage *t)
{
	struct box *b = &t->box;
	const struct theme *th = &t->app->theme;
	struct rect a = b->area;
	if (!b->open)
		return;
	int w = a.w - 2 < BOX_W ? a.w - 2 : BOX_W;
	if (w < 16 || a.h < 5)
		return;
	int inner = w - 4;
	struct wrap msg = {0};
	wrap_text(&msg, b->text, inner);
	/* Border, message, [blank, reason], the error or a blank, hint, border. */
	int h = 2 + (int)msg.n + 2 + (b->reason ? 2 : 0);
	if (h > a.h)
		h = a.h;
	struct rect box = {a.y + (a.h - h) / 2, a.x + (a.w - w) / 2, h, w};
	attr_t body = theme_attr(th, THEME_DIALOG);
	dialog_draw_box(stdscr, box, body);
	const char *title = b->act == AUDIT_RM ? " Remove job " : b->replicas ? " Resume job " : " Pause job ";
	widget_put(stdscr, box.y, box.x + 2, box.w - 4, title, theme_attr(th, THEME_DIALOG_TITLE), false, th->ascii);
	/* From the bottom up, so a short box keeps the hint and the reason; the message gets what
	 * is left. */
	int y = box.y + box.h - 2;
	const char *hint = b->reason ? (b->act == AUDIT_RM ? "Enter: remove   Esc: cancel" : "Enter: go ahead   Esc: cancel")
	                             : "y: remove   n/Esc: cancel";
	widget_put(stdscr, y--, box.x + 2, inner, hint, theme_attr(th, THEME_KEY_LABEL), true, th->ascii);
	if (b->error && y > box.y) {
		char *e = sanitize_str(b->error, th->ascii ? SAN_ASCII : 0);
		widget_put(stdscr, y, box.x + 2, inner, e, theme_attr(th, THEME_STATUS_ERROR), true, th->ascii);
		free(e);
	}
	y--;
	if (b->reason && y > box.y) {
		widget_put(stdscr, y, box.x + 2, 8, "Reason", body | A_BOLD, true, th->ascii);
		widget_place(field_widget(b->reason), stdscr, (struct rect){y, box.x + 10, 1, inner - 8});
		widget_draw(field_widget(b->reason));
		y -= 2;
	}
	for (int i = 0; i < (int)msg.n && box.y + 1 + i <= y; i++)
		widget_put(stdscr, box.y + 1 + i, box.x + 2, inner, msg.line[i], body, true, th->ascii);
	wrap_free(&msg);
}
