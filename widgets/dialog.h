/* A modal message box: a centred, bordered box with a title, a word-wrapped message and a row
 * of buttons ("[ OK ]", "[ Yes ]  [ No ]"), for errors and confirmations.
 *
 * The owner places it over the whole screen (widget_place with the screen's rectangle),
 * draws it after everything else and gives it every key until handle_key returns WR_DONE;
 * dialog_result() then says which button was chosen. Keys: Left/Right/Tab/BTab (and h/l)
 * move the focus, Enter chooses it, the first letter of a button chooses that button when no
 * other button starts with it ("y", "n"), Esc cancels; Up/Down/PgUp/PgDn (and k/j) scroll a
 * message longer than the box. Every other key is swallowed (WR_HANDLED) so nothing behind
 * the box acts on it, except KEY_RESIZE (WR_IGNORED).
 *
 * The title and message are sanitised on the way in (newlines kept), so engine errors can go
 * in as they are. The box is at most 64 columns wide; in a smaller area it shrinks, scrolls
 * the message, and below 3 lines or 8 columns draws nothing. */
#ifndef GB_WIDGETS_DIALOG_H
#define GB_WIDGETS_DIALOG_H

#include <stddef.h>

#include "widgets/theme.h"
#include "widgets/widget.h"
#include "widgets/wrap.h"

#define DIALOG_PENDING (-2)   /* no answer yet */
#define DIALOG_CANCEL  (-1)   /* Esc */

struct dialog;

/* buttons: nbuttons labels (copied); NULL or 0 gives one "OK" button. focus is the button
 * focused first (give a destructive confirmation's "No" the focus). th is borrowed. */
struct dialog *dialog_new(const char *title, const char *text, const char *const *buttons,
                          int nbuttons, int focus, const struct theme *th);
void dialog_free(struct dialog **d);
struct widget *dialog_widget(struct dialog *d);

int dialog_handle_key(struct dialog *d, int key);
int dialog_result(const struct dialog *d);   /* button index, DIALOG_CANCEL or DIALOG_PENDING */
int dialog_focus(const struct dialog *d);

/* Pure geometry for an area of rows x cols (relative to the area): the box and the message
 * wrapped to the box (lines appended to *lines, which the caller frees with wrap_free).
 * text_rows is how many message lines the box shows. w == 0 when nothing can be drawn. */
struct dialog_geom { int y, x, h, w, text_rows; };
struct dialog_geom dialog_layout(const struct dialog *d, int rows, int cols, struct wrap *lines);

/* A box of b filled with attribute a and framed with line-drawing characters: the frame of
 * the dialog, for owners that draw a box of their own (a form in a box). */
void dialog_draw_box(WINDOW *win, struct rect b, attr_t a);

/* The button row as text ("[ Yes ]  [ No ]", or "[Yes] [No]" when that does not fit in
 * width); returns the bytes written. */
size_t dialog_buttons_text(const struct dialog *d, int width, char *buf, size_t sz);

#endif
