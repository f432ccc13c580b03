#include "widgets/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/str.h"
#include "api/base/xalloc.h"
#include "widgets/wrap.h"

#define GAP 1            /* blank columns between two columns */
#define CELL_MAX 512     /* bytes of one cell's text from render_cell() */

struct table {
	struct widget w;                   /* first: table_widget() hands out &t->w */
	const struct table_column *cols;   /* borrowed */
	size_t ncols;
	const struct table_source *src;    /* borrowed */
	void *ctx;
	const struct theme *th;            /* borrowed */
	size_t *view;                      /* owned: owner rows in view order */
	size_t nview, cap;
	size_t sel, top;                   /* view positions */
	char *sel_id;                      /* owned; survives an empty view */
	int sort_col;
	bool sort_desc;
	char *filter;                      /* owned; NULL = none */
	char *empty_text;                  /* owned */
	int *widths;                       /* owned: layout for layout_width */
	int layout_width;
};

const struct keybinding table_keys[] = {
	{ KEY_UP, "Up/k", "Up", "Move the selection up", 0, TABLE_OP_UP },
	{ 'k', NULL, NULL, NULL, 0, TABLE_OP_UP },
	{ KEY_DOWN, "Down/j", "Down", "Move the selection down", 0, TABLE_OP_DOWN },
	{ 'j', NULL, NULL, NULL, 0, TABLE_OP_DOWN },
	{ KEY_PPAGE, "PgUp", "PgUp", "Move one page up", 0, TABLE_OP_PAGE_UP },
	{ KEY_NPAGE, "PgDn", "PgDn", "Move one page down", 0, TABLE_OP_PAGE_DOWN },
	{ KEY_HOME, "Home/g", "Top", "Go to the first row", 0, TABLE_OP_HOME },
	{ 'g', NULL, NULL, NULL, 0, TABLE_OP_HOME },
	{ KEY_END, "End/G", "Bottom", "Go to the last row", 0, TABLE_OP_END },
	{ 'G', NULL, NULL, NULL, 0, TABLE_OP_END },
	{ '<', "<", "SortPrev", "Sort by the previous column", 0, TABLE_OP_SORT_PREV },
	{ '>', ">", "SortNext", "Sort by the next column", 0, TABLE_OP_SORT_NEXT },
	{ 'I', "I", "Invert", "Invert the sort order", 0, TABLE_OP_SORT_INVERT },
	{ 0, NULL, NULL, NULL, 0, 0 },
};

/* ---- layout (pure) ---- */

int table_layout(const struct table_column *cols, size_t ncols, int width, int *widths)
{
	size_t nvis = ncols;
	for (size_t i = 0; i < ncols; i++)
		widths[i] = cols[i].min_width > 0 ? cols[i].min_width : 1;
	if (ncols == 0)
		return 0;
	if (width <= 0) {
		for (size_t i = 0; i < ncols; i++)
			widths[i] = 0;
		return 0;
	}

	long need;
	for (;;) {
		need = (long)GAP * (long)(nvis - 1);
		for (size_t i = 0; i < ncols; i++)
			need += widths[i];
		if (need <= width || nvis == 1)
			break;
		size_t drop = ncols;
		for (size_t i = 0; i < ncols; i++)
			if (widths[i] && (drop == ncols || cols[i].priority <= cols[drop].priority))
				drop = i;
		widths[drop] = 0;
		nvis--;
	}
	if (need > width) {   /* one column left and it is too wide: cut it */
		for (size_t i = 0; i < ncols; i++)
			if (widths[i])
				widths[i] = width;
		return 1;
	}

	long spare = width - need;
	while (spare > 0) {
		long total = 0;
		for (size_t i = 0; i < ncols; i++)
			if (widths[i] && cols[i].weight > 0 &&
			    (cols[i].max_width <= 0 || widths[i] < cols[i].max_width))
				total += cols[i].weight;
		if (total == 0)
			break;
		long given = 0;
		for (size_t i = 0; i < ncols; i++) {
			if (!widths[i] || cols[i].weight <= 0 ||
			    (cols[i].max_width > 0 && widths[i] >= cols[i].max_width))
				continue;
			long add = spare * cols[i].weight / total;
			/* The remainder after the proportional shares: one column each, left first. */
			if (add == 0 && given < spare && spare < total)
				add = 1;
			if (add > spare - given)
				add = spare - given;
			if (cols[i].max_width > 0 && add > cols[i].max_width - widths[i])
				add = cols[i].max_width - widths[i];
			widths[i] += (int)add;
			given += add;
		}
		if (given == 0)
			break;
		spare -= given;
	}
	return (int)nvis;
}

/* ---- view ---- */

static const int *layout_for(struct table *t, int width)
{
	if (width != t->layout_width) {
		table_layout(t->cols, t->ncols, width, t->widths);
		t->layout_width = width;
	}
	return t->widths;
}

static bool default_match(const struct table *t, size_t row, const char *filter)
{
	char cell[CELL_MAX];
	for (size_t c = 0; c < t->ncols; c++) {
		cell[0] = '\0';
		t->src->render_cell(t->ctx, row, (int)c, cell, sizeof cell);
		if (strcasestr(cell, filter))
			return true;
	}
	return false;
}

static bool row_passes(const struct table *t, size_t row)
{
	if (!t->filter)
		return true;
	if (t->src->matches)
		return t->src->matches(t->ctx, row, t->filter);
	return default_match(t, row, t->filter);
}

static int cmp_rows(const struct table *t, size_t a, size_t b)
{
	int r = t->src->compare(t->ctx, a, b, t->sort_col);
	return t->sort_desc ? (r < 0) - (r > 0) : r;
}

/* Stable merge sort of v[0..n) with tmp as scratch; qsort is neither stable nor takes ctx. */
static void sort_view(const struct table *t, size_t *v, size_t *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	sort_view(t, v, tmp, h);
	sort_view(t, v + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp_rows(t, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof *v);
}

int table_visible_rows(const struct table *t)
{
	return t->w.area.h > 1 ? t->w.area.h - 1 : 0;
}

static void keep_visible(struct table *t)
{
	size_t rows = (size_t)table_visible_rows(t);
	if (t->nview == 0 || rows == 0) {
		t->top = t->nview ? t->sel : 0;
		return;
	}
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + rows)
		t->top = t->sel - rows + 1;
	/* After a shrink of the data or a taller area, do not leave blank lines at the end. */
	size_t max_top = t->nview > rows ? t->nview - rows : 0;
	if (t->top > max_top)
		t->top = max_top;
}

static void remember_selection(struct table *t)
{
	if (t->nview == 0)
		return;
	const char *id = t->src->row_id(t->ctx, t->view[t->sel]);
	if (str_eq(t->sel_id, id))
		return;
	free(t->sel_id);
	t->sel_id = xstrdup(id);
}

void table_refresh(struct table *t)
{
	size_t n = t->src->row_count(t->ctx);
	if (n > t->cap) {
		t->view = xreallocarray(t->view, n, sizeof *t->view);
		t->cap = n;
	}
	t->nview = 0;
	for (size_t row = 0; row < n; row++)
		if (row_passes(t, row))
			t->view[t->nview++] = row;
	if (t->sort_col >= 0 && t->src->compare && t->nview > 1) {
		size_t *tmp = xreallocarray(NULL, t->nview, sizeof *tmp);
		sort_view(t, t->view, tmp, t->nview);
		free(tmp);
	}

	bool found = false;
	if (t->sel_id) {
		for (size_t pos = 0; pos < t->nview && !found; pos++)
			if (strcmp(t->src->row_id(t->ctx, t->view[pos]), t->sel_id) == 0) {
				t->sel = pos;
				found = true;
			}
	}
	if (!found)
		t->sel = t->nview == 0 ? 0 : t->sel < t->nview ? t->sel : t->nview - 1;
	remember_selection(t);
	keep_visible(t);
	t->w.dirty = true;
}

/* ---- accessors and mutators ---- */

void table_set_filter(struct table *t, const char *text)
{
	free(t->filter);
	t->filter = text && *text ? xstrdup(text) : NULL;
	table_refresh(t);
}

const char *table_filter(const struct table *t)
{
	return t->filter ? t->filter : "";
}

void table_sort_by(struct table *t, int col, bool desc)
{
	t->sort_col = col >= 0 && (size_t)col < t->ncols && t->src->compare ? col : -1;
	t->sort_desc = t->sort_col >= 0 && desc;
	table_refresh(t);
}

int table_sort_col(const struct table *t, bool *desc)
{
	if (desc)
		*desc = t->sort_desc;
	return t->sort_col;
}

const struct table_column *table_columns(const struct table *t, size_t *ncols)
{
	*ncols = t->ncols;
	return t->cols;
}

void table_set_empty_text(struct table *t, const char *text)
{
	free(t->empty_text);
	t->empty_text = text ? xstrdup(text) : NULL;
	t->w.dirty = true;
}

const char *table_selected_id(const struct table *t)
{
	return t->nview ? t->sel_id : NULL;
}

bool table_selected_row(const struct table *t, size_t *row)
{
	if (!t->nview)
		return false;
	if (row)
		*row = t->view[t->sel];
	return true;
}

bool table_select_id(struct table *t, const char *id)
{
	for (size_t pos = 0; pos < t->nview; pos++)
		if (strcmp(t->src->row_id(t->ctx, t->view[pos]), id) == 0) {
			t->sel = pos;
			remember_selection(t);
			keep_visible(t);
			t->w.dirty = true;
			return true;
		}
	return false;
}

size_t table_view_count(const struct table *t)
{
	return t->nview;
}

size_t table_view_row(const struct table *t, size_t pos)
{
	return pos < t->nview ? t->view[pos] : (size_t)-1;
}

size_t table_scroll_top(const struct table *t)
{
	return t->top;
}

/* ---- keys ---- */

static int move_to(struct table *t, long pos)
{
	if (t->nview == 0)
		return WR_HANDLED;
	if (pos < 0)
		pos = 0;
	if ((size_t)pos >= t->nview)
		pos = (long)t->nview - 1;
	if ((size_t)pos == t->sel)
		return WR_HANDLED;
	t->sel = (size_t)pos;
	remember_selection(t);
	keep_visible(t);
	t->w.dirty = true;
	return WR_HANDLED | WR_REDRAW;
}

/* The next sortable column in direction dir (+1/-1) that the current layout shows. */
static int next_sort_col(const struct table *t, int dir)
{
	int n = (int)t->ncols, c = t->sort_col;
	for (int step = 0; step < n; step++) {
		c = c < 0 ? (dir > 0 ? 0 : n - 1) : (c + dir + n) % n;
		bool shown = t->layout_width == 0 || t->widths[c] > 0;
		if (t->cols[c].sortable && shown)
			return c;
	}
	return t->sort_col;
}

int table_do(struct table *t, int op)
{
	long page = table_visible_rows(t) > 1 ? table_visible_rows(t) : 1;
	long sel = (long)t->sel;
	switch (op) {
	case TABLE_OP_UP:        return move_to(t, sel - 1);
	case TABLE_OP_DOWN:      return move_to(t, sel + 1);
	case TABLE_OP_PAGE_UP:   return move_to(t, sel - page);
	case TABLE_OP_PAGE_DOWN: return move_to(t, sel + page);
	case TABLE_OP_HOME:      return move_to(t, 0);
	case TABLE_OP_END:       return move_to(t, (long)t->nview - 1);
	case TABLE_OP_SORT_PREV:
	case TABLE_OP_SORT_NEXT: {
		int c = next_sort_col(t, op == TABLE_OP_SORT_NEXT ? 1 : -1);
		if (c < 0 || !t->src->compare)
			return WR_HANDLED;
		table_sort_by(t, c, t->sort_desc);
		return WR_HANDLED | WR_REDRAW;
	}
	case TABLE_OP_SORT_INVERT:
		if (t->sort_col < 0)
			return WR_HANDLED;
		table_sort_by(t, t->sort_col, !t->sort_desc);
		return WR_HANDLED | WR_REDRAW;
	default:
		return WR_IGNORED;
	}
}

int table_handle_key(struct table *t, int key)
{
	const struct keybinding *k = keytable_find(table_keys, key);
	return k ? table_do(t, k->op) : WR_IGNORED;
}

/* ---- rendering to text ---- */

struct span { int x, w; size_t off, len; };

/* Cut text to w columns and align it; the cell is exactly w columns wide. */
static void out_cell(struct textbuf *o, const char *text, int w, enum table_align align, bool ascii)
{
	if (o->sz == 0)
		return;
	size_t start = o->len;
	int cols = (int)text_fit(o->buf + start, o->sz - start, text, (size_t)w, false, ascii);
	o->len = start + strlen(o->buf + start);
	int pad = w - cols;
	int before = align == TABLE_RIGHT ? pad : align == TABLE_CENTER ? pad / 2 : 0;
	if (before > 0 && o->len + (size_t)before < o->sz) {
		memmove(o->buf + start + before, o->buf + start, o->len - start + 1);
		memset(o->buf + start, ' ', (size_t)before);
		o->len += (size_t)before;
	}
	textbuf_spaces(o, pad - before);
}

static size_t render_line(const struct table *t, const int *widths, int width, size_t row,
                          bool header, char *buf, size_t sz, struct span *spans)
{
	struct textbuf o = { buf, sz, 0 };
	char cell[CELL_MAX];
	int x = 0;
	bool ascii = t->th->ascii;
	if (sz)
		buf[0] = '\0';
	for (size_t c = 0; c < t->ncols; c++) {
		int w = widths[c];
		if (w <= 0)
			continue;
		if (x > 0) {
			textbuf_spaces(&o, GAP);
			x += GAP;
		}
		if (spans)
			spans[c] = (struct span){ x, w, o.len, 0 };
		if (header) {
			const char *title = t->cols[c].title ? t->cols[c].title : "";
			if ((int)c == t->sort_col && w >= 2) {
				const char *mark = ascii ? (t->sort_desc ? "v" : "^")
				                         : (t->sort_desc ? "\xE2\x96\xBC" : "\xE2\x96\xB2");
				text_fit(cell, sizeof cell - 4, title, (size_t)w - 1, false, ascii);
				strcat(cell, mark);
			} else {
				snprintf(cell, sizeof cell, "%s", title);
			}
		} else {
			cell[0] = '\0';
			t->src->render_cell(t->ctx, row, (int)c, cell, sizeof cell);
			cell[sizeof cell - 1] = '\0';
		}
		out_cell(&o, cell, w, t->cols[c].align, ascii);
		if (spans)
			spans[c].len = o.len - spans[c].off;
		x += w;
	}
	textbuf_spaces(&o, width - x);
	return o.len;
}

size_t table_render_header_text(const struct table *t, int width, char *buf, size_t sz)
{
	int *widths = xreallocarray(NULL, t->ncols ? t->ncols : 1, sizeof *widths);
	table_layout(t->cols, t->ncols, width, widths);
	size_t n = render_line(t, widths, width, 0, true, buf, sz, NULL);
	free(widths);
	return n;
}

size_t table_render_row_text(const struct table *t, size_t row, int width, char *buf, size_t sz)
{
	int *widths = xreallocarray(NULL, t->ncols ? t->ncols : 1, sizeof *widths);
	table_layout(t->cols, t->ncols, width, widths);
	size_t n = render_line(t, widths, width, row, false, buf, sz, NULL);
	free(widths);
	return n;
}

/* ---- painting ---- */

static attr_t role_on_selection(const struct theme *th, enum theme_role role)
{
	attr_t sel = theme_attr(th, THEME_SELECTED);
	if (role == THEME_NORMAL)
		return sel;
	return sel | (theme_attr(th, role) & (A_BOLD | A_UNDERLINE | A_DIM));
}

static void paint_line(struct table *t, const int *widths, int y, size_t row, bool header,
                       bool selected, char *buf, size_t sz, struct span *spans)
{
	WINDOW *win = t->w.win;
	const struct theme *th = t->th;
	int x0 = t->w.area.x, width = t->w.area.w;
	render_line(t, widths, width, row, header, buf, sz, spans);
	attr_t base = header ? theme_attr(th, THEME_HEADER)
	                     : selected ? theme_attr(th, THEME_SELECTED) : theme_attr(th, THEME_NORMAL);
	wattrset(win, base);
	mvwaddstr(win, y, x0, buf);
	for (size_t c = 0; c < t->ncols; c++) {
		if (widths[c] <= 0)
			continue;
		const struct span *s = &spans[c];
		if (header) {
			if ((int)c == t->sort_col) {
				wattrset(win, theme_attr(th, THEME_HEADER_SORT));
				mvwaddnstr(win, y, x0 + s->x, buf + s->off, (int)s->len);
			}
			continue;
		}
		if (t->src->draw_cell) {
			widget_fill(win, y, x0 + s->x, s->w, base);
			if (t->src->draw_cell(t->ctx, row, (int)c, win, y, x0 + s->x, s->w, selected))
				continue;
		}
		enum theme_role role = t->src->cell_role ? t->src->cell_role(t->ctx, row, (int)c)
		                                         : THEME_NORMAL;
		if (role == THEME_NORMAL && !t->src->draw_cell)
			continue;
		wattrset(win, selected ? role_on_selection(th, role) : theme_attr(th, role));
		mvwaddnstr(win, y, x0 + s->x, buf + s->off, (int)s->len);
	}
	wattrset(win, A_NORMAL);
}

static void table_draw_cb(struct widget *w)
{
	struct table *t = (struct table *)w;
	struct rect a = w->area;
	const int *widths = layout_for(t, a.w);
	keep_visible(t);
	size_t sz = (size_t)a.w * 8 + CELL_MAX;
	char *buf = xmalloc(sz);
	struct span *spans = xreallocarray(NULL, t->ncols ? t->ncols : 1, sizeof *spans);

	paint_line(t, widths, a.y, 0, true, false, buf, sz, spans);
	int rows = table_visible_rows(t);
	for (int r = 0; r < rows; r++) {
		int y = a.y + 1 + r;
		size_t pos = t->top + (size_t)r;
		if (pos < t->nview) {
			paint_line(t, widths, y, t->view[pos], false, pos == t->sel, buf, sz, spans);
		} else {
			widget_fill(w->win, y, a.x, a.w, theme_attr(t->th, THEME_NORMAL));
			if (r == 0 && t->nview == 0 && t->empty_text)
				widget_put(w->win, y, a.x + 1, a.w - 1, t->empty_text,
				           theme_attr(t->th, THEME_EMPTY), false, t->th->ascii);
		}
	}
	free(spans);
	free(buf);
}

static int table_key_cb(struct widget *w, int key)
{
	return table_handle_key((struct table *)w, key);
}

static void table_resize_cb(struct widget *w)
{
	struct table *t = (struct table *)w;
	layout_for(t, w->area.w);
	keep_visible(t);
}

static void table_free_cb(struct widget *w)
{
	struct table *t = (struct table *)w;
	free(t->view);
	free(t->sel_id);
	free(t->filter);
	free(t->empty_text);
	free(t->widths);
	free(t);
}

static const struct widget_ops table_ops = {
	.name = "table",
	.draw = table_draw_cb,
	.handle_key = table_key_cb,
	.resize = table_resize_cb,
	.free = table_free_cb,
};

struct table *table_new(const struct table_column *cols, size_t ncols,
                        const struct table_source *src, void *ctx, const struct theme *th)
{
	struct table *t = widget_new(sizeof *t, &table_ops);
	t->cols = cols;
	t->ncols = ncols;
	t->src = src;
	t->ctx = ctx;
	t->th = th;
	t->sort_col = -1;
	t->widths = xcalloc(ncols ? ncols : 1, sizeof *t->widths);
	table_refresh(t);
	return t;
}

void table_free(struct table **t)
{
	if (t)
		*t = widget_release(*t);
}

struct widget *table_widget(struct table *t)
{
	return &t->w;
}
