#include "widgets/help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"

#define INDENT 2
#define GAP 2
#define MIN_TEXT 10
#define KEY_ESC 27

enum help_op { HELP_OP_UP = 1, HELP_OP_DOWN, HELP_OP_PAGE_UP, HELP_OP_PAGE_DOWN, HELP_OP_HOME,
               HELP_OP_END, HELP_OP_CLOSE };

const struct keybinding help_keys[] = {
	{ KEY_UP, "Up/k", "Up", "Scroll up", 0, HELP_OP_UP },
	{ 'k', NULL, NULL, NULL, 0, HELP_OP_UP },
	{ KEY_DOWN, "Down/j", "Down", "Scroll down", 0, HELP_OP_DOWN },
	{ 'j', NULL, NULL, NULL, 0, HELP_OP_DOWN },
	{ KEY_PPAGE, "PgUp", "PgUp", "Scroll one page up", 0, HELP_OP_PAGE_UP },
	{ KEY_NPAGE, "PgDn/Space", "PgDn", "Scroll one page down", 0, HELP_OP_PAGE_DOWN },
	{ ' ', NULL, NULL, NULL, 0, HELP_OP_PAGE_DOWN },
	{ KEY_HOME, "Home/g", "Top", "Go to the top", 0, HELP_OP_HOME },
	{ 'g', NULL, NULL, NULL, 0, HELP_OP_HOME },
	{ KEY_END, "End/G", "Bottom", "Go to the bottom", 0, HELP_OP_END },
	{ 'G', NULL, NULL, NULL, 0, HELP_OP_END },
	{ 'q', "q/Esc/F1", "Close", "Close the help", KB_BAR, HELP_OP_CLOSE },
	{ KEY_ESC, NULL, NULL, NULL, 0, HELP_OP_CLOSE },
	{ KEY_F(1), NULL, NULL, NULL, 0, HELP_OP_CLOSE },
	{ 0, NULL, NULL, NULL, 0, 0 },
};

struct help {
	struct widget w;                   /* first */
	const struct theme *th;            /* borrowed */
	char *title;                       /* owned, sanitised */
	struct help_section *sections;     /* owned array of borrowed tables */
	size_t n;
	int top;
};

struct builder {
	struct wrap *out;
	int *kind;
	size_t cap;
};

static void add(struct builder *b, const char *line, int kind)
{
	wrap_push(b->out, line);
	if (b->out->n > b->cap) {
		b->cap = b->out->n * 2;
		b->kind = xreallocarray(b->kind, b->cap, sizeof *b->kind);
	}
	b->kind[b->out->n - 1] = kind;
}

static bool listed(const struct keybinding *k)
{
	return k->keyname != NULL && !(k->flags & KB_NOHELP);
}

/* One entry: the key name, then its help wrapped with a hanging indent. */
static void add_entry(struct builder *b, const struct keybinding *k, int width, int kcol)
{
	char *name = sanitize_str(k->keyname, 0);
	char *text = sanitize_str(k->help ? k->help : k->action, 0);
	int kw = (int)text_width(name);
	int textw = width - INDENT - kcol - GAP;
	bool stacked = textw < MIN_TEXT;
	int hang = stacked ? 2 * INDENT : INDENT + kcol + GAP;
	struct wrap body = { 0 };
	wrap_text(&body, text, stacked ? width - hang : textw);

	size_t first = 0;
	if (!stacked && kw <= kcol && body.n > 0) {
		char *line = xasprintf("%*s%s%*s%s", INDENT, "", name, kcol - kw + GAP, "", body.line[0]);
		add(b, line, INDENT + kw);
		free(line);
		first = 1;
	} else {
		char *line = xasprintf("%*s%s", INDENT, "", name);
		add(b, line, INDENT + kw);
		free(line);
	}
	for (size_t i = first; i < body.n; i++) {
		char *line = xasprintf("%*s%s", hang, "", body.line[i]);
		add(b, line, 0);
		free(line);
	}
	wrap_free(&body);
	free(text);
	free(name);
}

void help_render_lines(const struct help *h, int width, struct wrap *out, int **kind)
{
	struct builder b = { out, NULL, 0 };
	if (kind)
		*kind = NULL;
	if (width < 1)
		return;
	int kcol = 1;
	for (size_t s = 0; s < h->n; s++)
		for (const struct keybinding *k = h->sections[s].keys; k && k->key; k++)
			if (listed(k)) {
				int kw = (int)text_width(k->keyname);
				kcol = kw > kcol ? kw : kcol;
			}
	if (kcol > width / 3)
		kcol = width / 3 > 1 ? width / 3 : 1;

	for (size_t s = 0; s < h->n; s++) {
		if (s > 0)
			add(&b, "", 0);
		char *title = sanitize_str(h->sections[s].title, 0);
		add(&b, title, -1);
		free(title);
		for (const struct keybinding *k = h->sections[s].keys; k && k->key; k++)
			if (listed(k))
				add_entry(&b, k, width, kcol);
	}
	if (kind)
		*kind = b.kind;
	else
		free(b.kind);
}

static int body_rows(const struct help *h)
{
	return h->w.area.h > 1 ? h->w.area.h - 1 : 0;
}

static int max_top(const struct help *h)
{
	struct wrap lines = { 0 };
	help_render_lines(h, h->w.area.w, &lines, NULL);
	int m = (int)lines.n - body_rows(h);
	wrap_free(&lines);
	return m > 0 ? m : 0;
}

static int scroll_to(struct help *h, int top)
{
	int m = max_top(h);
	top = top > m ? m : top;
	top = top < 0 ? 0 : top;
	if (top == h->top)
		return WR_HANDLED;
	h->top = top;
	h->w.dirty = true;
	return WR_HANDLED | WR_REDRAW;
}

int help_handle_key(struct help *h, int key)
{
	if (key == KEY_RESIZE)
		return WR_IGNORED;
	const struct keybinding *k = keytable_find(help_keys, key);
	int page = body_rows(h) > 1 ? body_rows(h) - 1 : 1;
	switch (k ? k->op : 0) {
	case HELP_OP_UP:        return scroll_to(h, h->top - 1);
	case HELP_OP_DOWN:      return scroll_to(h, h->top + 1);
	case HELP_OP_PAGE_UP:   return scroll_to(h, h->top - page);
	case HELP_OP_PAGE_DOWN: return scroll_to(h, h->top + page);
	case HELP_OP_HOME:      return scroll_to(h, 0);
	case HELP_OP_END:       return scroll_to(h, max_top(h));
	case HELP_OP_CLOSE:     return WR_HANDLED | WR_REDRAW | WR_DONE;
	default:                return WR_HANDLED;
	}
}

int help_top(const struct help *h)
{
	return h->top;
}

struct paint { const struct theme *th; int key_cols; };

/* The key name (after the indent) in the key colour, the rest normal. */
static attr_t attr_at(const void *ctx, int col)
{
	const struct paint *p = ctx;
	return theme_attr(p->th, col >= INDENT && col < p->key_cols ? THEME_HELP_KEY : THEME_NORMAL);
}

static void help_draw_cb(struct widget *w)
{
	struct help *h = (struct help *)w;
	const struct theme *th = h->th;
	struct rect a = w->area;
	if (a.h <= 0 || a.w <= 0)
		return;
	struct wrap lines = { 0 };
	int *kind;
	help_render_lines(h, a.w, &lines, &kind);
	int rows = body_rows(h);
	int m = (int)lines.n - rows;
	if (h->top > (m > 0 ? m : 0))
		h->top = m > 0 ? m : 0;

	/* Title bar: the title left, the position right when there is room for both. */
	attr_t bar = theme_attr(th, THEME_HEADER);
	char pos[48];
	int last = h->top + rows < (int)lines.n ? h->top + rows : (int)lines.n;
	snprintf(pos, sizeof pos, " %d-%d/%zu ", lines.n ? h->top + 1 : 0, last, lines.n);
	widget_fill(w->win, a.y, a.x, a.w, bar);
	int pw = (int)strlen(pos), tw = (int)text_width(h->title) + 1;
	if (tw + pw <= a.w)
		widget_put(w->win, a.y, a.x + a.w - pw, pw, pos, bar, false, th->ascii);
	widget_put(w->win, a.y, a.x + 1, tw + pw <= a.w ? a.w - pw - 1 : a.w - 1, h->title, bar,
	           false, th->ascii);

	for (int r = 0; r < rows; r++) {
		int y = a.y + 1 + r, i = h->top + r;
		widget_fill(w->win, y, a.x, a.w, theme_attr(th, THEME_NORMAL));
		if (i >= (int)lines.n)
			continue;
		if (kind[i] < 0) {
			widget_put(w->win, y, a.x, a.w, lines.line[i], theme_attr(th, THEME_HELP_SECTION),
			           false, th->ascii);
			continue;
		}
		struct paint p = { th, kind[i] };
		widget_put_styled(w->win, y, a.x, a.w, lines.line[i], attr_at, &p);
	}
	free(kind);
	wrap_free(&lines);
}

static int help_key_cb(struct widget *w, int key)
{
	return help_handle_key((struct help *)w, key);
}

static void help_free_cb(struct widget *w)
{
	struct help *h = (struct help *)w;
	free(h->sections);
	free(h->title);
	free(h);
}

static const struct widget_ops help_ops = {
	.name = "help",
	.draw = help_draw_cb,
	.handle_key = help_key_cb,
	.free = help_free_cb,
};

struct help *help_new(const char *title, const struct help_section *sections, size_t n,
                      const struct theme *th)
{
	struct help *h = widget_new(sizeof *h, &help_ops);
	h->th = th;
	h->title = sanitize_str(title, 0);
	h->n = n;
	h->sections = xreallocarray(NULL, n ? n : 1, sizeof *h->sections);
	if (n)
		memcpy(h->sections, sections, n * sizeof *sections);
	return h;
}

void help_free(struct help **h)
{
	if (h)
		*h = widget_release(*h);
}

struct widget *help_widget(struct help *h)
{
	return &h->w;
}
