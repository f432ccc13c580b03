#include "widgets/dialog.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"

#define MAX_BOX_W 64
#define KEY_ESC 27

struct dialog {
	struct widget w;          /* first */
	const struct theme *th;   /* borrowed */
	char *title, *text;       /* owned, sanitised */
	char **buttons;           /* owned, sanitised */
	int nbuttons, focus, result;
	int top;                  /* first message line shown */
};

/* The button row: spaced "[ Yes ]  [ No ]" or compact "[Yes] [No]". */
static int buttons_width(const struct dialog *d, bool compact)
{
	int w = 0;
	for (int i = 0; i < d->nbuttons; i++)
		w += (int)text_width(d->buttons[i]) + (compact ? 2 : 4) + (i ? (compact ? 1 : 2) : 0);
	return w;
}

size_t dialog_buttons_text(const struct dialog *d, int width, char *buf, size_t sz)
{
	bool compact = buttons_width(d, false) > width;
	size_t len = 0;
	if (sz == 0)
		return 0;
	buf[0] = '\0';
	for (int i = 0; i < d->nbuttons; i++) {
		char *item = xasprintf("%s%s%s%s", i ? (compact ? " " : "  ") : "",
		                       compact ? "[" : "[ ", d->buttons[i], compact ? "]" : " ]");
		size_t n = strlen(item);
		if (len + n + 1 <= sz) {
			memcpy(buf + len, item, n + 1);
			len += n;
		}
		free(item);
	}
	return len;
}

struct dialog_geom dialog_layout(const struct dialog *d, int rows, int cols, struct wrap *lines)
{
	struct dialog_geom g = { 0, 0, 0, 0, 0 };
	if (rows < 3 || cols < 8)
		return g;
	int inner_max = (cols < MAX_BOX_W ? cols : MAX_BOX_W) - 4;   /* border and one blank */
	wrap_text(lines, d->text, inner_max);
	int inner = wrap_max_width(lines);
	int bw = buttons_width(d, false), tw = (int)text_width(d->title) + 2;
	inner = bw > inner ? bw : inner;
	inner = tw > inner ? tw : inner;
	inner = inner < 12 ? 12 : inner;
	inner = inner > inner_max ? inner_max : inner;
	g.w = inner + 4;
	/* Border, message, a blank line, buttons, border; when short, the blank goes first,
	 * then message lines (which then scroll). */
	int n = (int)lines->n;
	g.h = n + 4 < rows ? n + 4 : rows;
	g.text_rows = n < g.h - 3 ? n : g.h - 3;
	g.y = (rows - g.h) / 2;
	g.x = (cols - g.w) / 2;
	return g;
}

static int find_hotkey(const struct dialog *d, int key)
{
	if (key <= 0 || key > 127 || !isalnum(key))
		return -1;
	int found = -1;
	for (int i = 0; i < d->nbuttons; i++)
		if (tolower((unsigned char)d->buttons[i][0]) == tolower(key)) {
			if (found >= 0)
				return -1;
			found = i;
		}
	return found;
}

static int answer(struct dialog *d, int result)
{
	d->result = result;
	d->w.dirty = true;
	return WR_HANDLED | WR_REDRAW | WR_DONE;
}

static int scroll_text(struct dialog *d, int delta)
{
	struct wrap lines = { 0 };
	struct dialog_geom g = dialog_layout(d, d->w.area.h, d->w.area.w, &lines);
	int max_top = (int)lines.n - g.text_rows;
	wrap_free(&lines);
	int top = d->top + delta;
	top = top > max_top ? max_top : top;
	top = top < 0 ? 0 : top;
	if (top == d->top)
		return WR_HANDLED;
	d->top = top;
	d->w.dirty = true;
	return WR_HANDLED | WR_REDRAW;
}

static int page_rows(const struct dialog *d)
{
	struct wrap lines = { 0 };
	struct dialog_geom g = dialog_layout(d, d->w.area.h, d->w.area.w, &lines);
	wrap_free(&lines);
	return g.text_rows > 1 ? g.text_rows - 1 : 1;
}

int dialog_handle_key(struct dialog *d, int key)
{
	int hot = find_hotkey(d, key);
	if (hot >= 0)
		return answer(d, hot);
	switch (key) {
	case KEY_RESIZE:
		return WR_IGNORED;
	case '\n': case '\r': case KEY_ENTER:
		return answer(d, d->focus);
	case KEY_ESC:
		return answer(d, DIALOG_CANCEL);
	case KEY_LEFT: case KEY_BTAB: case 'h':
	case KEY_RIGHT: case '\t': case 'l': {
		int dir = key == KEY_LEFT || key == KEY_BTAB || key == 'h' ? -1 : 1;
		d->focus = (d->focus + dir + d->nbuttons) % d->nbuttons;
		d->w.dirty = true;
		return WR_HANDLED | WR_REDRAW;
	}
	case KEY_UP: case 'k':    return scroll_text(d, -1);
	case KEY_DOWN: case 'j':  return scroll_text(d, 1);
	case KEY_PPAGE:           return scroll_text(d, -page_rows(d));
	case KEY_NPAGE:           return scroll_text(d, page_rows(d));
	default:
		return WR_HANDLED;
	}
}

void dialog_draw_box(WINDOW *win, struct rect b, attr_t a)
{
	for (int r = 0; r < b.h; r++)
		widget_fill(win, b.y + r, b.x, b.w, a);
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

static void dialog_draw_cb(struct widget *w)
{
	struct dialog *d = (struct dialog *)w;
	const struct theme *th = d->th;
	struct wrap lines = { 0 };
	struct dialog_geom g = dialog_layout(d, w->area.h, w->area.w, &lines);
	if (g.w == 0) {
		wrap_free(&lines);
		return;
	}
	struct rect b = { w->area.y + g.y, w->area.x + g.x, g.h, g.w };
	attr_t body = theme_attr(th, THEME_DIALOG);
	bool ascii = th->ascii;
	dialog_draw_box(w->win, b, body);
	if (*d->title) {
		char *t = xasprintf(" %s ", d->title);
		widget_put(w->win, b.y, b.x + 2, b.w - 4, t, theme_attr(th, THEME_DIALOG_TITLE), false,
		           ascii);
		free(t);
	}

	int max_top = (int)lines.n - g.text_rows;
	d->top = d->top > max_top ? (max_top > 0 ? max_top : 0) : d->top;
	for (int r = 0; r < g.text_rows && d->top + r < (int)lines.n; r++)
		widget_put(w->win, b.y + 1 + r, b.x + 2, b.w - 4, lines.line[d->top + r], body, false,
		           ascii);
	if (d->top > 0)
		widget_put(w->win, b.y + 1, b.x + b.w - 1, 1, ascii ? "^" : "\xE2\x86\x91", body, false,
		           ascii);
	if (d->top + g.text_rows < (int)lines.n)
		widget_put(w->win, b.y + g.text_rows, b.x + b.w - 1, 1, ascii ? "v" : "\xE2\x86\x93",
		           body, false, ascii);

	/* Buttons on the last line inside the border, centred; the focused one highlighted. */
	int inner = b.w - 4, y = b.y + b.h - 2;
	bool compact = buttons_width(d, false) > inner;
	int bw = buttons_width(d, compact);
	int x = b.x + 2 + (bw < inner ? (inner - bw) / 2 : 0), end = b.x + 2 + inner;
	for (int i = 0; i < d->nbuttons && x < end; i++) {
		if (i)
			x += compact ? 1 : 2;
		char *item = xasprintf(compact ? "[%s]" : "[ %s ]", d->buttons[i]);
		attr_t a = theme_attr(th, i == d->focus ? THEME_BUTTON_FOCUS : THEME_BUTTON);
		x += widget_put(w->win, y, x, end - x, item, a, false, ascii);
		free(item);
	}
	wrap_free(&lines);
}

static int dialog_key_cb(struct widget *w, int key)
{
	return dialog_handle_key((struct dialog *)w, key);
}

static void dialog_free_cb(struct widget *w)
{
	struct dialog *d = (struct dialog *)w;
	for (int i = 0; i < d->nbuttons; i++)
		free(d->buttons[i]);
	free(d->buttons);
	free(d->title);
	free(d->text);
	free(d);
}

static const struct widget_ops dialog_ops = {
	.name = "dialog",
	.draw = dialog_draw_cb,
	.handle_key = dialog_key_cb,
	.free = dialog_free_cb,
};

struct dialog *dialog_new(const char *title, const char *text, const char *const *buttons,
                          int nbuttons, int focus, const struct theme *th)
{
	static const char *const ok[] = { "OK" };
	struct dialog *d = widget_new(sizeof *d, &dialog_ops);
	d->th = th;
	d->title = sanitize_str(title, 0);
	d->text = sanitize_str(text, SAN_KEEP_NEWLINE);
	if (!buttons || nbuttons <= 0) {
		buttons = ok;
		nbuttons = 1;
	}
	d->nbuttons = nbuttons;
	d->buttons = xreallocarray(NULL, (size_t)nbuttons, sizeof *d->buttons);
	for (int i = 0; i < nbuttons; i++)
		d->buttons[i] = sanitize_str(buttons[i], 0);
	d->focus = focus >= 0 && focus < nbuttons ? focus : 0;
	d->result = DIALOG_PENDING;
	return d;
}

void dialog_free(struct dialog **d)
{
	if (d)
		*d = widget_release(*d);
}

struct widget *dialog_widget(struct dialog *d)
{
	return &d->w;
}

int dialog_result(const struct dialog *d)
{
	return d->result;
}

int dialog_focus(const struct dialog *d)
{
	return d->focus;
}
