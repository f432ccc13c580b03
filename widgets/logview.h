/* A view of a long and growing list of text lines that its owner keeps (a job's log ring): the
 * view keeps no copy of the lines. It asks the owner for the lines it shows, by a number that
 * never changes while the line is kept (a sequence number: lines first..end-1 exist, old ones
 * go away at the front, new ones arrive at the back), so scrolling, following and drawing cost
 * only what is on the screen, however many lines there are.
 *
 * Each line is sanitised here (escape sequences removed whole, tabs expanded, one '\r' at
 * the end dropped), with an optional
 * prefix (a time) and suffix (a cut marker), and drawn in the role the owner gives it. With
 * wrapping on, a line takes as many rows as it needs (broken at blanks); off, it takes one row
 * and Left/Right scroll sideways. The position is a line and a row within it, so it holds
 * while lines are added or dropped; following keeps the newest line at the bottom.
 *
 * Keys (logview_keys): Up/k, Down/j, PgUp/b, PgDn/Space, Home/g scroll and stop following;
 * End/G goes to the end and follows; Left/Right scroll sideways when lines are not wrapped.
 * Other keys are WR_IGNORED. Matches of a highlight string are drawn in reverse video.
 *
 * A rendered line is cached by its number (logview_invalidate() drops the cache), so a page
 * of rows costs one sanitising pass per line in view. Nothing here knows about Docker. */
#ifndef GB_WIDGETS_LOGVIEW_H
#define GB_WIDGETS_LOGVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "widgets/keys.h"
#include "widgets/theme.h"
#include "widgets/widget.h"
#include "widgets/wrap.h"

extern const struct keybinding logview_keys[];

/* One line as the owner has it. Everything is borrowed until the next call of line(). */
struct logview_line {
	const char *text;          /* untrusted bytes, not NUL-terminated */
	size_t len;
	const char *prefix;        /* drawn before the text and a blank (a time); NULL = none */
	const char *suffix;        /* drawn right after the text (a cut marker); NULL = none */
	enum theme_role role;
};

struct logview_source {
	uint64_t (*first)(void *ctx);    /* number of the oldest line kept */
	uint64_t (*end)(void *ctx);      /* one past the newest (= first when there are none) */
	void (*line)(void *ctx, uint64_t seq, struct logview_line *out);   /* first <= seq < end */
};

struct logview;

/* src, ctx and th are borrowed and must outlive the view. Wrapping on, following on. */
struct logview *logview_new(const struct logview_source *src, void *ctx, const struct theme *th);
void logview_free(struct logview **v);
struct widget *logview_widget(struct logview *v);

/* Lines were added or dropped: marks the view dirty (cheap; the position is fixed up when it
 * is drawn or moved). */
void logview_changed(struct logview *v);
/* The text of kept lines changed (timestamps shown or hidden): drops the cache. */
void logview_invalidate(struct logview *v);

void logview_set_wrap(struct logview *v, bool wrap);
bool logview_wrapping(const struct logview *v);
void logview_set_follow(struct logview *v, bool follow);
bool logview_following(const struct logview *v);

/* Show line seq at the top (or as near as the end allows) and stop following. */
void logview_goto(struct logview *v, uint64_t seq);
/* Draw the matches of query (ASCII case ignored) in reverse video; NULL or "" for none. */
void logview_set_highlight(struct logview *v, const char *query);

/* The lines in view, first and last; false when none is. */
bool logview_visible(struct logview *v, uint64_t *top, uint64_t *bottom);

/* One key from get_wch() (a KEY_* code or an ASCII character). Returns WR_* flags. */
int logview_handle_key(struct logview *v, int key);

/* Pure: the rows the area shows now (one string each, sanitised, no padding), appended to out
 * (the caller frees it with wrap_free). Applies following as a draw would. */
void logview_render_rows(struct logview *v, struct wrap *out);

#endif
