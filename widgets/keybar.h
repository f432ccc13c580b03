/* The function-key bar at the bottom (htop's "F1Help  F2Setup ... F10Quit"), built from the
 * entries of a key table (keys.h) that carry KB_BAR, in table order: the key name in
 * THEME_KEY, its action label in THEME_KEY_LABEL, one blank between items, the rest of the
 * line in THEME_KEY_LABEL.
 *
 * When the items do not fit, the labels are shortened (to 4 columns at the least), then items
 * are dropped from the end: list the keys that must stay visible first. */
#ifndef GB_WIDGETS_KEYBAR_H
#define GB_WIDGETS_KEYBAR_H

#include <stddef.h>

#include "widgets/keys.h"
#include "widgets/theme.h"
#include "widgets/widget.h"

struct keybar;

/* keys and th are borrowed; keys may be replaced later (a screen change). */
struct keybar *keybar_new(const struct keybinding *keys, const struct theme *th);
void keybar_free(struct keybar **kb);
struct widget *keybar_widget(struct keybar *kb);
void keybar_set_keys(struct keybar *kb, const struct keybinding *keys);

/* Pure: the bar as text, exactly width columns. If is_key is not NULL, is_key[c] (width
 * entries) is set to 1 for the columns of key names and 0 elsewhere. Returns bytes written. */
size_t keybar_render_text(const struct keybinding *keys, int width, char *buf, size_t sz,
                          unsigned char *is_key);

#endif
