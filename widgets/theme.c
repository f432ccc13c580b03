#include "widgets/theme.h"

#include <stdlib.h>

#include "api/base/sanitize.h"

struct role_style {
	short fg, bg;   /* -1: the terminal's default */
	attr_t color_extra;
	attr_t mono;
};

/* htop's palette where it has one: green header, cyan selection and key labels. */
static const struct role_style styles[THEME_COUNT] = {
	[THEME_NORMAL]        = { -1, -1, A_NORMAL, A_NORMAL },
	[THEME_HEADER]        = { COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE },
	[THEME_HEADER_SORT]   = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE | A_BOLD },
	[THEME_SELECTED]      = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[THEME_EMPTY]         = { COLOR_BLUE, -1, A_BOLD, A_DIM },
	[THEME_ROW_OK]        = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[THEME_ROW_PENDING]   = { COLOR_YELLOW, -1, A_NORMAL, A_BOLD },
	[THEME_ROW_FAILED]    = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[THEME_ROW_DIM]       = { COLOR_BLUE, -1, A_BOLD, A_DIM },
	[THEME_STATUS]        = { COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE },
	[THEME_STATUS_WARN]   = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE | A_BOLD },
	[THEME_STATUS_ERROR]  = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	[THEME_KEY]           = { -1, -1, A_NORMAL, A_NORMAL },
	[THEME_KEY_LABEL]     = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[THEME_DIALOG]        = { COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_NORMAL },
	[THEME_DIALOG_TITLE]  = { COLOR_YELLOW, COLOR_BLUE, A_BOLD, A_BOLD },
	[THEME_BUTTON]        = { COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_NORMAL },
	[THEME_BUTTON_FOCUS]  = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[THEME_HELP_SECTION]  = { COLOR_YELLOW, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[THEME_HELP_KEY]      = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[THEME_METER_BRACKET] = { -1, -1, A_BOLD, A_BOLD },
	[THEME_METER_OK]      = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[THEME_METER_WARN]    = { COLOR_YELLOW, -1, A_NORMAL, A_NORMAL },
	[THEME_METER_CRIT]    = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[THEME_METER_SECOND]  = { COLOR_BLUE, -1, A_BOLD, A_DIM },
	[THEME_METER_TEXT]    = { -1, -1, A_NORMAL, A_NORMAL },
	[THEME_METER_NA]      = { COLOR_BLUE, -1, A_BOLD, A_DIM },
};

void theme_init_mono(struct theme *th, bool ascii)
{
	for (int r = 0; r < THEME_COUNT; r++)
		th->attr[r] = styles[r].mono;
	th->color = false;
	th->ascii = ascii;
}

static bool color_wanted(int flags)
{
	const char *nc = getenv("NO_COLOR");
	if (flags & THEME_FORCE_MONO)
		return false;
	if (nc && *nc)
		return false;
	return has_colors() && start_color() == OK && COLORS >= 8 && COLOR_PAIRS > THEME_COUNT;
}

void theme_init(struct theme *th, int flags)
{
	theme_init_mono(th, (flags & THEME_FORCE_ASCII) || !locale_is_utf8());
	if (!color_wanted(flags))
		return;
	/* Without default-colour support, -1 is not a valid colour: fall back to white on black. */
	bool defaults = use_default_colors() == OK;
	for (int r = 1; r < THEME_COUNT; r++) {
		short fg = styles[r].fg, bg = styles[r].bg;
		if (!defaults) {
			fg = fg < 0 ? COLOR_WHITE : fg;
			bg = bg < 0 ? COLOR_BLACK : bg;
		}
		if (init_pair((short)r, fg, bg) == ERR) {
			theme_init_mono(th, th->ascii);
			return;
		}
		th->attr[r] = COLOR_PAIR(r) | styles[r].color_extra;
	}
	th->color = true;
}
