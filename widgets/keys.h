/* Key tables: the keymap is data (nnn bindings[], neomutt MenuFunctions[]).
 *
 * A key table is a static array of struct keybinding ended by an entry whose key is 0. The
 * same table drives the key handler (keytable_find), the key bar (entries flagged KB_BAR, in
 * table order) and the help screen (every entry with a keyname, in table order, but those
 * flagged KB_NOHELP). An entry without keyname is a hidden alias: it matches its key but is
 * listed nowhere, so "Up/k" can be one help line with two entries. An entry flagged
 * KB_BAR | KB_NOHELP is the bar's view of a key that another table documents (F1 in a screen's
 * bar, from the global keys) or that the bar names differently ("Tab" for "Tab/Down"): the
 * owner of the table leaves its op to whoever handles the key.
 * All strings are borrowed (normally string literals) and must be printable text. */
#ifndef GB_WIDGETS_KEYS_H
#define GB_WIDGETS_KEYS_H

#include <stddef.h>

enum {
	KB_BAR = 1 << 0,      /* show in the function-key bar */
	KB_NOHELP = 1 << 1,   /* leave out of the help screen (documented in another table) */
};

struct keybinding {
	int key;              /* curses key code: 'q', KEY_F(10), KEY_UP ...; 0 ends the table */
	const char *keyname;  /* as shown to people: "F10", "Up/k"; NULL = hidden alias */
	const char *action;   /* short label for the key bar: "Quit" */
	const char *help;     /* one sentence for the help screen */
	int flags;            /* KB_* */
	int op;               /* the owner's action code (an enum of its own); widgets ignore it */
};

/* The keys of a view that scrolls text (the pager, the log view), bound to the ops below:
 * Up/k, Down/j, PgUp/b, PgDn/Space, Home/g, End/G and Left/Right, in that order. The owner
 * gives the words that differ (what Up, PgUp, Home and End do there) and the key bar flags of
 * PgDn and End; its own ops follow from SCROLL_OP_END. Needs <curses.h>. */
enum scroll_op {
	SCROLL_UP = 1, SCROLL_DOWN, SCROLL_PAGE_UP, SCROLL_PAGE_DOWN, SCROLL_HOME, SCROLL_END,
	SCROLL_LEFT, SCROLL_RIGHT, SCROLL_OP_END
};
#define KEYS_SCROLL(up_help, pgup_help, pgdn_flags, home_help, end_help, end_flags)            \
	{KEY_UP, "Up/k", "Up", up_help, 0, SCROLL_UP},                                               \
	{'k', NULL, NULL, NULL, 0, SCROLL_UP},                                                       \
	{KEY_DOWN, "Down/j", "Down", "Scroll down one line", 0, SCROLL_DOWN},                        \
	{'j', NULL, NULL, NULL, 0, SCROLL_DOWN},                                                     \
	{KEY_PPAGE, "PgUp/b", "PgUp", pgup_help, 0, SCROLL_PAGE_UP},                                 \
	{'b', NULL, NULL, NULL, 0, SCROLL_PAGE_UP},                                                  \
	{KEY_NPAGE, "PgDn/Space", "PgDn", "Scroll one page down", pgdn_flags, SCROLL_PAGE_DOWN},     \
	{' ', NULL, NULL, NULL, 0, SCROLL_PAGE_DOWN},                                                \
	{KEY_HOME, "Home/g", "Top", home_help, 0, SCROLL_HOME},                                      \
	{'g', NULL, NULL, NULL, 0, SCROLL_HOME},                                                     \
	{KEY_END, "End/G", "End", end_help, end_flags, SCROLL_END},                                  \
	{'G', NULL, NULL, NULL, 0, SCROLL_END},                                                      \
	{KEY_LEFT, "Left/Right", NULL, "Scroll sideways when lines are not wrapped", 0, SCROLL_LEFT}, \
	{KEY_RIGHT, NULL, NULL, NULL, 0, SCROLL_RIGHT}

/* The first entry bound to key, or NULL. table may be NULL. */
static inline const struct keybinding *keytable_find(const struct keybinding *table, int key)
{
	for (const struct keybinding *k = table; k && k->key; k++)
		if (k->key == key)
			return k;
	return NULL;
}

#endif
