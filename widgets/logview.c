#include "widgets/logview.h"

#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "widgets/wrap.h"

#define CACHE_LINES 128   /* rendered lines kept: a page or two, even of wrapped lines */
#define HSTEP 8

const struct keybinding logview_keys[] = {
	KEYS_SCROLL("Scroll up one line (stops following)", "Scroll one page up (stops following)", 0,
	            "Go to the oldest line kept (stops following)",
	            "Go to the newest line and follow new lines", KB_BAR),
	{ 0, NULL, NULL, NULL, 0, 0 },
};

/* One line as displayed: sanitised text and where each row of it starts and ends. */
struct rline {
	bool valid;
	uint64_t seq;
	char *text;
	size_t len;
	enum theme_role role;
	size_t *start, *end;      /* rows; at least one */
	size_t rows, cap;
};

struct pos { uint64_t seq; size_t row; };

struct logview {
	struct widget w;          /* first */
	const struct logview_source *src;
	void *ctx;
	const struct theme *th;
	bool wrap, follow;
	struct pos top;
	int hscroll;
	char *query;

	struct rline cache[CACHE_LINES];
	int cache_w;
	bool cache_wrap;
};

/* --- lines --- */

static void rline_reset(struct rline *r)
{
	free(r->text);
	r->text = NULL;
	r->len = 0;
	r->rows = 0;
	r->valid = false;
}

void logview_invalidate(struct logview *v)
{
	for (size_t i = 0; i < CACHE_LINES; i++)
		rline_reset(&v->cache[i]);
	v->w.dirty = true;
}

static void push_row(struct rline *r, size_t start, size_t end)
{
	if (r->rows == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4;
		r->start = xreallocarray(r->start, r->cap, sizeof *r->start);
		r->end = xreallocarray(r->end, r->cap, sizeof *r->end);
	}
	r->start[r->rows] = start;
	r->end[r->rows++] = end;
}

static int width_of(const struct logview *v)
{
	return v->w.area.w > 0 ? v->w.area.w : 1;
}

static const struct rline *line_at(struct logview *v, uint64_t seq)
{
	int width = width_of(v);
	if (width != v->cache_w || v->wrap != v->cache_wrap) {
		logview_invalidate(v);
		v->cache_w = width;
		v->cache_wrap = v->wrap;
	}
	struct rline *r = &v->cache[seq % CACHE_LINES];
	if (r->valid && r->seq == seq)
		return r;
	rline_reset(r);
	struct logview_line l = { .role = THEME_NORMAL };
	v->src->line(v->ctx, seq, &l);
	int flags = v->th->ascii ? SAN_ASCII : 0;
	/* Programs colour their logs: their escape sequences go whole, not as ^[[31m. */
	char *body = text_clean_line(l.text ? l.text : "", l.text ? l.len : 0, flags | SAN_STRIP_ESC);
	char *pre = l.prefix ? sanitize_str(l.prefix, flags) : NULL;
	char *suf = l.suffix ? sanitize_str(l.suffix, flags) : NULL;
	r->text = xasprintf("%s%s%s%s", pre ? pre : "", pre ? " " : "", body, suf ? suf : "");
	free(body);
	free(pre);
	free(suf);
	r->len = strlen(r->text);
	r->role = l.role;
	r->seq = seq;
	r->valid = true;
	if (!v->wrap || r->len == 0) {
		push_row(r, 0, r->len);
		return r;
	}
	for (size_t pos = 0; pos < r->len;) {
		size_t next, end = wrap_break(r->text, r->len, pos, width, &next);
		push_row(r, pos, end);
		pos = next;
	}
	return r;
}

/* --- the position --- */

static int height_of(const struct logview *v)
{
	return v->w.area.h > 0 ? v->w.area.h : 0;
}

static bool empty(const struct logview *v)
{
	return v->src->end(v->ctx) <= v->src->first(v->ctx);
}

/* The top that shows the newest line's last row on the bottom row. */
static struct pos bottom_pos(struct logview *v)
{
	uint64_t first = v->src->first(v->ctx), seq = v->src->end(v->ctx);
	size_t need = (size_t)height_of(v);
	while (seq > first) {
		seq--;
		size_t n = line_at(v, seq)->rows;
		if (n >= need)
			return (struct pos){ seq, n - need };
		need -= n;
	}
	return (struct pos){ first, 0 };
}

/* Rows from p down to the end, counting at most limit. */
static size_t rows_from(struct logview *v, struct pos p, size_t limit)
{
	uint64_t end = v->src->end(v->ctx);
	size_t n = 0;
	for (uint64_t s = p.seq; s < end && n < limit; s++) {
		size_t r = line_at(v, s)->rows;
		n += s == p.seq ? (r > p.row ? r - p.row : 0) : r;
	}
	return n;
}

/* Keep the top on a line that exists, and the screen full when there is enough to fill it. */
static void settle(struct logview *v)
{
	uint64_t first = v->src->first(v->ctx), end = v->src->end(v->ctx);
	if (end <= first) {
		v->top = (struct pos){ first, 0 };
		return;
	}
	if (v->follow || v->top.seq >= end) {
		v->top = bottom_pos(v);
		return;
	}
	if (v->top.seq < first)
		v->top = (struct pos){ first, 0 };
	size_t rows = line_at(v, v->top.seq)->rows;
	if (v->top.row >= rows)
		v->top.row = rows - 1;
	size_t h = (size_t)height_of(v);
	if ((v->top.seq > first || v->top.row > 0) && rows_from(v, v->top, h) < h)
		v->top = bottom_pos(v);
}

static void move_down(struct logview *v, size_t k)
{
	uint64_t end = v->src->end(v->ctx);
	while (k-- > 0) {
		if (v->top.row + 1 < line_at(v, v->top.seq)->rows)
			v->top.row++;
		else if (v->top.seq + 1 < end)
			v->top = (struct pos){ v->top.seq + 1, 0 };
		else
			break;
	}
	settle(v);
}

static void move_up(struct logview *v, size_t k)
{
	uint64_t first = v->src->first(v->ctx);
	while (k-- > 0) {
		if (v->top.row > 0)
			v->top.row--;
		else if (v->top.seq > first)
			v->top = (struct pos){ v->top.seq - 1, line_at(v, v->top.seq - 1)->rows - 1 };
		else
			break;
	}
	settle(v);
}

/* --- public --- */

void logview_changed(struct logview *v)
{
	v->w.dirty = true;
}

void logview_set_wrap(struct logview *v, bool wrap)
{
	v->wrap = wrap;
	v->hscroll = 0;
	v->top.row = 0;
	v->w.dirty = true;
}

bool logview_wrapping(const struct logview *v)
{
	return v->wrap;
}

void logview_set_follow(struct logview *v, bool follow)
{
	v->follow = follow;
	v->w.dirty = true;
}

bool logview_following(const struct logview *v)
{
	return v->follow;
}

void logview_goto(struct logview *v, uint64_t seq)
{
	v->follow = false;
	v->top = (struct pos){ seq, 0 };
	settle(v);
	v->w.dirty = true;
}

void logview_set_highlight(struct logview *v, const char *query)
{
	free(v->query);
	v->query = query && *query ? xstrdup(query) : NULL;
	v->w.dirty = true;
}

bool logview_visible(struct logview *v, uint64_t *top, uint64_t *bottom)
{
	if (empty(v) || height_of(v) == 0)
		return false;
	settle(v);
	uint64_t end = v->src->end(v->ctx), s = v->top.seq;
	size_t h = (size_t)height_of(v), n = line_at(v, s)->rows - v->top.row;
	while (n < h && s + 1 < end)
		n += line_at(v, ++s)->rows;
	*top = v->top.seq;
	*bottom = s;
	return true;
}

int logview_handle_key(struct logview *v, int key)
{
	const struct keybinding *k = keytable_find(logview_keys, key);
	if (!k)
		return WR_IGNORED;
	size_t page = height_of(v) > 1 ? (size_t)height_of(v) - 1 : 1;
	if (!empty(v))
		settle(v);
	switch (k->op) {
	case SCROLL_UP:        v->follow = false; move_up(v, 1); break;
	case SCROLL_DOWN:      move_down(v, 1); break;
	case SCROLL_PAGE_UP:   v->follow = false; move_up(v, page); break;
	case SCROLL_PAGE_DOWN: move_down(v, page); break;
	case SCROLL_HOME:
		v->follow = false;
		v->top = (struct pos){ v->src->first(v->ctx), 0 };
		break;
	case SCROLL_END:
		v->follow = true;
		settle(v);
		break;
	case SCROLL_LEFT:
	case SCROLL_RIGHT:
		if (v->wrap)
			return WR_IGNORED;
		v->hscroll += k->op == SCROLL_LEFT ? -HSTEP : HSTEP;
		v->hscroll = v->hscroll < 0 ? 0 : v->hscroll;
		break;
	}
	v->w.dirty = true;
	return WR_HANDLED | WR_REDRAW;
}

/* --- drawing --- */

/* Calls fn for every row the area shows, top down. */
static void each_row(struct logview *v, void (*fn)(void *ud, int y, const struct rline *r, size_t row),
                     void *ud)
{
	if (empty(v))
		return;
	settle(v);
	uint64_t end = v->src->end(v->ctx);
	struct pos p = v->top;
	for (int y = 0; y < height_of(v) && p.seq < end; y++) {
		const struct rline *r = line_at(v, p.seq);
		fn(ud, y, r, p.row);
		if (++p.row >= r->rows)
			p = (struct pos){ p.seq + 1, 0 };
	}
}

/* The bytes of row row of r that are in view after scrolling sideways; *x0 is the column they
 * start at (a wide character cut at the left edge leaves a gap). */
static const char *row_text(const struct logview *v, const struct rline *r, size_t row, size_t *n,
                            int *x0)
{
	const char *s = r->text + r->start[row];
	size_t len = r->end[row] - r->start[row];
	int skipped = 0;
	size_t from = v->wrap ? 0 : text_skip_cols(s, len, v->hscroll, &skipped);
	*x0 = v->wrap ? 0 : skipped - v->hscroll;
	*n = len - from;
	return s + from;
}

struct render_ctx { struct wrap *out; const struct logview *v; };

static void render_one(void *ud, int y, const struct rline *r, size_t row)
{
	struct render_ctx *c = ud;
	size_t n;
	int x0;
	(void)y;
	const char *s = row_text(c->v, r, row, &n, &x0);
	char *t = xstrndup(s, n);
	wrap_push(c->out, t);
	free(t);
}

void logview_render_rows(struct logview *v, struct wrap *out)
{
	struct render_ctx c = { out, v };
	each_row(v, render_one, &c);
}

/* Columns of the first n bytes of sanitised text s. */
static void paint_one(void *ud, int y, const struct rline *r, size_t row)
{
	struct logview *v = ud;
	struct rect a = v->w.area;
	size_t n;
	int x0;
	const char *s = row_text(v, r, row, &n, &x0);
	attr_t attr = theme_attr(v->th, r->role);
	char *t = xstrndup(s, n);
	widget_put(v->w.win, a.y + y, a.x + x0, a.w - x0, t, attr, false, v->th->ascii);
	free(t);
	if (!v->query)
		return;
	size_t qn = strlen(v->query);
	for (const char *m = text_find_ci(s, n, v->query); m;
	     m = text_find_ci(m + qn, n - (size_t)(m + qn - s), v->query)) {
		int x = x0 + text_cols(s, (size_t)(m - s));
		if (x >= a.w)
			break;
		char *hit = xstrndup(m, qn);
		widget_put(v->w.win, a.y + y, a.x + x, a.w - x, hit, attr | A_REVERSE, false, v->th->ascii);
		free(hit);
	}
}

static void logview_draw_cb(struct widget *w)
{
	struct logview *v = (struct logview *)w;
	struct rect a = w->area;
	for (int y = 0; y < a.h; y++)
		widget_fill(w->win, a.y + y, a.x, a.w, theme_attr(v->th, THEME_NORMAL));
	each_row(v, paint_one, v);
}

static int logview_key_cb(struct widget *w, int key)
{
	return logview_handle_key((struct logview *)w, key);
}

static void logview_free_cb(struct widget *w)
{
	struct logview *v = (struct logview *)w;
	for (size_t i = 0; i < CACHE_LINES; i++) {
		rline_reset(&v->cache[i]);
		free(v->cache[i].start);
		free(v->cache[i].end);
	}
	free(v->query);
	free(v);
}

static const struct widget_ops logview_ops = {
	.name = "logview",
	.draw = logview_draw_cb,
	.handle_key = logview_key_cb,
	.free = logview_free_cb,
};

struct logview *logview_new(const struct logview_source *src, void *ctx, const struct theme *th)
{
	struct logview *v = widget_new(sizeof *v, &logview_ops);
	v->src = src;
	v->ctx = ctx;
	v->th = th;
	v->wrap = true;
	v->follow = true;
	v->cache_wrap = true;
	v->w.dirty = true;
	return v;
}

void logview_free(struct logview **v)
{
	if (v)
		*v = widget_release(*v);
}

struct widget *logview_widget(struct logview *v)
{
	return &v->w;
}
