/* The new-job form's own header, shared by its three files and by nothing else:
 *   submit.c       the flow: the policy (a file at once, the swarm's asynchronously), the
 *                  user's acceptance records, the terms step, the submission with the
 *                  registry's credentials; the screen's ops and its life
 *   submit_form.c  the form: its lines and focus, every field checked with job_plan_make,
 *                  the fit and the posture lines, its keys and the "discard?" question
 *   submit_draw.c  the drawing of every step, the key tables and the help sections
 *
 * Steps: LOADING (the policy), FORM (every change is checked and the reason shown beside the
 * field), CHECKING (the user's acceptance records, listed asynchronously), TERMS (the full
 * terms in a pager, read to the end, then "accept" and a purpose), SUBMITTING (submit_start's
 * steps); BROKEN when there is no policy to work under. A failed submission goes back to FORM
 * with everything typed and the error beside the field it concerns; a good one closes the
 * form (submit_flow_close) and the jobs list selects the new job.
 *
 * struct submit_screen is the screen's data (screen.h): every pointer in it is owned and
 * freed by submit.c's free op (the form's part by submit_form_clear), but app, which is
 * borrowed. Text kept for drawing is sanitised when it is stored, or by submit_clean when it
 * is drawn. */
#ifndef GB_TUI_CONSOLE_SUBMIT_INT_H
#define GB_TUI_CONSOLE_SUBMIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <wchar.h>

#include "api/base/sanitize.h"
#include "api/core/identity.h"
#include "api/core/jobspec.h"
#include "api/core/terms.h"
#include "tui/console/app.h"
#include "widgets/help.h"
#include "widgets/keys.h"
#include "widgets/theme.h"
#include "widgets/widget.h"

#define KEY_ESC 27
#define CTRL(c) ((c) & 0x1f)
#define LABEL_X 2           /* the focus mark '>' sits in column 0 */
#define LABEL_W 10
#define FIELD_X (LABEL_X + LABEL_W)
#define HINT_ROWS 2

struct dialog;
struct engine_req;
struct field;
struct keyring_req;
struct pager;
struct policy_fetch;
struct submit;

enum step { ST_LOADING, ST_BROKEN, ST_FORM, ST_CHECKING, ST_TERMS, ST_SUBMITTING };

enum text_id { T_IMAGE, T_CPUS, T_MEMORY, T_LIFETIME, T_COMMAND, T_NAME, N_TEXT };

/* The job field of each text field. */
extern const enum job_field submit_text_field[N_TEXT];

/* Lines of the form, top to bottom; items are the lines (or buttons) the cursor visits. */
enum line_kind { L_TEXT, L_CLASS, L_DATASET, L_NO_DATASET, L_BLANK, L_FIT, L_POSTURE, L_BUTTONS };
struct line { enum line_kind kind; size_t index; };
enum item_kind { IT_TEXT, IT_CLASS, IT_DATASET, IT_SUBMIT, IT_CANCEL };
struct item { enum item_kind kind; size_t index; size_t line; };

/* Focus in the terms step. */
enum { TF_PAGER, TF_ACCEPT, TF_PURPOSE };

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

static inline const struct theme *submit_theme(const struct submit_screen *s)
{
	return &s->app->theme;
}

/* Replace *dst by value (owned from now on; may be NULL). */
static inline void submit_set_str(char **dst, char *value)
{
	free(*dst);
	*dst = value;
}

/* Untrusted text as it may be drawn here (ASCII only under an ASCII theme); owned. */
static inline char *submit_clean(const struct submit_screen *s, const char *text)
{
	return sanitize_str(text, submit_theme(s)->ascii ? SAN_ASCII : 0);
}

static inline bool submit_is_enter(wint_t ch, bool is_code)
{
	return (!is_code && (ch == '\r' || ch == '\n')) || (is_code && ch == KEY_ENTER);
}

/* submit.c: close the form (it pops, which frees s; what it hands on is copied first), then
 * the jobs list selects service_id and the status line says notice (both may be NULL). */
void submit_flow_close(struct submit_screen *s, const char *service_id, const char *notice);
/* submit.c: Submit pressed on a valid form: the user's acceptance of these terms first. */
void submit_flow_check_terms(struct submit_screen *s);
/* submit.c: once the end of the terms has been in view, the confirmation takes the keys. */
void submit_flow_terms_check_end(struct submit_screen *s);

/* submit_form.c: numbers as the policy writes them, whatever LC_NUMERIC says ("0.5"; sizes
 * exact, "16GiB", so that they read back the same). */
void submit_form_fmt_cpus(char *buf, size_t sz, double cpus);
void submit_form_fmt_size(char *buf, size_t sz, int64_t bytes);
/* submit_form.c: the form's lines and items for s->policy, focus on the first. */
void submit_form_build(struct submit_screen *s);
const struct item *submit_form_focused(const struct submit_screen *s);
void submit_form_set_focus(struct submit_screen *s, size_t i);
/* The item of a job field, where its error is. */
size_t submit_form_item_for_field(const struct submit_screen *s, enum job_field f);
/* What is wrong with field f: the last submission's error, or the check's; NULL when fine. */
const char *submit_form_field_error(const struct submit_screen *s, enum job_field f);
bool submit_form_ok(const struct submit_screen *s);
/* The plan job_plan_make makes of the form as it stands, the placeholders, fit and posture. */
void submit_form_validate(struct submit_screen *s);
/* The fit line and every class's free capacity, from the cluster data the console has. */
void submit_form_fit_update(struct submit_screen *s);
/* The posture lines: what of the job's hardening the engine will not enforce. */
void submit_form_posture_update(struct submit_screen *s);
/* The keys of the FORM step, and of the "discard?" question while it is open (WR_* flags). */
int submit_form_input(struct submit_screen *s, wint_t ch, bool is_code);
int submit_form_confirm_input(struct submit_screen *s, int key);
/* Free what the form holds: its fields, lines, items, plan, checks, fit and posture. */
void submit_form_clear(struct submit_screen *s);

/* submit_draw.c: the screen's draw op, and its keys op (the form's, or the terms'). */
void submit_draw(void *data);
const struct keybinding *submit_draw_keys(const void *data);
/* The help sections: the form, the terms step, the pager's keys; ends with a NULL title. */
extern const struct help_section submit_draw_help[];
/* Fill the new pager with the terms: what changed since the last acceptance, then in full. */
void submit_draw_terms_text(struct submit_screen *s);

#endif
