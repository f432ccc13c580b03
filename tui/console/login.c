/* The login dialog: see login.h. */
#include "tui/console/login.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "api/base/log.h"
#include "api/base/sanitize.h"
#include "api/base/secmem.h"
#include "api/base/xalloc.h"
#include "api/creds/creds.h"
#include "api/creds/keyring.h"
#include "tui/console/app.h"
#include "widgets/field.h"
#include "widgets/wrap.h"

#define PASSWORD_MAX 4096
#define BOX_W 68

enum login_state {
	LS_FORM,       /* typing */
	LS_CHECKING,   /* POST /auth in flight */
	LS_STORING,    /* keyring store in flight */
	LS_OFFER,      /* the keyring cannot keep them: keep them for this session? */
	LS_RESULT,     /* a final message; any key closes */
};

enum { F_REGISTRY, F_USER, F_PASSWORD, F_COUNT };

struct login_dialog {
	struct app *app;
	struct rect area;
	enum login_state state;
	int focus;
	struct field *registry, *user;
	char *password;              /* secmem */
	size_t pw_len;
	char *keyring_line;          /* the keyring's state, for people */
	char *message;               /* the last outcome or error */
	bool message_error;
	struct keyring_req *status_req, *store_req;
	struct cred_check *check;
	struct cred *cred;           /* being checked, stored or offered; owned */
};

const struct keybinding login_keys[] = {
	{'\t', "Tab/Down", NULL, "Next field", 0, 0},
	{KEY_BTAB, "S-Tab/Up", NULL, "Previous field", 0, 0},
	{'\r', "Enter", NULL, "Next field; on the password: check the login with the registry, then keep it", 0, 0},
	{27, "Esc", NULL, "Close the dialog (a check or store in flight is abandoned)", 0, 0},
	{0, NULL, NULL, NULL, 0, 0},
};

static void login_set_message(struct login_dialog *s, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void login_set_message(struct login_dialog *s, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = NULL;
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	free(s->message);
	s->message = m;
	s->message_error = error;
	s->app->dirty = true;
}

static void wipe_password(struct login_dialog *s)
{
	secmem_wipe(s->password, s->pw_len);
	s->pw_len = 0;
}

static void focus_field(struct login_dialog *s, int f)
{
	s->focus = (f + F_COUNT) % F_COUNT;
	field_set_focus(s->registry, s->focus == F_REGISTRY);
	field_set_focus(s->user, s->focus == F_USER);
}

/* ---- the asynchronous steps ---- */

static void on_status(void *ud, struct keyring_result *r)
{
	struct login_dialog *s = ud;
	s->status_req = NULL;
	free(s->keyring_line);
	s->keyring_line = r->state == KEYRING_OK
		? xstrdup("Keyring: unlocked. Credentials go there, shared with docker's secretservice helper.")
		: xasprintf("Keyring: %s", r->message ? r->message : keyring_state_name(r->state));
	s->app->dirty = true;
}

static void on_store(void *ud, struct keyring_result *r)
{
	struct login_dialog *s = ud;
	s->store_req = NULL;
	if (r->state == KEYRING_OK) {
		/* The keyring has them now: a session copy would only go stale. */
		creds_remove(s->app->creds, s->cred->server);
		login_set_message(s, false, "Login Succeeded: the credentials for %s are in your keyring.",
		            s->cred->server);
		log_msg(LOG_INFO, "console login to %s: stored in the keyring", s->cred->server);
		cred_free(&s->cred);
		s->state = LS_RESULT;
		return;
	}
	login_set_message(s, true,
	            "The registry accepted the credentials for %s, but the keyring cannot keep them: %s\n\n"
	            "Keep them in memory for this session only? They are wiped when glovebox quits. "
	            "(A keyring over SSH: see docs/credentials.md.)",
	            s->cred->server, r->message ? r->message : keyring_state_name(r->state));
	s->state = LS_OFFER;
}

static void on_check(void *ud, struct cred_check_result *r)
{
	struct login_dialog *s = ud;
	s->check = NULL;
	if (!r->ok) {
		login_set_message(s, true, "Login to %s failed: %s. Nothing was stored.", s->cred->server, r->error);
		log_msg(LOG_INFO, "console login to %s refused or failed", s->cred->server);
		cred_free(&s->cred);
		s->state = LS_FORM;
		focus_field(s, F_PASSWORD);
		return;
	}
	if (r->token) {
		/* An identity token instead of the password, as docker keeps it. */
		struct cred *t = cred_new_take(s->cred->server, CRED_TOKEN_USER, &r->token);
		cred_free(&s->cred);
		s->cred = t;
	}
	login_set_message(s, false, "The registry accepted the credentials; storing them in the keyring...");
	s->state = LS_STORING;
	s->store_req = keyring_store(s->app->keyring, s->cred, on_store, s);
}

static void start_check(struct login_dialog *s)
{
	const char *reg = field_text(s->registry), *user = field_text(s->user);
	char *key = creds_server_key(reg);
	if (!key || !*user || s->pw_len == 0) {
		login_set_message(s, true, "%s", !key ? "Name the registry (host[:port])."
		                           : !*user ? "Give the user name." : "Give the password.");
		focus_field(s, !key ? F_REGISTRY : !*user ? F_USER : F_PASSWORD);
		free(key);
		return;
	}
	char *why = NULL;
	if (endpoint_check_secrets(engine_endpoint(s->app->session->engine), &why) != 0) {
		/* Nothing is sent; the password could not be checked here, so it goes too. */
		why[0] = (char)toupper((unsigned char)why[0]);
		login_set_message(s, true, "%s.", why);
		log_msg(LOG_INFO, "console login to %s: not sent, the engine is plain HTTP", key);
		wipe_password(s);
		free(why);
		free(key);
		return;
	}
	if (!engine_api_minor(s->app->session->engine)) {
		login_set_message(s, true, "Not connected to the engine yet: the login is checked through it. Try again in a moment.");
		free(key);
		return;
	}
	s->cred = cred_new(key, user, s->password);
	wipe_password(s);
	free(key);
	login_set_message(s, false, "Checking the credentials with %s...", s->cred->server);
	s->state = LS_CHECKING;
	s->check = cred_check_start(s->app->session->engine, s->cred, on_check, s);
}

/* ---- life ---- */

struct login_dialog *login_dialog_new(struct app *a, const char *registry)
{
	struct login_dialog *s = xcalloc(1, sizeof *s);
	s->app = a;
	s->registry = field_new(&a->theme, 256);
	s->user = field_new(&a->theme, 256);
	field_set_placeholder(s->registry, "host[:port]");
	field_set_text(s->registry, registry);
	s->password = secmem_alloc(PASSWORD_MAX);
	focus_field(s, registry && *registry ? F_USER : F_REGISTRY);
	s->keyring_line = xstrdup("Keyring: asking...");
	s->status_req = keyring_status(a->keyring, on_status, s);
	return s;
}

void login_dialog_free(struct login_dialog **ps)
{
	struct login_dialog *s = *ps;
	if (!s)
		return;
	if (s->status_req)
		keyring_cancel(s->app->keyring, s->status_req);
	if (s->store_req)
		keyring_cancel(s->app->keyring, s->store_req);
	cred_check_cancel(&s->check);
	cred_free(&s->cred);
	secmem_free(&s->password);
	field_free(&s->registry);
	field_free(&s->user);
	free(s->keyring_line);
	free(s->message);
	free(s);
	*ps = NULL;
}

void login_dialog_open(struct app *a, const char *registry)
{
	login_dialog_free(&a->login);
	a->login = login_dialog_new(a, registry);
	login_dialog_place(a->login, (struct rect){0, 0, LINES, COLS});
	a->dirty = true;
}

void login_dialog_place(struct login_dialog *s, struct rect area)
{
	s->area = area;
}

/* ---- keys ---- */

static bool is_enter(wint_t ch, bool is_code)
{
	return (!is_code && (ch == '\r' || ch == '\n')) || (is_code && ch == KEY_ENTER);
}

static void password_key(struct login_dialog *s, wint_t ch, bool is_code)
{
	if ((is_code && ch == KEY_BACKSPACE) || (!is_code && (ch == 127 || ch == 8))) {
		while (s->pw_len > 0 && ((unsigned char)s->password[s->pw_len - 1] & 0xC0) == 0x80)
			s->password[--s->pw_len] = '\0';
		if (s->pw_len > 0)
			s->password[--s->pw_len] = '\0';
	} else if (!is_code && ch == 0x15) {   /* Ctrl-U */
		wipe_password(s);
	} else if (!is_code && ch >= 0x20 && ch != 0x7f && !(ch >= 0x80 && ch < 0xa0)) {
		char mb[MB_LEN_MAX];
		mbstate_t st;
		memset(&st, 0, sizeof st);
		size_t n = wcrtomb(mb, (wchar_t)ch, &st);
		if (n != (size_t)-1 && s->pw_len + n <= PASSWORD_MAX) {
			memcpy(s->password + s->pw_len, mb, n);
			s->pw_len += n;
			s->password[s->pw_len] = '\0';
		}
		secmem_wipe(mb, sizeof mb);
	}
}

int login_dialog_input(struct login_dialog *s, wint_t ch, bool is_code)
{
	bool esc = !is_code && ch == 27;
	s->app->dirty = true;
	switch (s->state) {
	case LS_FORM:
		if (esc)
			return WR_DONE;
		if ((!is_code && ch == '\t') || (is_code && ch == KEY_DOWN)) {
			focus_field(s, s->focus + 1);
		} else if (is_code && (ch == KEY_BTAB || ch == KEY_UP)) {
			focus_field(s, s->focus - 1);
		} else if (is_enter(ch, is_code)) {
			if (s->focus == F_PASSWORD)
				start_check(s);
			else
				focus_field(s, s->focus + 1);
		} else if (s->focus == F_PASSWORD) {
			password_key(s, ch, is_code);
		} else {
			field_input(s->focus == F_REGISTRY ? s->registry : s->user, ch, is_code);
		}
		return WR_HANDLED | WR_REDRAW;
	case LS_CHECKING:
	case LS_STORING:
		return esc ? WR_DONE : WR_HANDLED;
	case LS_OFFER:
		if (!is_code && (ch == 'y' || ch == 'Y')) {
			char *server = xstrdup(s->cred->server);
			creds_put(s->app->creds, &s->cred);
			login_set_message(s, false, "The credentials for %s are kept in memory for this session only.",
			            server);
			log_msg(LOG_INFO, "console login to %s: kept in memory for the session", server);
			free(server);
			s->state = LS_RESULT;
		} else if (esc || (!is_code && (ch == 'n' || ch == 'N'))) {
			cred_free(&s->cred);
			login_set_message(s, true, "The credentials were not kept.");
			s->state = LS_RESULT;
		}
		return WR_HANDLED | WR_REDRAW;
	case LS_RESULT:
		return WR_DONE;
	}
	return WR_HANDLED;
}

/* ---- drawing ---- */

static void draw_border(WINDOW *win, struct rect b, attr_t a)
{
	wattrset(win, a);
	mvwaddch(win, b.y, b.x, ACS_ULCORNER);
	mvwhline(win, b.y, b.x + 1, ACS_HLINE, b.w - 2);
	mvwaddch(win, b.y, b.x + b.w - 1, ACS_URCORNER);
	mvwvline(win, b.y + 1, b.x, ACS_VLINE, b.h - 2);
	mvwvline(win, b.y + 1, b.x + b.w - 1, ACS_VLINE, b.h - 2);
	mvwaddch(win, b.y + b.h - 1, b.x, ACS_LLCORNER);
	mvwhline(win, b.y + b.h - 1, b.x + 1, ACS_HLINE, b.w - 2);
	mvwaddch(win, b.y + b.h - 1, b.x + b.w - 1, ACS_LRCORNER);
	wattrset(win, A_NORMAL);
}

static void wrap_clean(struct wrap *w, const char *text, int width, bool ascii)
{
	char *clean = sanitize_str(text, SAN_KEEP_NEWLINE | (ascii ? SAN_ASCII : 0));
	wrap_text(w, clean, width);
	free(clean);
}

/* One labelled input line: the label, then the text underlined, the cursor reversed. */
static void draw_input(struct login_dialog *s, int y, int x, int w, int which, attr_t body)
{
	static const char *const labels[] = {"Registry", "User", "Password"};
	const struct theme *th = &s->app->theme;
	WINDOW *win = stdscr;
	widget_put(win, y, x, 10, labels[which], body | (s->focus == which ? A_BOLD : 0), true, th->ascii);
	int fw = w - 10;
	if (fw < 4)
		return;
	char buf[1024];
	int cursor = 0;
	if (which == F_PASSWORD) {
		/* One '*' per character, never the characters. */
		int n = 0;
		for (size_t i = 0; i < s->pw_len; i++)
			n += ((unsigned char)s->password[i] & 0xC0) != 0x80;
		int shown = n < fw - 1 ? n : fw - 1;
		memset(buf, '*', (size_t)shown);
		memset(buf + shown, ' ', (size_t)(fw - shown));
		buf[fw] = '\0';
		cursor = shown;
	} else {
		field_render(which == F_REGISTRY ? s->registry : s->user, fw, buf, sizeof buf, &cursor);
	}
	widget_put(win, y, x + 10, fw, buf, body | A_UNDERLINE, true, th->ascii);
	if (s->focus == which && s->state == LS_FORM) {
		const char *c = buf;
		for (int col = 0; col < cursor && *c;) {
			int cols;
			size_t n = text_next_char(c, &cols);
			c += n;
			col += cols;
		}
		int cols;
		size_t n = text_next_char(c, &cols);
		char one[8] = " ";
		if (n > 0 && n < sizeof one) {
			memcpy(one, c, n);
			one[n] = '\0';
		}
		widget_put(win, y, x + 10 + cursor, 1, one, body | A_REVERSE, true, th->ascii);
	}
}

void login_dialog_draw(struct login_dialog *s)
{
	const struct theme *th = &s->app->theme;
	struct rect a = s->area;
	int w = a.w - 2 < BOX_W ? a.w - 2 : BOX_W;
	if (w < 24 || a.h < 10)
		return;
	int inner = w - 4;
	struct wrap top = {0}, msg = {0};
	wrap_clean(&top, s->keyring_line, inner, th->ascii);
	if (s->message)
		wrap_clean(&msg, s->message, inner, th->ascii);
	int h = 2 + (int)top.n + 1 + 3 + (msg.n ? 1 + (int)msg.n : 0) + 2;
	if (h > a.h)
		h = a.h;
	struct rect b = {a.y + (a.h - h) / 2, a.x + (a.w - w) / 2, h, w};
	attr_t body = theme_attr(th, THEME_DIALOG);
	for (int r = 0; r < b.h; r++)
		widget_fill(stdscr, b.y + r, b.x, b.w, body);
	draw_border(stdscr, b, body);
	widget_put(stdscr, b.y, b.x + 2, b.w - 4, " Log in to a registry ", theme_attr(th, THEME_DIALOG_TITLE),
	           false, th->ascii);
	int y = b.y + 1, last = b.y + b.h - 2;
	for (size_t i = 0; i < top.n && y < last; i++)
		widget_put(stdscr, y++, b.x + 2, inner, top.line[i], body, true, th->ascii);
	y++;
	for (int f = 0; f < F_COUNT && y < last; f++)
		draw_input(s, y++, b.x + 2, inner, f, body);
	if (msg.n && y < last) {
		y++;
		attr_t ma = s->message_error ? theme_attr(th, THEME_STATUS_ERROR) : body;
		for (size_t i = 0; i < msg.n && y < last; i++)
			widget_put(stdscr, y++, b.x + 2, inner, msg.line[i], ma, true, th->ascii);
	}
	static const char *const hints[] = {
		[LS_FORM] = "Enter: next / check and keep   Tab: next field   Esc: close",
		[LS_CHECKING] = "Esc: close (the check is abandoned)",
		[LS_STORING] = "Esc: close",
		[LS_OFFER] = "y: keep for this session   n/Esc: do not keep",
		[LS_RESULT] = "any key: close",
	};
	widget_put(stdscr, b.y + b.h - 2, b.x + 2, inner, hints[s->state], theme_attr(th, THEME_KEY_LABEL),
	           true, th->ascii);
	wrap_free(&top);
	wrap_free(&msg);
}
