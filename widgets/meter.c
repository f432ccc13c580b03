#include "widgets/meter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "widgets/widget.h"
#include "widgets/wrap.h"

/* Eighth blocks U+258F..U+2589 (1/8 .. 7/8) and the full block U+2588. */
static const char *const eighths[9] = {
	" ", "\xE2\x96\x8F", "\xE2\x96\x8E", "\xE2\x96\x8D", "\xE2\x96\x8C",
	"\xE2\x96\x8B", "\xE2\x96\x8A", "\xE2\x96\x89", "\xE2\x96\x88",
};
#define LIGHT_SHADE "\xE2\x96\x91"   /* U+2591 */

static bool meter_known(const struct meter *m)
{
	return m->known && m->total > 0 && isfinite(m->total) && isfinite(m->value) &&
	       isfinite(m->value2);
}

enum meter_level meter_level(const struct meter *m)
{
	if (!meter_known(m))
		return METER_UNKNOWN;
	double pct = m->value / m->total * 100.0;
	int warn = m->warn_pct > 0 ? m->warn_pct : 70;
	int crit = m->crit_pct > 0 ? m->crit_pct : 90;
	return pct >= crit ? METER_CRIT : pct >= warn ? METER_WARN : METER_OK;
}

static double clamp01(double f)
{
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

size_t meter_render(char *buf, size_t sz, int width, const struct meter *m, bool ascii,
                    struct meter_layout *lay)
{
	struct textbuf o = { buf, sz, 0 };
	struct meter_layout l = { .bar_x = -1, .level = meter_level(m) };
	if (sz)
		buf[0] = '\0';
	if (width <= 0) {
		if (lay)
			*lay = l;
		return 0;
	}

	int x = 0;
	if (m->label && *m->label) {
		int lw = (int)text_width(m->label);
		if (lw + 3 <= width) {
			textbuf_adds(&o, m->label);
			x = lw;
		}
	}
	bool brackets = width - x >= 3;
	if (brackets) {
		l.bar_x = x;
		textbuf_adds(&o, "[");
		x++;
	}
	l.inner_x = x;
	l.inner_w = width - x - (brackets ? 1 : 0);
	int inner = l.inner_w;

	/* The value text. */
	char pct[32];
	const char *text = m->text;
	bool known = l.level != METER_UNKNOWN;
	if (!text && known) {
		snprintf(pct, sizeof pct, "%.0f%%", m->value / m->total * 100.0);
		text = pct;
	} else if (!text) {
		text = "n/a";
	}
	int tw = (int)text_width(text);
	if (tw <= inner && tw > 0) {
		l.text_w = tw;
		l.text_x = l.inner_x + (known ? inner - tw : (inner - tw) / 2);
	}

	/* The fill, in eighths of a cell for the block form. */
	int full1 = 0, part = 0, cells2 = 0;
	if (known) {
		double f1 = clamp01(m->value / m->total);
		double f2 = clamp01((m->value + (m->value2 > 0 ? m->value2 : 0)) / m->total);
		if (ascii) {
			full1 = (int)lround(f1 * inner);
		} else {
			long e = lround(f1 * inner * 8);
			full1 = (int)(e / 8);
			part = (int)(e % 8);
		}
		cells2 = (int)lround(f2 * inner);
	}
	l.fill1 = full1 + (part ? 1 : 0);
	l.fill2 = cells2 > l.fill1 ? cells2 : l.fill1;

	for (int c = 0; c < inner;) {
		int col = l.inner_x + c;
		if (l.text_w && col == l.text_x) {
			textbuf_adds(&o, text);
			c += l.text_w;
			continue;
		}
		if (c < full1)
			textbuf_adds(&o, ascii ? "|" : eighths[8]);
		else if (c == full1 && part)
			textbuf_adds(&o, eighths[part]);
		else if (c < l.fill2)
			textbuf_adds(&o, ascii ? "#" : LIGHT_SHADE);
		else
			textbuf_adds(&o, " ");
		c++;
	}
	if (brackets)
		textbuf_adds(&o, "]");
	l.width = width;
	if (lay)
		*lay = l;
	return o.len;
}

struct paint_ctx {
	const struct meter_layout *l;
	const struct theme *th;
	bool selected;
};

static attr_t meter_attr_at(const void *vctx, int col)
{
	const struct paint_ctx *p = vctx;
	const struct meter_layout *l = p->l;
	const struct theme *th = p->th;
	attr_t base = theme_attr(th, p->selected ? THEME_SELECTED : THEME_NORMAL);
	enum theme_role role = THEME_NORMAL;
	int cell = col - l->inner_x;
	bool in_text = l->text_w && col >= l->text_x && col < l->text_x + l->text_w;

	if (col == l->bar_x || (l->bar_x >= 0 && col == l->inner_x + l->inner_w))
		role = THEME_METER_BRACKET;
	else if (col < l->inner_x)
		role = THEME_NORMAL;
	else if (cell < l->fill1)
		role = l->level == METER_CRIT ? THEME_METER_CRIT
		     : l->level == METER_WARN ? THEME_METER_WARN : THEME_METER_OK;
	else if (cell < l->fill2)
		role = THEME_METER_SECOND;
	else if (in_text)
		role = l->level == METER_UNKNOWN ? THEME_METER_NA : THEME_METER_TEXT;

	if (!th->color)
		return theme_attr(th, role) | (p->selected ? A_REVERSE : 0);
	if (role == THEME_NORMAL || (p->selected && role == THEME_METER_TEXT))
		return base;
	return theme_attr(th, role);
}

void meter_draw(WINDOW *win, int y, int x, int width, const struct meter *m,
                const struct theme *th, bool selected)
{
	if (width <= 0)
		return;
	/* Label and text are borrowed strings of any length: size for them. */
	size_t sz = (size_t)width * 4 + 1 + (m->label ? strlen(m->label) : 0) +
	            (m->text ? strlen(m->text) : 0);
	char stackbuf[1024];
	char *buf = sz <= sizeof stackbuf ? stackbuf : xmalloc(sz);
	struct meter_layout l;
	meter_render(buf, sz, width, m, th->ascii, &l);
	struct paint_ctx p = { &l, th, selected };
	widget_put_styled(win, y, x, width, buf, meter_attr_at, &p);
	if (buf != stackbuf)
		free(buf);
}
