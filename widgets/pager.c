#include "widgets/pager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "widgets/field.h"
#include "widgets/wrap.h"

#define KEY_ESC 27
#define HSTEP 8

enum pager_op { PG_SEARCH = SCROLL_OP_END, PG_NEXT, PG_PREV };

const struct keybinding pager_keys[] = {
	KEYS_SCROLL("Scroll up one line", "Scroll one page up", KB_BAR, "Go to the top", "Go to the end", KB_BAR),
	{ '/', "/", "Search", "Search the text; Enter finds, Esc cancels", KB_BAR, PG_SEARCH },
	{ 'n', "n/N", NULL, "Next or previous match", 0, PG_NEXT },
	{ 'N', NULL, NULL, NULL, 0, PG_PREV },
	{ 0, NULL, NULL, NULL, 0, 0 },
};

struct pline {
	char *text;               /* sanitised, tabs expanded, no newline */
	size_t len;
	enum theme_role role;
};

struct dline {                /* one display line: bytes [off, off+len) of a source line */
	size_t line, off, len;
};

struct pager {
	struct widget w;          /* first */
	const struct theme *th;   /* borrowed */
	struct pline *lines;
	size_t n, cap;
	bool wrap;

	struct dline *d;          /* display lines for layout_w; valid when !stale */
	size_t nd, dcap;
	int layout_w;
	bool stale;

	size_t top;
	int hscroll;              /* columns skipped at the left when not wrapping */
	bool reached_end;

	struct field *prompt;     /* the search prompt while open */
	char *query;              /* the last search, or NULL */
	char *message;            /* "not found: x", until the next key */
};

/* --- text --- */

static void push_line(struct pager *p, const char *s, size_t n, enum theme_role role)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->lines = xreallocarray(p->lines, p->cap, sizeof *p->lines);
	}
	char *t = text_clean_line(s, n, p->th->ascii ? SAN_ASCII : 0);
	p->lines[p->n++] = (struct pline){ t, strlen(t), role };
}

void pager_append(struct pager *p, const char *text, size_t len, enum theme_role role)
{
	const char *s = text ? text : "", *end = s + (text ? len : 0);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		push_line(p, s, n, role);
		s += n + (nl != NULL);
	}
	p->stale = true;
	p->w.dirty = true;
}

void pager_clear(struct pager *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->lines[i].text);
	p->n = 0;
	p->nd = 0;
	p->top = 0;
	p->hscroll = 0;
	p->reached_end = false;
	p->stale = true;
	free(p->query);
	p->query = NULL;
	free(p->message);
	p->message = NULL;
	field_free(&p->prompt);
	p->w.dirty = true;
}

void pager_set_wrap(struct pager *p, bool wrap)
{
	if (p->wrap == wrap)
		return;
	p->wrap = wrap;
	p->hscroll = 0;
	p->stale = true;
	p->w.dirty = true;
}

/* --- layout --- */

static void push_d(struct dline **d, size_t *nd, size_t *cap, size_t line, size_t off, size_t len)
{
	if (*nd == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*d = xreallocarray(*d, *cap, sizeof **d);
	}
	(*d)[(*nd)++] = (struct dline){ line, off, len };
}

/* Break one line into segments of at most width columns (wrap_break). */
static void wrap_line(const struct pline *l, size_t idx, int width, struct dline **d, size_t *nd,
                      size_t *cap)
{
	size_t pos = 0;
	if (l->len == 0 || width <= 0) {
		push_d(d, nd, cap, idx, 0, l->len);
		return;
	}
	while (pos < l->len) {
		size_t next, end = wrap_break(l->text, l->len, pos, width, &next);
		push_d(d, nd, cap, idx, pos, end - pos);
		pos = next;
	}
}

static void layout_lines(struct pager *p, int width, struct dline **d, size_t *nd, size_t *cap)
{
	*nd = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (p->wrap)
			wrap_line(&p->lines[i], i, width, d, nd, cap);
		else
			push_d(d, nd, cap, i, 0, p->lines[i].len);
	}
}

/* The display lines for the area's width, keeping the top on the same text. */
static void relayout(struct pager *p)
{
	int width = p->w.area.w;
	if (!p->stale && p->layout_w == width)
		return;
	size_t anchor_line = 0, anchor_off = 0;
	bool anchored = p->top < p->nd;
	if (anchored) {
		anchor_line = p->d[p->top].line;
		anchor_off = p->d[p->top].off;
	}
	layout_lines(p, width, &p->d, &p->nd, &p->dcap);
	p->layout_w = width;
	p->stale = false;
	if (anchored) {
		size_t t = 0;
		for (size_t k = 0; k < p->nd; k++) {
			if (p->d[k].line > anchor_line)
				break;
			t = k;
			if (p->d[k].line == anchor_line && p->d[k].off + p->d[k].len > anchor_off)
				break;
		}
		p->top = t;
	}
}

static int text_rows(const struct pager *p)
{
	int rows = p->w.area.h - (p->prompt || p->message ? 1 : 0);
	return rows > 0 ? rows : 0;
}

static size_t pager_max_top(struct pager *p)
{
	relayout(p);
	size_t rows = (size_t)text_rows(p);
	return p->nd > rows ? p->nd - rows : 0;
}

/* Keep the top in range and note when the last line is in view. */
static void clamp(struct pager *p)
{
	size_t mt = pager_max_top(p);
	if (p->top > mt)
		p->top = mt;
	if (text_rows(p) > 0 && p->top + (size_t)text_rows(p) >= p->nd)
		p->reached_end = true;
}

size_t pager_line_count(struct pager *p)
{
	relayout(p);
	return p->nd;
}

size_t pager_top(const struct pager *p)
{
	return p->top;
}

bool pager_reached_end(struct pager *p)
{
	clamp(p);
	return p->reached_end;
}

bool pager_prompting(const struct pager *p)
{
	return p->prompt != NULL;
}

void pager_position_text(struct pager *p, char *buf, size_t sz)
{
	clamp(p);
	size_t rows = (size_t)text_rows(p), last = p->top + rows < p->nd ? p->top + rows : p->nd;
	if (p->nd <= rows)
		snprintf(buf, sz, "all %zu line%s", p->nd, p->nd == 1 ? "" : "s");
	else if (last >= p->nd)
		snprintf(buf, sz, "lines %zu-%zu of %zu, end", p->top + 1, last, p->nd);
	else
		snprintf(buf, sz, "lines %zu-%zu of %zu, %zu%%", p->top + 1, last, p->nd,
		         last * 100 / p->nd);
}

void pager_render_lines(struct pager *p, int width, struct wrap *out)
{
	struct dline *d = NULL;
	size_t nd = 0, cap = 0;
	layout_lines(p, width, &d, &nd, &cap);
	for (size_t k = 0; k < nd; k++) {
		char *s = xstrndup(p->lines[d[k].line].text + d[k].off, d[k].len);
		wrap_push(out, s);
		free(s);
	}
	free(d);
}

/* --- search --- */

/* The display line that holds byte off of source line line. */
static size_t dline_of(const struct pager *p, size_t line, size_t off)
{
	size_t lo = 0, hi = p->nd;
	while (lo < hi) {   /* the first display line past (line, off) */
		size_t mid = (lo + hi) / 2;
		const struct dline *m = &p->d[mid];
		if (m->line < line || (m->line == line && m->off <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? lo - 1 : 0;
}

bool pager_search(struct pager *p, const char *query, bool forward)
{
	if (!query || !*query)
		return false;
	if (!p->query || strcmp(p->query, query) != 0) {
		free(p->query);
		p->query = xstrdup(query);
	}
	relayout(p);
	bool found = false;
	size_t best = 0, first = 0, last = 0;
	bool any = false;
	for (size_t i = 0; i < p->n; i++) {
		const struct pline *l = &p->lines[i];
		for (const char *m = text_find_ci(l->text, l->len, query); m;
		     m = text_find_ci(m + 1, l->len - (size_t)(m + 1 - l->text), query)) {
			size_t k = dline_of(p, i, (size_t)(m - l->text));
			if (!any)
				first = k;
			last = k;
			any = true;
			if (forward && k > p->top && (!found || k < best)) {
				best = k;
				found = true;
			}
			if (!forward && k < p->top && (!found || k > best)) {
				best = k;
				found = true;
			}
		}
	}
	if (!any)
		return false;
	if (!found)   /* wrap around */
		best = forward ? first : last;
	p->top = best;
	clamp(p);
	p->w.dirty = true;
	return true;
}

/* --- keys --- */

static void pager_set_message(struct pager *p, char *msg)
{
	free(p->message);
	p->message = msg;
}

static int pager_scroll_to(struct pager *p, long top)
{
	long mt = (long)pager_max_top(p);
	top = top > mt ? mt : top;
	top = top < 0 ? 0 : top;
	bool moved = (size_t)top != p->top;
	p->top = (size_t)top;
	bool was = p->reached_end;
	clamp(p);
	if (!moved && was == p->reached_end)
		return WR_HANDLED;
	p->w.dirty = true;
	return WR_HANDLED | WR_REDRAW;
}

static int pager_prompt_input(struct pager *p, wint_t ch, bool is_code)
{
	if (!is_code && ch == KEY_ESC) {
		field_free(&p->prompt);
		clamp(p);
		p->w.dirty = true;
		return WR_HANDLED | WR_REDRAW;
	}
	if ((!is_code && (ch == '\r' || ch == '\n')) || (is_code && ch == KEY_ENTER)) {
		char *q = xstrdup(field_text(p->prompt));
		field_free(&p->prompt);
		if (*q && !pager_search(p, q, true))
			pager_set_message(p, xasprintf("not found: %s", q));
		clamp(p);
		free(q);
		p->w.dirty = true;
		return WR_HANDLED | WR_REDRAW;
	}
	if (is_code && ch == KEY_RESIZE)
		return WR_IGNORED;
	field_input(p->prompt, ch, is_code);
	p->w.dirty = true;
	return WR_HANDLED | WR_REDRAW;   /* the prompt takes every key */
}

int pager_input(struct pager *p, wint_t ch, bool is_code)
{
	if (p->prompt)
		return pager_prompt_input(p, ch, is_code);
	relayout(p);   /* the width may have changed since the last draw */
	int r = 0;
	if (p->message) {   /* a message lasts until the next key */
		pager_set_message(p, NULL);
		clamp(p);
		p->w.dirty = true;
		r = WR_REDRAW;
	}
	if (!is_code && ch > 0x7F)
		return r ? WR_HANDLED | r : WR_IGNORED;
	const struct keybinding *k = keytable_find(pager_keys, (int)ch);
	if (!k || (is_code != (k->key >= KEY_MIN)))
		return r ? WR_HANDLED | r : WR_IGNORED;
	long page = text_rows(p) > 1 ? text_rows(p) - 1 : 1;
	switch (k->op) {
	case SCROLL_UP:        return r | pager_scroll_to(p, (long)p->top - 1);
	case SCROLL_DOWN:      return r | pager_scroll_to(p, (long)p->top + 1);
	case SCROLL_PAGE_UP:   return r | pager_scroll_to(p, (long)p->top - page);
	case SCROLL_PAGE_DOWN: return r | pager_scroll_to(p, (long)p->top + page);
	case SCROLL_HOME:      return r | pager_scroll_to(p, 0);
	case SCROLL_END:       return r | pager_scroll_to(p, (long)pager_max_top(p));
	case SCROLL_LEFT:
	case SCROLL_RIGHT:
		if (p->wrap)
			return r ? WR_HANDLED | r : WR_IGNORED;
		p->hscroll += k->op == SCROLL_LEFT ? -HSTEP : HSTEP;
		p->hscroll = p->hscroll < 0 ? 0 : p->hscroll;
		p->w.dirty = true;
		return WR_HANDLED | WR_REDRAW;
	case PG_SEARCH:
		p->prompt = field_new(p->th, 256);
		field_set_focus(p->prompt, true);
		clamp(p);
		p->w.dirty = true;
		return WR_HANDLED | WR_REDRAW;
	case PG_NEXT:
	case PG_PREV:
		if (!p->query)
			pager_set_message(p, xstrdup("no search yet: / starts one"));
		else if (!pager_search(p, p->query, k->op == PG_NEXT))
			pager_set_message(p, xasprintf("not found: %s", p->query));
		clamp(p);
		p->w.dirty = true;
		return WR_HANDLED | WR_REDRAW;
	}
	return r ? WR_HANDLED | r : WR_IGNORED;
}

int pager_handle_key(struct pager *p, int key)
{
	return pager_input(p, (wint_t)key, key >= KEY_MIN);
}

/* --- drawing --- */

static void draw_matches(struct pager *p, int y, const struct dline *dl, size_t from, int x0)
{
	const struct pline *l = &p->lines[dl->line];
	const char *seg = l->text + dl->off + from;
	size_t seglen = dl->len - from, qn = strlen(p->query);
	int width = p->w.area.w;
	size_t pos = 0;
	const char *m;
	while (pos < seglen && (m = text_find_ci(seg + pos, seglen - pos, p->query))) {
		int col = text_cols(seg, (size_t)(m - seg));
		if (x0 + col >= width)
			break;
		char *t = xstrndup(m, qn);
		widget_put(p->w.win, p->w.area.y + y, p->w.area.x + x0 + col, width - x0 - col, t,
		           theme_attr(p->th, l->role) | A_REVERSE, false, p->th->ascii);
		free(t);
		pos = (size_t)(m - seg) + qn;
	}
}

static void pager_draw_cb(struct widget *w)
{
	struct pager *p = (struct pager *)w;
	const struct theme *th = p->th;
	struct rect a = w->area;
	clamp(p);
	int rows = text_rows(p);
	for (int r = 0; r < rows; r++) {
		size_t k = p->top + (size_t)r;
		widget_fill(w->win, a.y + r, a.x, a.w, theme_attr(th, THEME_NORMAL));
		if (k >= p->nd)
			continue;
		const struct dline *dl = &p->d[k];
		const struct pline *l = &p->lines[dl->line];
		int skipped = 0;
		size_t from = p->wrap ? 0 : text_skip_cols(l->text + dl->off, dl->len, p->hscroll, &skipped);
		int x0 = p->wrap ? 0 : skipped - p->hscroll;   /* a wide character cut at the left */
		char *t = xstrndup(l->text + dl->off + from, dl->len - from);
		widget_put(w->win, a.y + r, a.x + x0, a.w - x0, t, theme_attr(th, l->role), false,
		           th->ascii);
		free(t);
		if (p->query && *p->query)
			draw_matches(p, r, dl, from, x0);
	}
	if (p->prompt) {
		int y = a.y + a.h - 1;
		widget_put(w->win, y, a.x, 1, "/", theme_attr(th, THEME_NORMAL), false, th->ascii);
		widget_place(field_widget(p->prompt), w->win, (struct rect){ y, a.x + 1, 1, a.w - 1 });
		widget_draw(field_widget(p->prompt));
	} else if (p->message) {
		widget_put(w->win, a.y + a.h - 1, a.x, a.w, p->message, theme_attr(th, THEME_STATUS_WARN),
		           true, th->ascii);
	}
}

static int pager_key_cb(struct widget *w, int key)
{
	return pager_handle_key((struct pager *)w, key);
}

static void pager_resize_cb(struct widget *w)
{
	clamp((struct pager *)w);
}

static void pager_free_cb(struct widget *w)
{
	struct pager *p = (struct pager *)w;
	pager_clear(p);
	free(p->lines);
	free(p->d);
	free(p);
}

static const struct widget_ops pager_ops = {
	.name = "pager",
	.draw = pager_draw_cb,
	.handle_key = pager_key_cb,
	.resize = pager_resize_cb,
	.free = pager_free_cb,
};

struct pager *pager_new(const struct theme *th)
{
	struct pager *p = widget_new(sizeof *p, &pager_ops);
	p->th = th;
	p->wrap = true;
	p->stale = true;
	return p;
}

void pager_free(struct pager **p)
{
	if (p)
		*p = widget_release(*p);
}

struct widget *pager_widget(struct pager *p)
{
	return &p->w;
}
