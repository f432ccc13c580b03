#include "widgets/widget.h"

#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <wchar.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"

struct rect rect_clip(WINDOW *win, struct rect r)
{
	int maxy, maxx;
	getmaxyx(win, maxy, maxx);
	if (r.y < 0) {
		r.h += r.y;
		r.y = 0;
	}
	if (r.x < 0) {
		r.w += r.x;
		r.x = 0;
	}
	if (r.y >= maxy || r.x >= maxx || r.h <= 0 || r.w <= 0)
		return (struct rect){ r.y < maxy ? r.y : 0, r.x < maxx ? r.x : 0, 0, 0 };
	if (r.h > maxy - r.y)
		r.h = maxy - r.y;
	if (r.w > maxx - r.x)
		r.w = maxx - r.x;
	return r;
}

void widget_place(struct widget *w, WINDOW *win, struct rect area)
{
	w->win = win;
	w->area = rect_clip(win, area);
	w->dirty = true;
	if (w->ops->resize)
		w->ops->resize(w);
}

void *widget_new(size_t size, const struct widget_ops *ops)
{
	struct widget *w = xcalloc(1, size);
	w->ops = ops;
	return w;
}

void *widget_release(void *p)
{
	struct widget *w = p;
	if (w && w->ops->free)
		w->ops->free(w);
	else
		free(w);
	return NULL;
}

void widget_free(struct widget **w)
{
	if (w)
		*w = widget_release(*w);
}

/* Columns left in win from (y, x), 0 when (y, x) is outside. */
static int room(WINDOW *win, int y, int x, int width)
{
	int maxy, maxx;
	getmaxyx(win, maxy, maxx);
	if (y < 0 || y >= maxy || x < 0 || x >= maxx || width <= 0)
		return 0;
	return width < maxx - x ? width : maxx - x;
}

int widget_put(WINDOW *win, int y, int x, int width, const char *text, attr_t attr, bool pad,
               bool ascii)
{
	width = room(win, y, x, width);
	if (width <= 0)
		return 0;
	/* Room for combining characters, which take bytes but no columns. */
	size_t sz = (size_t)width * 8 + 16;
	char stackbuf[1024];
	char *buf = sz <= sizeof stackbuf ? stackbuf : xmalloc(sz);
	size_t cols = text_fit(buf, sz, text ? text : "", (size_t)width, pad, ascii);
	wattrset(win, attr);
	mvwaddstr(win, y, x, buf);
	wattrset(win, A_NORMAL);
	if (buf != stackbuf)
		free(buf);
	return (int)cols;
}

void widget_fill(WINDOW *win, int y, int x, int width, attr_t attr)
{
	width = room(win, y, x, width);
	if (width <= 0)
		return;
	wattrset(win, attr);
	wmove(win, y, x);
	for (int i = 0; i < width; i++)
		waddch(win, ' ');
	wattrset(win, A_NORMAL);
}

size_t text_next_char(const char *s, int *cols)
{
	if (!*s) {
		*cols = 0;
		return 0;
	}
	if ((unsigned char)*s < 0x80) {
		*cols = (unsigned char)*s >= 0x20 && *s != 0x7F;
		return 1;
	}
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, strnlen(s, MB_LEN_MAX), &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*cols = 1;
		return 1;
	}
	int w = wcwidth(wc);
	*cols = w < 0 ? 1 : w;
	return n;
}

void widget_put_styled(WINDOW *win, int y, int x, int width, const char *text,
                       attr_t (*attr_at)(const void *ctx, int col), const void *ctx)
{
	width = room(win, y, x, width);
	if (width <= 0 || !text)
		return;
	const char *p = text, *run = text;
	int col = 0;
	attr_t run_attr = attr_at(ctx, 0);
	wmove(win, y, x);
	while (*p) {
		int cw;
		size_t n = text_next_char(p, &cw);
		if (col + cw > width)
			break;
		attr_t a = cw > 0 ? attr_at(ctx, col) : run_attr;
		if (a != run_attr) {
			wattrset(win, run_attr);
			waddnstr(win, run, (int)(p - run));
			run = p;
			run_attr = a;
		}
		p += n;
		col += cw;
	}
	wattrset(win, run_attr);
	waddnstr(win, run, (int)(p - run));
	wattrset(win, A_NORMAL);
}
