/* Colours and attributes by role, with a monochrome fallback.
 *
 * Widgets never name a colour: they ask for a role (THEME_HEADER, THEME_METER_CRIT ...) and
 * get an attr_t that is a colour pair when the terminal has colours, or A_REVERSE / A_BOLD /
 * A_DIM / A_UNDERLINE when it has not, when $NO_COLOR is set to a non-empty value
 * (no-color.org) or when the owner asks for monochrome. The monochrome table is chosen so that
 * everything stays readable without colour (selection and bars are reverse video).
 *
 * theme.ascii says whether widgets must draw with ASCII only (no block characters, "~" as the
 * ellipsis): true when the locale is not UTF-8 or the owner asks for it.
 *
 * There is no global theme: the owner keeps one struct theme (in its app context) and lends
 * it to every widget. */
#ifndef GB_WIDGETS_THEME_H
#define GB_WIDGETS_THEME_H

#include <curses.h>
#include <stdbool.h>

enum theme_role {
	THEME_NORMAL = 0,
	THEME_HEADER,          /* table header row */
	THEME_HEADER_SORT,     /* the header cell of the sort column */
	THEME_SELECTED,        /* selected table row */
	THEME_EMPTY,           /* "no rows" text, unknown values */
	THEME_ROW_OK,          /* owner-chosen row/cell styles (cell_role callback) */
	THEME_ROW_PENDING,
	THEME_ROW_FAILED,
	THEME_ROW_DIM,
	THEME_STATUS,          /* status line */
	THEME_STATUS_WARN,
	THEME_STATUS_ERROR,
	THEME_KEY,             /* key bar: the key ("F1") */
	THEME_KEY_LABEL,       /* key bar: its label ("Help") and the rest of the bar */
	THEME_DIALOG,          /* dialog body and border */
	THEME_DIALOG_TITLE,
	THEME_BUTTON,
	THEME_BUTTON_FOCUS,
	THEME_HELP_SECTION,
	THEME_HELP_KEY,
	THEME_METER_BRACKET,   /* '[' and ']' */
	THEME_METER_OK,        /* first segment below the warning threshold */
	THEME_METER_WARN,
	THEME_METER_CRIT,
	THEME_METER_SECOND,    /* second segment */
	THEME_METER_TEXT,      /* value text over the empty part of the bar */
	THEME_METER_NA,        /* unknown value */
	THEME_COUNT
};

enum {
	THEME_FORCE_MONO  = 1 << 0,
	THEME_FORCE_ASCII = 1 << 1,
};

struct theme {
	attr_t attr[THEME_COUNT];
	bool color;    /* colour pairs are in use */
	bool ascii;    /* draw with ASCII only */
};

/* Fill th for the current terminal. Call after initscr()/newterm() and setlocale(). Uses
 * colours when has_colors(), COLORS >= 8, enough COLOR_PAIRS exist, $NO_COLOR is unset or
 * empty and THEME_FORCE_MONO is not in flags; initialises its colour pairs (1..THEME_COUNT-1)
 * and the terminal's default colours (use_default_colors) in that case. */
void theme_init(struct theme *th, int flags);

/* The monochrome theme; touches no terminal, so tests can use it without curses. */
void theme_init_mono(struct theme *th, bool ascii);

static inline attr_t theme_attr(const struct theme *th, enum theme_role role)
{
	return (unsigned)role < THEME_COUNT ? th->attr[role] : th->attr[THEME_NORMAL];
}

#endif
