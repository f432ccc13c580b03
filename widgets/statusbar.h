/* The status line: a left text (context, counts), a right text (last refresh, clock) and a
 * transient message (info, warning, error) that takes the left text's place until the owner
 * clears it (timers belong to the owner's loop).
 *
 * Every string is sanitised on the way in, so engine error messages can go straight in.
 * The right text is dropped when both do not fit; the left (or message) is cut with an
 * ellipsis. One line; draws nothing in an area without lines. */
#ifndef GB_WIDGETS_STATUSBAR_H
#define GB_WIDGETS_STATUSBAR_H

#include <stdbool.h>
#include <stddef.h>

#include "widgets/theme.h"
#include "widgets/widget.h"

enum status_level { STATUS_INFO, STATUS_WARN, STATUS_ERROR };

struct statusbar;

struct statusbar *statusbar_new(const struct theme *th);   /* th borrowed */
void statusbar_free(struct statusbar **sb);
struct widget *statusbar_widget(struct statusbar *sb);

/* Copies (sanitised); NULL is "". */
void statusbar_set(struct statusbar *sb, const char *left, const char *right);

/* Show msg instead of the left text; NULL clears it. */
void statusbar_message(struct statusbar *sb, enum status_level level, const char *msg);
bool statusbar_has_message(const struct statusbar *sb);

/* The line as text, exactly width columns; returns the bytes written. */
size_t statusbar_render_text(const struct statusbar *sb, int width, char *buf, size_t sz);

#endif
