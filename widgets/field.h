/* A one-line editable text field: UTF-8 text with a cursor, scrolled sideways so the cursor
 * stays in view (readline's line, in small).
 *
 * Keys (field_input): printable characters insert at the cursor; Left/Right move by one
 * character, Home/Ctrl-A and End/Ctrl-E to the ends; Backspace (and Ctrl-H) deletes the
 * character before the cursor, Delete (and Ctrl-D) the one at it; Ctrl-U deletes everything
 * before the cursor, Ctrl-K everything from it, Ctrl-W the word before it. Every other key
 * (Enter, Tab, Up, Down, Esc, function keys) is WR_IGNORED: it belongs to the owner.
 *
 * The text never holds a character the sanitiser would change (controls, C1, bidi and
 * invisible characters, zero-width marks, characters wcwidth() cannot print): they are
 * refused, so what is drawn is exactly what was typed and a cursor column is a text column.
 * In ASCII mode (the theme's ascii flag: a non-UTF-8 locale) only printable ASCII is taken.
 * The text is always valid UTF-8, whatever the locale's charset.
 *
 * The field draws its text in one line of its area: the text with A_UNDERLINE, the cursor as
 * a reverse-video cell while focused, the placeholder dimmed while the text is empty. The
 * owner draws any label or brackets around it. */
#ifndef GB_WIDGETS_FIELD_H
#define GB_WIDGETS_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "widgets/theme.h"
#include "widgets/widget.h"

struct field;

/* max_bytes bounds the text (0: 4096). th is borrowed. */
struct field *field_new(const struct theme *th, size_t max_bytes);
void field_free(struct field **f);
struct widget *field_widget(struct field *f);

/* The text, NUL-terminated UTF-8; borrowed until the next change. */
const char *field_text(const struct field *f);
/* Replace the text (characters the field refuses are left out, the rest cut at max_bytes);
 * the cursor goes to the end. NULL empties it. */
void field_set_text(struct field *f, const char *text);
/* Shown dimmed while the text is empty, e.g. the default value. Copied and sanitised; NULL
 * for none. */
void field_set_placeholder(struct field *f, const char *text);
void field_set_focus(struct field *f, bool focused);
bool field_focused(const struct field *f);

/* The cursor as a byte offset into the text. */
size_t field_cursor(const struct field *f);
/* Move the cursor to byte offset at (the end when past it; back to the start of a character
 * when inside one). */
void field_set_cursor(struct field *f, size_t at);
/* Whether the field takes the character ch (see above). */
bool field_accepts(const struct field *f, wint_t ch);

/* One key from get_wch(): is_code tells a KEY_* code from a character. Returns WR_HANDLED |
 * WR_REDRAW when the text or the cursor changed, WR_HANDLED for a refused character or a move
 * that went nowhere, WR_IGNORED for keys that are not the field's. */
int field_input(struct field *f, wint_t ch, bool is_code);
/* A key typed with Alt (Meta: the terminal sent Esc, then the key; the owner tells the two
 * apart): Alt-B and Alt-F move to the start of the word before and past the end of the word
 * after the cursor, Alt-D deletes to the end of the next word, Alt-Backspace the word before
 * (as Ctrl-W). Words are runs of non-blanks. Returns like field_input; WR_IGNORED for other
 * keys. */
int field_input_meta(struct field *f, wint_t ch, bool is_code);
/* For the widget contract: key is a KEY_* code or an ASCII character. */
int field_handle_key(struct field *f, int key);

/* Pure but for the scroll offset, which it moves so the cursor is in view: the visible part
 * of the text (or the placeholder, when the text is empty) in exactly width columns, padded
 * with blanks. *cursor_col (may be NULL) gets the cursor's column, 0..width-1. Returns the
 * bytes written; buf is cut (at a character boundary) when sz is too small. */
size_t field_render(struct field *f, int width, char *buf, size_t sz, int *cursor_col);

#endif
