/* The widget contract: a struct of function pointers plus the widget's own data, after htop's
 * PanelClass, tmux's struct window_mode and neomutt's MuttWindow.
 *
 * A concrete widget (table, dialog, help ...) embeds a struct widget as its first member and
 * hands out a pointer to it (table_widget() and friends); the screen keeps struct widget *
 * and calls the inline wrappers below. Widgets draw into a rectangle of a WINDOW they borrow
 * (usually stdscr): they never create windows, never call wrefresh()/doupdate() (the loop does
 * one doupdate() per turn) and never write outside their rectangle, which is itself clipped to
 * the window. When the rectangle is smaller than a widget can use, it draws what fits or
 * nothing.
 *
 * Key handlers return WR_* flags (htop HandlerResult). The loop tries the screen, then the
 * focused widget, then the global bindings, and stops at the first one that does not return
 * WR_IGNORED. Mutators set widget.dirty; draw clears it. Nothing here knows about Docker. */
#ifndef GB_WIDGETS_WIDGET_H
#define GB_WIDGETS_WIDGET_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

enum widget_result {
	WR_IGNORED = 0,        /* not mine: try the next handler */
	WR_HANDLED = 1 << 0,   /* consumed */
	WR_REDRAW  = 1 << 1,   /* the widget changed: redraw before the next doupdate() */
	WR_QUIT    = 1 << 2,   /* leave the program (only screen/global handlers return this) */
	WR_DONE    = 1 << 3,   /* a modal widget (dialog, help) finished: read its result, drop it */
};

/* A rectangle in window coordinates. */
struct rect { int y, x, h, w; };

struct widget;

struct widget_ops {
	const char *name;                                  /* for logs: "table", "dialog" */
	void (*draw)(struct widget *w);                    /* paint the whole rectangle (not empty) */
	int (*handle_key)(struct widget *w, int key);      /* WR_* flags; may be NULL */
	void (*resize)(struct widget *w);                  /* after win/area changed; may be NULL */
	void (*free)(struct widget *w);                    /* frees the whole widget; NULL: free() */
};

struct widget {
	const struct widget_ops *ops;   /* static, borrowed */
	WINDOW *win;                    /* borrowed; NULL until widget_place() */
	struct rect area;               /* clipped to win by widget_place() */
	bool dirty;                     /* set by mutators, cleared by widget_draw() */
};

/* A new concrete widget: size zeroed bytes (a struct whose first member is its struct widget)
 * with ops set; never NULL. Free it with widget_release(). */
void *widget_new(size_t size, const struct widget_ops *ops);

/* Frees a concrete widget (NULL is fine) through its ops->free and returns NULL, so that every
 * type_free(T **p) is `if (p) *p = widget_release(*p);`. */
void *widget_release(void *w);

/* Give the widget its window and rectangle (clipped to the window); calls ops->resize. */
void widget_place(struct widget *w, WINDOW *win, struct rect area);

/* Paints through ops->draw once the widget has a window and a rectangle that is not empty. */
static inline void widget_draw(struct widget *w)
{
	if (w && w->win && w->ops->draw && w->area.h > 0 && w->area.w > 0)
		w->ops->draw(w);
	if (w)
		w->dirty = false;
}

static inline int widget_handle_key(struct widget *w, int key)
{
	return w && w->ops->handle_key ? w->ops->handle_key(w, key) : WR_IGNORED;
}

/* Frees the widget through ops->free and sets *w to NULL; NULL and *w == NULL are fine. */
void widget_free(struct widget **w);

/* The rectangle r clipped to win's size; h or w is 0 when nothing is left. */
struct rect rect_clip(WINDOW *win, struct rect r);

/* Paint sanitised text at (y, x) in at most width columns with attr: text_fit() cuts it with
 * an ellipsis ("~" when ascii) and pads it with spaces when pad is true. Clipped to win;
 * returns the columns painted. */
int widget_put(WINDOW *win, int y, int x, int width, const char *text, attr_t attr, bool pad,
               bool ascii);

/* Fill width columns at (y, x) with blanks in attr, clipped to win. */
void widget_fill(WINDOW *win, int y, int x, int width, attr_t attr);

/* Paint a string of single-width glyphs and text that was laid out for exactly width
 * columns, choosing each column's attribute with attr_at(ctx, column). Runs of equal
 * attributes are painted together. Clipped to win. */
void widget_put_styled(WINDOW *win, int y, int x, int width, const char *text,
                       attr_t (*attr_at)(const void *ctx, int col), const void *ctx);

/* Bytes of the first character of UTF-8 text s (0 at the end) and, in *cols, its width in
 * columns (0 for combining marks; an undecodable byte counts as one byte of one column). */
size_t text_next_char(const char *s, int *cols);

#endif
