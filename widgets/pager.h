/* A scrollable view of long text (less, in small): the data-use terms, and later logs.
 *
 * The owner appends text; the pager sanitises it (tabs expanded to 8-column stops, a '\r'
 * before a newline dropped), splits it at newlines and wraps each line to the width of its
 * area at blanks, keeping leading blanks; a word longer than the line is broken. With wrapping
 * off, lines are cut at the edge and Left/Right scroll sideways. Each appended piece has a theme
 * role, so a diff's added and removed lines can stand out.
 *
 * pager_reached_end() says whether the last line has been in view since the text was last
 * cleared: terms must be read to the end before they can be accepted.
 *
 * Keys (pager_keys): Up/k, Down/j, PgUp/b, PgDn/Space, Home/g, End/G scroll; Left/Right
 * scroll sideways when wrapping is off; '/' opens a search prompt on the last line of the area
 * (Enter searches, case-insensitively for ASCII letters, Esc cancels), n and N go to the next
 * and previous match; matches are shown in reverse video. While the prompt is open it takes
 * every key. Other keys are WR_IGNORED, so the owner's Esc, q or Enter keep working.
 *
 * Draws only the visible lines; writes nothing outside its area. */
#ifndef GB_WIDGETS_PAGER_H
#define GB_WIDGETS_PAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "widgets/keys.h"
#include "widgets/theme.h"
#include "widgets/widget.h"
#include "widgets/wrap.h"

extern const struct keybinding pager_keys[];

struct pager;

/* th is borrowed. Wrapping is on. */
struct pager *pager_new(const struct theme *th);
void pager_free(struct pager **p);
struct widget *pager_widget(struct pager *p);

/* Drop the text: back to the top, end not reached, search cleared. */
void pager_clear(struct pager *p);
/* Append len bytes of untrusted text as lines (a final newline ends the last line; text after
 * the last newline is a line of its own), drawn in role. */
void pager_append(struct pager *p, const char *text, size_t len, enum theme_role role);
void pager_set_wrap(struct pager *p, bool wrap);

/* One key from get_wch() (is_code: a KEY_* code). Returns WR_* flags. */
int pager_input(struct pager *p, wint_t ch, bool is_code);
/* For the widget contract: key is a KEY_* code or an ASCII character. */
int pager_handle_key(struct pager *p, int key);

/* Whether the last line has been in view since pager_clear(). An area with no room for text
 * never reaches the end; text that fits the area reaches it at once. */
bool pager_reached_end(struct pager *p);
/* Whether the search prompt is open (it takes every key). */
bool pager_prompting(const struct pager *p);

/* Display lines at the area's width, and the first one shown. */
size_t pager_line_count(struct pager *p);
size_t pager_top(const struct pager *p);
/* "lines 21-40 of 75, 53%", "all 12 lines", "lines 61-75 of 75, end". */
void pager_position_text(struct pager *p, char *buf, size_t sz);

/* Go to the next (forward) or previous match of query after or before the top line, wrapping
 * around; the query is kept for n and N. Returns false (and stays) when there is none. */
bool pager_search(struct pager *p, const char *query, bool forward);

/* Pure: every display line at width columns (wrapping as set, else the whole lines), appended
 * to out, which the caller frees with wrap_free. */
void pager_render_lines(struct pager *p, int width, struct wrap *out);

#endif
