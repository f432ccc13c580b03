/* The help screen, generated from key tables (keys.h) so it never disagrees with the keys.
 *
 * Sections in the order given, each a title line and one line per listed entry (an entry
 * with a keyname and without KB_NOHELP; hidden aliases are skipped): the key name in a column
 * as wide as the widest name (at most a third of the width), two blanks, then the help text
 * (or the action label when there is no help) wrapped with a hanging indent. Below 10
 * columns for the text, the text goes under the key name, indented by 4.
 *
 * A full-screen modal widget: the first line of its area is a title bar with the position,
 * the rest scrolls. Keys (help_keys): Up/k, Down/j, PgUp, PgDn/Space, Home/g, End/G scroll;
 * q, Esc and F1 close (WR_DONE). Other keys are swallowed, except KEY_RESIZE. */
#ifndef GB_WIDGETS_HELP_H
#define GB_WIDGETS_HELP_H

#include <stddef.h>

#include "widgets/keys.h"
#include "widgets/theme.h"
#include "widgets/widget.h"
#include "widgets/wrap.h"

struct help_section {
	const char *title;              /* borrowed: "Services" */
	const struct keybinding *keys;  /* borrowed key table */
};

extern const struct keybinding help_keys[];

struct help;

/* title and sections (n entries) are copied shallowly: the strings and key tables they point
 * to are borrowed and must outlive the help screen. th is borrowed. */
struct help *help_new(const char *title, const struct help_section *sections, size_t n,
                      const struct theme *th);
void help_free(struct help **h);
struct widget *help_widget(struct help *h);
int help_handle_key(struct help *h, int key);
int help_top(const struct help *h);   /* first body line shown */

/* Pure: the body lines for width columns into *out, which must start empty (free it with
 * wrap_free). If kind is not NULL it receives a malloc'd array, one entry per line:
 * -1 section title, 0 text, n > 0 the key name takes the first n columns. */
void help_render_lines(const struct help *h, int width, struct wrap *out, int **kind);

#endif
