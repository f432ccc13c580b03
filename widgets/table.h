/* One generic table for services, tasks, nodes and anything else with rows and columns
 * (neomutt's menu with make_entry, tmux's mode-tree).
 *
 * The owner keeps the data; the table keeps a view of it: the indices of the rows that pass
 * the filter, in sort order, the selection, the scroll offset, the sort column and the filter
 * text. It reaches the data only through the callbacks in struct table_source, with row
 * numbers 0..row_count()-1 in the owner's own order ("row") and column numbers that index the
 * owner's column array ("col"). Positions in the view are called "pos".
 *
 * The selection is kept by id: after the owner's data changed it calls table_refresh(), and
 * the row whose row_id() equals the selected id stays selected wherever it moved; when that
 * row is gone (or filtered out), the row now at the same position (or the last one) is
 * selected. The scroll offset always keeps the selection visible.
 *
 * Layout: one header line, then one line per row, columns separated by one space. Column
 * widths come from table_layout(), a pure function of the width. Rows are first rendered to
 * text (table_render_row_text, testable without a terminal), then painted; only the visible
 * rows are rendered. Text from render_cell() must already be sanitised (sanitize.h); the table
 * cuts it to the column with text_fit() (ellipsis) and aligns it.
 *
 * Keys (table_keys below): Up/k, Down/j, PgUp, PgDn, Home/g, End/G move the selection; '<' and
 * '>' sort by the previous/next sortable column shown; 'I' inverts the sort order (htop's key).
 * The filter prompt ('/') belongs to the owner, which calls table_set_filter() per keystroke. */
#ifndef GB_WIDGETS_TABLE_H
#define GB_WIDGETS_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "widgets/keys.h"
#include "widgets/theme.h"
#include "widgets/widget.h"

enum table_align { TABLE_LEFT, TABLE_RIGHT, TABLE_CENTER };

struct table_column {
	const char *title;     /* borrowed, printable */
	int min_width;         /* narrowest useful width (>= 1); below it the column is dropped */
	int max_width;         /* 0: no limit */
	int weight;            /* share of the spare width; 0 keeps the column at min_width */
	int priority;          /* when the width is short, the lowest priority is dropped first
	                        * (the rightmost among equals); the last column left is cut */
	enum table_align align;
	bool sortable;
};

/* Callbacks into the owner; ctx is the owner's pointer given to table_new(). */
struct table_source {
	/* Required. */
	size_t (*row_count)(void *ctx);
	/* Required: a stable id (e.g. the service id), borrowed until the next table_refresh();
	 * never NULL. */
	const char *(*row_id)(void *ctx, size_t row);
	/* Required: write the cell's sanitised text to buf (NUL-terminated, at most bufsz bytes).
	 * Called for every visible cell, also for cells that draw_cell paints (the text is then
	 * what the plain-text form shows, e.g. "52%"). */
	void (*render_cell)(void *ctx, size_t row, int col, char *buf, size_t bufsz);
	/* Optional: the theme role of a cell (THEME_ROW_FAILED makes a failed row stand out);
	 * THEME_NORMAL or NULL for the default. On the selected row the selection colour wins
	 * and only the role's bold/underline/dim attributes are kept. */
	enum theme_role (*cell_role)(void *ctx, size_t row, int col);
	/* Optional: the owner paints this cell itself (a meter). Called after the table blanked
	 * the cell; the owner must stay inside (y, x .. x+width-1). Return false to let the table
	 * paint render_cell()'s text instead. */
	bool (*draw_cell)(void *ctx, size_t row, int col, WINDOW *win, int y, int x, int width,
	                  bool selected);
	/* Optional: <0, 0, >0 like strcmp for the ascending order of col; NULL: nothing sorts.
	 * Equal rows keep the owner's order (the sort is stable). */
	int (*compare)(void *ctx, size_t a, size_t b, int col);
	/* Optional: whether row matches the filter text (non-empty). NULL: a case-insensitive
	 * substring match against every column's render_cell() text. */
	bool (*matches)(void *ctx, size_t row, const char *filter);
};

/* Actions of table_keys[] (their op field), also usable through table_do(). */
enum table_op {
	TABLE_OP_NONE = 0,
	TABLE_OP_UP, TABLE_OP_DOWN, TABLE_OP_PAGE_UP, TABLE_OP_PAGE_DOWN, TABLE_OP_HOME, TABLE_OP_END,
	TABLE_OP_SORT_PREV, TABLE_OP_SORT_NEXT, TABLE_OP_SORT_INVERT,
};

/* The table's key table, for handle_key and for help screens. */
extern const struct keybinding table_keys[];

struct table;

/* cols (ncols entries), src and th are borrowed and must outlive the table; ctx is passed to
 * every callback. The table starts unsorted with no filter and reads the data at once
 * (table_refresh). */
struct table *table_new(const struct table_column *cols, size_t ncols,
                        const struct table_source *src, void *ctx, const struct theme *th);
void table_free(struct table **t);
struct widget *table_widget(struct table *t);

/* Pure: the widths of ncols columns for a line of width columns, into widths[] (0 = column
 * dropped). Every shown column gets min_width, columns are dropped by priority until that
 * fits, the spare width goes to weighted columns in proportion (up to max_width) and the
 * rest is left blank at the end. Returns the number of shown columns. */
int table_layout(const struct table_column *cols, size_t ncols, int width, int *widths);

/* Re-read the owner's data: filter, sort, restore the selection by id, keep it visible. */
void table_refresh(struct table *t);

/* NULL or "" clears the filter. The text is copied. Refreshes. */
void table_set_filter(struct table *t, const char *text);
const char *table_filter(const struct table *t);          /* "" when none; borrowed */

/* Sort by col (ascending unless desc); col < 0, or no compare callback, restores the owner's
 * order. The sort keys only offer sortable columns; this function takes any. Refreshes. */
void table_sort_by(struct table *t, int col, bool desc);
int table_sort_col(const struct table *t, bool *desc);     /* -1: unsorted; desc may be NULL */
/* The columns given to table_new() (borrowed), *ncols of them: to choose one by title. */
const struct table_column *table_columns(const struct table *t, size_t *ncols);

/* Shown when no row passes the filter (or there are none); copied; NULL for nothing. */
void table_set_empty_text(struct table *t, const char *text);

/* Selection. The id is borrowed until the next mutating call; NULL when the view is empty. */
const char *table_selected_id(const struct table *t);
bool table_selected_row(const struct table *t, size_t *row);
bool table_select_id(struct table *t, const char *id);     /* false: not in the view */

/* The view: how many rows pass the filter, which owner row is at pos ((size_t)-1 past the
 * end), the first visible pos. */
size_t table_view_count(const struct table *t);
size_t table_view_row(const struct table *t, size_t pos);
size_t table_scroll_top(const struct table *t);
int table_visible_rows(const struct table *t);             /* lines for rows in the area */

/* Apply an action (enum table_op); returns WR_* flags like handle_key. */
int table_do(struct table *t, int op);
int table_handle_key(struct table *t, int key);

/* The header or one owner row as text exactly width columns wide (padded with spaces),
 * laid out as table_layout() says; sort indicator after the sorted title ("^"/"v" in ASCII,
 * "▲"/"▼" otherwise). Truncated if sz is too small; returns the bytes written. */
size_t table_render_header_text(const struct table *t, int width, char *buf, size_t sz);
size_t table_render_row_text(const struct table *t, size_t row, int width, char *buf, size_t sz);

#endif
