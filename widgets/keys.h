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

/* The first entry bound to key, or NULL. table may be NULL. */
static inline const struct keybinding *keytable_find(const struct keybinding *table, int key)
{
	for (const struct keybinding *k = table; k && k->key; k++)
		if (k->key == key)
			return k;
	return NULL;
}

#endif
