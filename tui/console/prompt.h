/* The ':' command prompt on the bottom line (the key bar's row), vim's and tig's command line.
 *
 * Editing is the text field's (widgets/field.h), emacs style: Ctrl-A, Ctrl-E, Ctrl-B, Ctrl-F,
 * Ctrl-D, Ctrl-K, Ctrl-U, Ctrl-W, Alt-B, Alt-F, Alt-D, Backspace, Delete, Left, Right, Home,
 * End. Up/Ctrl-P and Down/Ctrl-N walk the history; Tab completes (commands, job names, node
 * names, column titles: commands.h), and lists the candidates on the status line when
 * more than one fits; Enter runs the line; Esc, or Ctrl-G, or Backspace on an empty line,
 * closes the prompt.
 *
 * libedit is used for what it can do without owning the terminal: its history(3) keeps and
 * saves the history, its tokenizer(3) splits the line (widgets/cmdline.h). el_gets() itself
 * is not used: it reads the terminal and blocks, or, unbuffered, needs a tty of its own to
 * edit at all (docs/architecture.md).
 *
 * The history is $XDG_STATE_HOME/glovebox/history (default ~/.local/state/glovebox/history),
 * the directory made 0700 and the file written 0600, read when the prompt is first opened and
 * written after each command. A line enters it only when cmdline_history_ok() says so: a
 * known command, not typed with a leading blank, and never `login` with anything after it.
 * The prompt never asks for a password: `login` opens the login dialog. A history that
 * cannot be read or written is a status-line message; the prompt works on without it.
 *
 * The app keeps one prompt from its first use to the end (a->prompt), so the history stays in
 * memory while it is closed. */
#ifndef GB_TUI_PROMPT_H
#define GB_TUI_PROMPT_H

#include <stdbool.h>
#include <wchar.h>

#include "widgets/widget.h"

#include "widgets/keys.h"

struct app;
struct prompt;

/* The prompt's keys, for the help screen (the prompt reads keys itself). */
extern const struct keybinding prompt_keys[];

/* Reads the history file; nothing is drawn until prompt_open(). */
struct prompt *prompt_new(struct app *a);
void prompt_free(struct prompt **p);

/* Open with an empty line (and the history at its newest), or close. */
void prompt_open(struct prompt *p);
void prompt_close(struct prompt *p);
bool prompt_is_open(const struct prompt *p);

/* Two lines: the first for candidates and messages (the status line's row; drawn only when
 * there is one), the second for the ':' and the line (the key bar's row). */
void prompt_place(struct prompt *p, struct rect area);
void prompt_draw(struct prompt *p);
/* Whether prompt_draw paints over the first line now. */
bool prompt_has_hint(const struct prompt *p);

/* One key from get_wch() while open. Enter closes the prompt, then runs the command. An Esc is
 * held until the next key: Esc then b, f, d or Backspace is Alt with that key, as terminals
 * send it; any other key closes the prompt and is WR_IGNORED, for the screen to take (Esc
 * then ':' quickly); prompt_input_end() after the last key read settles a lone Esc (closes).
 * Every other key is the prompt's (WR_HANDLED), whatever it does. */
int prompt_input(struct prompt *p, wint_t ch, bool is_code);
void prompt_input_end(struct prompt *p);

#endif
