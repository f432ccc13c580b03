/* The new-job form's flow: the policy, the acceptance records and the terms, the
 * submission, the screen's ops. See submit.h and submit_int.h. */
#include "tui/console/submit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/base/secmem.h"
#include "api/base/xalloc.h"
#include "api/creds/creds.h"
#include "api/creds/keyring.h"
#include "api/swarm/policy_fetch.h"
#include "api/swarm/store.h"
#include "api/swarm/submit.h"
#include "tui/console/login.h"
#include "tui/console/submit_int.h"
#include "widgets/dialog.h"
#include "widgets/field.h"
#include "widgets/pager.h"

#define EXIT_WAIT_MS 5000   /* at exit, how long an interrupted submission may take to undo */

/* Close the form: it pops (it is the top screen: it takes every key), which frees it, so
 * what it hands on is copied first; the jobs list then selects service_id (may be NULL) and
 * the status line says notice (may be NULL). */
void submit_flow_close(struct submit_screen *s, const char *service_id, const char *notice)
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

/* --- the policy --- */

static void broken(struct submit_screen *s, const char *why)
{
	s->step = ST_BROKEN;
	submit_set_str(&s->broken, submit_clean(s, why));
}

static void policy_ready(struct submit_screen *s)
{
	s->have_policy = true;
	s->sha = sha256_hex(s->policy.terms_text, strlen(s->policy.terms_text));
	submit_form_build(s);
	submit_form_set_focus(s, 0);
	submit_form_validate(s);
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

/* The policy that governs (api/swarm/policy_fetch.h): a named file is read at once, the swarm
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
	submit_set_str(&s->terms_msg, NULL);
	submit_set_str(&s->failure, msg ? submit_clean(s, msg) : NULL);
	s->failure_field = JF_COUNT;
}

static void terms_open(struct submit_screen *s)
{
	s->step = ST_TERMS;
	s->pager = pager_new(submit_theme(s));
	s->accept = field_new(submit_theme(s), 64);
	s->purpose = field_new(submit_theme(s), 2000);
	field_set_placeholder(s->purpose, "what the job is for, one line");
	s->tfocus = TF_PAGER;
	s->end_seen = false;
	submit_draw_terms_text(s);
}

static void terms_focus(struct submit_screen *s, int f)
{
	s->tfocus = f;
	field_set_focus(s->accept, f == TF_ACCEPT);
	field_set_focus(s->purpose, f == TF_PURPOSE);
}

/* Once the end of the terms has been in view, the confirmation takes the keyboard (once: Tab
 * can go back to the pager). */
void submit_flow_terms_check_end(struct submit_screen *s)
{
	if (!s->end_seen && pager_reached_end(s->pager)) {
		s->end_seen = true;
		terms_focus(s, TF_ACCEPT);
	}
}

/* --- submitting --- */

static void submit_on_progress(void *ud, const char *step)
{
	struct submit_screen *s = ud;
	submit_set_str(&s->progress, xasprintf("%s%s...", s->interrupted ? "interrupting; " : "", step));
	s->app->dirty = true;
}

static void submit_on_done(void *ud, const struct submit_result *r)
{
	struct submit_screen *s = ud;
	s->done = true;
	submit_set_str(&s->progress, NULL);
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
	submit_set_str(&s->failure, submit_clean(s, msg));
	free(msg);
	s->failure_field = r->field;
	if (r->field != JF_COUNT)
		submit_form_set_focus(s, submit_form_item_for_field(s, r->field));
	if (r->field == JF_IMAGE && r->error && creds_error_is_auth(r->error)) {
		/* The registry wants a login: say so beside the image and open the login dialog. */
		char *why = xasprintf("%s %s (L), then submit again: %s%s%s%s",
		                      s->had_auth ? "the registry refused your stored credentials: log in to"
		                                  : "log in to", s->plan.image.registry, s->failure,
		                      s->keyring_note ? " (keyring: " : "",
		                      s->keyring_note ? s->keyring_note : "", s->keyring_note ? ")" : "");
		submit_set_str(&s->failure, submit_clean(s, why));
		free(why);
		login_dialog_open(s->app, s->plan.image.registry);
	}
}

static void start_submit(struct submit_screen *s, const char *auth)
{
	char *why = NULL;
	if (auth && endpoint_check_secrets(engine_endpoint(s->app->session->engine), &why) != 0) {
		/* Nothing goes out; back to the form, which says why. */
		submit_on_done(s, &(struct submit_result){.field = JF_COUNT, .error = why});
		free(why);
		return;
	}
	struct submit_args args = {
		.plan = &s->plan, .terms_sha256 = s->sha, .consent_name = s->pend_name,
		.consent_json = s->pend_json, .consent_labels = s->pend_labels,
		.registry_auth = auth, .now = (int64_t)time(NULL),
	};
	s->had_auth = auth != NULL;
	s->submit = submit_start(s->app->session->engine, &args, submit_on_progress, submit_on_done, s);
}

static void on_cred(void *ud, struct keyring_result *r)
{
	struct submit_screen *s = ud;
	s->req_cred = NULL;
	char *auth = r->state == KEYRING_OK && r->cred ? cred_registry_auth(r->cred) : NULL;
	if (r->state != KEYRING_OK)
		submit_set_str(&s->keyring_note, xstrdup(r->message ? r->message : keyring_state_name(r->state)));
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
	submit_set_str(&s->pend_name, name ? xstrdup(name) : NULL);
	submit_set_str(&s->pend_json, json ? xstrdup(json) : NULL);
	submit_set_str(&s->pend_labels, labels ? xstrdup(labels) : NULL);
	submit_set_str(&s->keyring_note, NULL);
	s->done = s->interrupted = false;
	s->step = ST_SUBMITTING;
	submit_set_str(&s->failure, NULL);
	char *key = creds_server_key(s->plan.image.registry);
	const struct cred *c = key ? creds_find(s->app->creds, key) : NULL;
	if (c || !key || !s->app->keyring) {
		char *auth = c ? cred_registry_auth(c) : NULL;
		submit_set_str(&s->progress, xstrdup("starting..."));
		start_submit(s, auth);
		secmem_free(&auth);
	} else {
		submit_set_str(&s->progress, xstrdup("looking up the registry's credentials in your keyring..."));
		s->req_cred = keyring_lookup(s->app->keyring, key, on_cred, s);
	}
	free(key);
}

/* The acceptance record, as glovebox submit's terms gate makes it (tui/cli/submit.c).
 * Returns false with *err when it would not read back (it must never be cited unless
 * stored). */
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
void submit_flow_check_terms(struct submit_screen *s)
{
	struct engine *e = s->app->session->engine;
	if (!engine_api_minor(e)) {
		submit_set_str(&s->failure, xstrdup("not connected to the engine yet: wait until the jobs list "
		                             "shows, then submit again"));
		s->failure_field = JF_COUNT;
		return;
	}
	submit_set_str(&s->failure, NULL);
	s->step = ST_CHECKING;
	char *label = xasprintf("glovebox.user=%s", s->me.user);
	s->req_consents = configs_list(e, "glovebox.consent=1", label, on_consents, s);
	free(label);
}

static void purpose_done(struct submit_screen *s)
{
	const char *purpose = field_text(s->purpose);
	const char *p = purpose;
	submit_set_str(&s->terms_msg, NULL);
	while (*p == ' ')
		p++;
	if (!*p) {
		submit_set_str(&s->terms_msg, xstrdup("the purpose is required: one line saying what the job is for"));
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
		submit_set_str(&s->terms_msg, submit_clean(s, msg));
		free(msg);
	}
	job_errors_clear(&e);
	if (s->terms_msg)
		return;
	submit_set_str(&s->acc_sha, xstrdup(s->sha));
	submit_set_str(&s->acc_purpose, xstrdup(purpose));
	s->acc_time = (int64_t)time(NULL);
	submit_with_acceptance(s);
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
	submit_set_str(&s->terms_msg, NULL);
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
		submit_flow_terms_check_end(s);
		if (r == WR_IGNORED && submit_is_enter(ch, is_code))
			submit_set_str(&s->terms_msg, xstrdup(reached ? "Tab goes to the confirmation"
			                                       : "read the terms to the end first (PgDn, End)"));
		return WR_HANDLED | WR_REDRAW;
	}
	/* A field has the keyboard; the pager keeps the keys a field has no use for. */
	if (is_code && (ch == KEY_UP || ch == KEY_DOWN || ch == KEY_PPAGE || ch == KEY_NPAGE)) {
		pager_input(s->pager, ch, is_code);
		return WR_HANDLED | WR_REDRAW;
	}
	struct field *f = s->tfocus == TF_ACCEPT ? s->accept : s->purpose;
	if (!submit_is_enter(ch, is_code)) {
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
			submit_set_str(&s->terms_msg, xstrdup("type the word accept to accept the terms, "
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
		return submit_form_confirm_input(s, is_code || ch < 0x80 ? (int)ch : 0);
	switch (s->step) {
	case ST_LOADING:
	case ST_BROKEN:
		if (!is_code && ch == KEY_ESC) {
			submit_flow_close(s, NULL, NULL);
			return WR_HANDLED | WR_REDRAW;
		}
		if (s->step == ST_BROKEN && (submit_is_enter(ch, is_code) || (!is_code && ch == 'r'))) {
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
		return submit_form_input(s, ch, is_code);
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
			submit_set_str(&s->progress, xstrdup("interrupting: what was made is undone..."));
		} else if (is_code && ch == KEY_F(1)) {
			return WR_IGNORED;
		}
		return WR_HANDLED | WR_REDRAW;
	}
	return WR_HANDLED;
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
		submit_form_fit_update(s);
		submit_form_posture_update(s);
	}
}

/* A finished submission closes the form here, not from inside its callback. */
static void submit_screen_tick(void *data)
{
	struct submit_screen *s = data;
	if (s->succeeded)
		submit_flow_close(s, s->service_id, s->notice);   /* frees s */
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
	submit_form_clear(s);
	if (s->has_last)
		consent_clear(&s->last);
	policy_clear(&s->policy);
	if (s->have_me)
		whoami_clear(&s->me);
	free(s->broken);
	free(s->sha);
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
	.keys = submit_draw_keys,
	.help = submit_draw_help,
	.place = submit_screen_place,
	.draw = submit_draw,
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
