/* Word wrap for display: dialog messages and help text (neomutt's reflow, in small).
 *
 * Input is sanitised UTF-8 (sanitize.h; newlines kept with SAN_KEEP_NEWLINE). Each "\n"
 * starts a new line; an empty paragraph gives an empty line. Words are runs of characters
 * other than ' ', joined by one space; a word wider than the width is broken between
 * characters (a double-width character is never split; alone on a line narrower than itself
 * it is kept whole and the painter cuts it). Widths are display columns. */
#ifndef GB_WIDGETS_WRAP_H
#define GB_WIDGETS_WRAP_H

#include <stddef.h>

struct wrap {
	char **line;   /* owned, each owned */
	size_t n, cap;
};

/* Append the lines of text wrapped to width columns to w (zero-initialise w first). Nothing
 * is added when width < 1. */
void wrap_text(struct wrap *w, const char *text, int width);

/* Append one line as it is (copied). */
void wrap_push(struct wrap *w, const char *line);

/* Free the lines and reset w to empty. */
void wrap_free(struct wrap *w);

/* The widest line in columns. */
int wrap_max_width(const struct wrap *w);

#endif
