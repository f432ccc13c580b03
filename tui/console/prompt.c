#include "tui/console/prompt.h"

#include <stdlib.h>
#include <string.h>

#include "api/base/log.h"
#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "tui/console/app.h"
#include "tui/console/commands.h"
#include "widgets/cmdline.h"
#include "widgets/field.h"

#define CTRL(c) ((c) & 0x1f)
#define HISTORY_SIZE 500
#define LINE_MAX_BYTES 1024

const struct keybinding prompt_keys[] = {
	{'\r', "Enter", NULL, "Run the command", 0, 0},
	{'\t', "Tab", NULL, "Complete a command, job, node or column name; when several fit, they show on the status line", 0, 0},
	{KEY_UP, "Up/Ctrl-P", NULL, "The command before, from the history (kept across sessions)", 0, 0},
	{KEY_DOWN, "Down/Ctrl-N", NULL, "The command after, back to the line being typed", 0, 0},
	{CTRL('A'), "Ctrl-A/E", NULL, "To the start or the end of the line", 0, 0},
	{CTRL('B'), "Ctrl-B/F", NULL, "Back or forward one character (also Left, Right)", 0, 0},
	{'b', "Alt-B/F", NULL, "Back or forward one word", 0, 0},
	{CTRL('W'), "Ctrl-W", NULL, "Delete the word before the cursor (also Alt-Backspace); Alt-D the word after it", 0, 0},
	{CTRL('U'), "Ctrl-U/K", NULL, "Delete to the start or to the end of the line", 0, 0},
	{CTRL('D'), "Ctrl-D", NULL, "Delete the character under the cursor", 0, 0},
	{27, "Esc", NULL, "Close the prompt (also Ctrl-G, or Backspace on an empty line)", 0, 0},
	{0, NULL, NULL, NULL, 0, 0},
};

struct prompt {
	struct app *a;             /* borrowed */
	struct field *field;
	struct cmdhist *hist;
	char *path;                /* the history file; NULL when there is no home */
	char *saved;               /* the line being typed while the history is walked */
	char *hint;                /* sanitised, for the first line; NULL for none */
	struct rect area;
	bool open;
	bool esc;                  /* an Esc came last: Alt with the next key, or a lone Esc */
};

static void set_hint(struct prompt *p, const char *text)
{
	free(p->hint);
	p->hint = text ? sanitize_str(text, p->a->theme.ascii ? SAN_ASCII : 0) : NULL;
	p->a->dirty = true;
}

struct prompt *prompt_new(struct app *a)
{
	struct prompt *p = xcalloc(1, sizeof *p);
	p->a = a;
	p->field = field_new(&a->theme, LINE_MAX_BYTES);
	field_set_focus(p->field, true);
	p->hist = cmdhist_new(HISTORY_SIZE);
	p->path = state_path("history");
	char *err = NULL;
	if (p->path && cmdhist_load(p->hist, p->path, &err) != 0) {
		char *msg = xasprintf("%s; commands are kept for this session only", err);
		app_say(a, STATUS_WARN, msg);
		free(msg);
		free(err);
	}
	return p;
}

void prompt_free(struct prompt **p)
{
	if (!p || !*p)
		return;
	field_free(&(*p)->field);
	cmdhist_free(&(*p)->hist);
	free((*p)->path);
	free((*p)->saved);
	free((*p)->hint);
	free(*p);
	*p = NULL;
}

void prompt_open(struct prompt *p)
{
	p->open = true;
	p->esc = false;
	field_set_text(p->field, NULL);
	cmdhist_rewind(p->hist);
	free(p->saved);
	p->saved = NULL;
	set_hint(p, NULL);
}

void prompt_close(struct prompt *p)
{
	p->open = false;
	p->esc = false;
	field_set_text(p->field, NULL);
	cmdhist_rewind(p->hist);
	set_hint(p, NULL);
}

bool prompt_is_open(const struct prompt *p)
{
	return p && p->open;
}

bool prompt_has_hint(const struct prompt *p)
{
	return p && p->open && p->hint && p->hint[0];
}

void prompt_place(struct prompt *p, struct rect area)
{
	p->area = area;
	widget_place(field_widget(p->field), stdscr,
	             (struct rect){area.y + area.h - 1, area.x + 1, 1, area.w > 1 ? area.w - 1 : 0});
}

void prompt_draw(struct prompt *p)
{
	const struct theme *th = &p->a->theme;
	struct rect r = p->area;
	if (!p->open || r.h < 1 || r.w < 2)
		return;
	if (r.h > 1 && prompt_has_hint(p))
		widget_put(stdscr, r.y, r.x, r.w, p->hint, theme_attr(th, THEME_STATUS), true, th->ascii);
	widget_put(stdscr, r.y + r.h - 1, r.x, 1, ":", theme_attr(th, THEME_NORMAL) | A_BOLD, false,
	           th->ascii);
	widget_draw(field_widget(p->field));
}

/* Record line when it may be kept, and write the file; a failure is said, never fatal. */
static void remember(struct prompt *p, const char *line)
{
	if (!cmdline_history_ok(line, command_keys))
		return;
	cmdhist_add(p->hist, line);
	if (!p->path)
		return;
	char *err = NULL;
	if (state_make_parents(p->path) != 0)
		err = xasprintf("cannot make the directory for %s", p->path);
	else if (cmdhist_save(p->hist, p->path, &err) == 0)
		return;
	char *msg = xasprintf("history not saved: %s", err);
	app_say(p->a, STATUS_WARN, msg);
	free(msg);
	free(err);
}

static int prompt_run(struct prompt *p)
{
	char *line = xstrdup(field_text(p->field));
	size_t len = strlen(line);
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = '\0';   /* the blank a completion leaves is not kept */
	prompt_close(p);
	remember(p, line);
	commands_run(p->a, line);
	free(line);
	return WR_HANDLED | WR_REDRAW;
}

static void show(struct prompt *p, const char *text)
{
	field_set_text(p->field, text);
}

static int walk(struct prompt *p, bool older)
{
	const char *s;
	if (older) {
		if (!cmdhist_browsing(p->hist)) {
			free(p->saved);
			p->saved = xstrdup(field_text(p->field));
		}
		if ((s = cmdhist_older(p->hist)))
			show(p, s);
	} else if (cmdhist_browsing(p->hist)) {
		if ((s = cmdhist_newer(p->hist))) {
			show(p, s);
		} else {   /* past the newest: the line that was being typed */
			show(p, p->saved);
			free(p->saved);
			p->saved = NULL;
		}
	}
	return WR_HANDLED | WR_REDRAW;
}

static int complete(struct prompt *p)
{
	const char *text = field_text(p->field);
	size_t cur = field_cursor(p->field), start;
	struct completion c = {0};
	commands_complete(p->a, text, cur, &c, &start);
	if (c.n == 0) {
		set_hint(p, "nothing to complete");
		completion_clear(&c);
		return WR_HANDLED | WR_REDRAW;
	}
	char *word = c.n == 1 ? xasprintf("%s ", c.v[0]) : xstrdup(c.common);
	if (strlen(word) > cur - start) {
		char *line = xasprintf("%.*s%s%s", (int)start, text, word, text + cur);
		field_set_text(p->field, line);
		field_set_cursor(p->field, start + strlen(word));
		free(line);
	}
	if (c.n > 1) {
		char buf[1024];
		completion_render(&c, buf, sizeof buf);
		set_hint(p, buf);
	} else {
		set_hint(p, NULL);
	}
	free(word);
	completion_clear(&c);
	return WR_HANDLED | WR_REDRAW;
}

/* The prompt's own keys; everything else edits the line. */
enum prompt_key { PK_EDIT, PK_ESC, PK_RUN, PK_COMPLETE, PK_OLDER, PK_NEWER, PK_BACKSPACE, PK_CLOSE };

static enum prompt_key prompt_key(wint_t ch, bool is_code)
{
	if (is_code)
		return ch == KEY_ENTER ? PK_RUN : ch == KEY_UP ? PK_OLDER : ch == KEY_DOWN ? PK_NEWER
		     : ch == KEY_BACKSPACE ? PK_BACKSPACE : PK_EDIT;
	switch (ch) {
	case 27:        return PK_ESC;
	case '\r':
	case '\n':      return PK_RUN;
	case '\t':      return PK_COMPLETE;
	case CTRL('P'): return PK_OLDER;
	case CTRL('N'): return PK_NEWER;
	case CTRL('H'):
	case 0x7F:      return PK_BACKSPACE;
	case CTRL('G'): return PK_CLOSE;
	default:        return PK_EDIT;
	}
}

int prompt_input(struct prompt *p, wint_t ch, bool is_code)
{
	if (!p->open)
		return WR_IGNORED;
	p->a->dirty = true;
	if (p->esc) {
		p->esc = false;
		if (field_input_meta(p->field, ch, is_code) != WR_IGNORED)
			return WR_HANDLED | WR_REDRAW;
		prompt_close(p);   /* a lone Esc; the key after it is the screen's, but a second Esc */
		return !is_code && ch == 27 ? WR_HANDLED | WR_REDRAW : WR_IGNORED;
	}
	switch (prompt_key(ch, is_code)) {
	case PK_ESC:
		p->esc = true;
		return WR_HANDLED;
	case PK_RUN:
		return prompt_run(p);
	case PK_COMPLETE:
		return complete(p);
	case PK_OLDER:
		return walk(p, true);
	case PK_NEWER:
		return walk(p, false);
	case PK_BACKSPACE:   /* on an empty line it closes */
		if (field_text(p->field)[0])
			break;
		/* fall through */
	case PK_CLOSE:
		prompt_close(p);
		return WR_HANDLED | WR_REDRAW;
	case PK_EDIT:
		break;
	}
	int r = field_input(p->field, ch, is_code);
	if (r & WR_REDRAW)
		set_hint(p, NULL);
	return WR_HANDLED | (r & WR_REDRAW);   /* the prompt has the keyboard: nothing falls through */
}

void prompt_input_end(struct prompt *p)
{
	if (p && p->open && p->esc)
		prompt_close(p);
}
