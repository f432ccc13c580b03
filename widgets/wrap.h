/* Word wrap for display: dialog messages and help text (neomutt's reflow, in small).
 *
 * Input is sanitised UTF-8 (sanitize.h; newlines kept with SAN_KEEP_NEWLINE). Each "\n"
 * starts a new line; an empty paragraph gives an empty line. Words are runs of characters
 * other than ' ', joined by one space; a word wider than the width is broken between
 * characters (a double-width character is never split; alone on a line narrower than itself
 * it is kept whole and the painter cuts it). Widths are display columns. */
#ifndef GB_WIDGETS_WRAP_H
#define GB_WIDGETS_WRAP_H

#include <stdbool.h>
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

/* ---- One long line at a time (the pagers) ---- */

#define TEXT_TAB_STOP 8

/* n bytes of untrusted text as one display line: one '\r' at the end dropped, sanitised with
 * tabs kept and the given sanitize() flags (SAN_ASCII, SAN_STRIP_ESC), then tabs expanded to
 * the next TEXT_TAB_STOP column. New string. */
char *text_clean_line(const char *s, size_t n, int flags);

/* Where the display line that starts at byte pos of sanitised text (len bytes) ends when
 * lines are width columns (width >= 1): after the last blank that follows some text, else
 * between characters (a character wider than the line goes alone). Returns the end (the
 * blank a line breaks at belongs to neither line) and sets *next to where the following
 * display line starts; *next > pos whenever pos < len. */
size_t wrap_break(const char *text, size_t len, size_t pos, int width, size_t *next);

/* Byte offset into sanitised text s (n bytes) of the first character at column col or later;
 * *skipped is the column where it starts (more than col after a wide character). */
size_t text_skip_cols(const char *s, size_t n, int col, int *skipped);

/* Columns of the first n bytes of sanitised text s (up to its NUL when that comes first). */
int text_cols(const char *s, size_t n);

/* Text put together in a caller's buffer of sz bytes: what does not fit is cut, and once
 * sz > 0 the buffer always holds a string. Start with { buf, sz, 0 } and buf[0] = '\0'. */
struct textbuf {
	char *buf;
	size_t sz, len;
};
void textbuf_add(struct textbuf *o, const char *s, size_t n);
void textbuf_adds(struct textbuf *o, const char *s);
void textbuf_spaces(struct textbuf *o, int n);

/* The first occurrence of needle in hay (hlen bytes), ignoring ASCII case; NULL when there
 * is none or needle is empty. */
const char *text_find_ci(const char *hay, size_t hlen, const char *needle);

#endif
