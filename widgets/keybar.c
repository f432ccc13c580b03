#include "widgets/keybar.h"

#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"

#define MIN_LABEL 4

struct keybar {
	struct widget w;                  /* first */
	const struct keybinding *keys;    /* borrowed */
	const struct theme *th;           /* borrowed */
};

static bool in_bar(const struct keybinding *k)
{
	return (k->flags & KB_BAR) && k->keyname && k->action;
}

static int label_cols(const struct keybinding *k, int cap)
{
	int w = (int)text_width(k->action);
	return w < cap ? w : cap;
}

/* Bytes of the longest prefix of s at most *cols columns wide; *cols becomes its width.
 * Key tables hold static, printable text, so no sanitising here. */
static size_t prefix(const char *s, int *cols)
{
	size_t len = 0;
	int used = 0;
	for (int cw; s[len];) {
		size_t b = text_next_char(s + len, &cw);
		if (used + cw > *cols)
			break;
		used += cw;
		len += b;
	}
	*cols = used;
	return len;
}

/* Columns that the first n bar items take with labels cut to cap, blanks between them. */
static int bar_width(const struct keybinding *keys, size_t n, int cap)
{
	int total = 0;
	size_t seen = 0;
	for (const struct keybinding *k = keys; k && k->key && seen < n; k++) {
		if (!in_bar(k))
			continue;
		total += (seen ? 1 : 0) + (int)text_width(k->keyname) + label_cols(k, cap);
		seen++;
	}
	return total;
}

size_t keybar_render_text(const struct keybinding *keys, int width, char *buf, size_t sz,
                          unsigned char *is_key)
{
	if (sz == 0)
		return 0;
	buf[0] = '\0';
	if (width <= 0)
		return 0;
	if (is_key)
		memset(is_key, 0, (size_t)width);

	size_t n = 0;
	int cap = 0;
	for (const struct keybinding *k = keys; k && k->key; k++)
		if (in_bar(k)) {
			n++;
			cap = label_cols(k, 1 << 20) > cap ? label_cols(k, 1 << 20) : cap;
		}
	while (cap > MIN_LABEL && bar_width(keys, n, cap) > width)
		cap--;
	while (n > 0 && bar_width(keys, n, cap) > width)
		n--;

	size_t len = 0, seen = 0;
	int col = 0;
	for (const struct keybinding *k = keys; k && k->key && seen < n; k++) {
		if (!in_bar(k))
			continue;
		const char *parts[2] = { k->keyname, k->action };
		int caps[2] = { (int)text_width(k->keyname), label_cols(k, cap) };
		/* Shortened labels are cut without an ellipsis ("Filt"), as htop does. */
		if (seen++ && col < width && len + 1 < sz) {
			buf[len++] = ' ';
			col++;
		}
		for (int p = 0; p < 2; p++) {
			size_t bl = prefix(parts[p], &caps[p]);
			if (len + bl + 1 > sz || col + caps[p] > width)
				break;
			memcpy(buf + len, parts[p], bl);
			len += bl;
			if (is_key && p == 0)
				memset(is_key + col, 1, (size_t)caps[p]);
			col += caps[p];
		}
	}
	while (col < width && len + 1 < sz) {
		buf[len++] = ' ';
		col++;
	}
	buf[len] = '\0';
	return len;
}

struct paint { const unsigned char *is_key; const struct theme *th; };

static attr_t attr_at(const void *ctx, int col)
{
	const struct paint *p = ctx;
	return theme_attr(p->th, p->is_key[col] ? THEME_KEY : THEME_KEY_LABEL);
}

static void keybar_draw_cb(struct widget *w)
{
	struct keybar *kb = (struct keybar *)w;
	int width = w->area.w;
	if (w->area.h <= 0 || width <= 0)
		return;
	size_t sz = (size_t)width * 8 + 16;
	char *buf = xmalloc(sz);
	unsigned char *is_key = xmalloc((size_t)width);
	keybar_render_text(kb->keys, width, buf, sz, is_key);
	struct paint p = { is_key, kb->th };
	widget_put_styled(w->win, w->area.y, w->area.x, width, buf, attr_at, &p);
	free(is_key);
	free(buf);
}

static const struct widget_ops keybar_ops = {
	.name = "keybar",
	.draw = keybar_draw_cb,
};

struct keybar *keybar_new(const struct keybinding *keys, const struct theme *th)
{
	struct keybar *kb = widget_new(sizeof *kb, &keybar_ops);
	kb->keys = keys;
	kb->th = th;
	return kb;
}

void keybar_set_keys(struct keybar *kb, const struct keybinding *keys)
{
	kb->keys = keys;
	kb->w.dirty = true;
}

void keybar_free(struct keybar **kb)
{
	if (kb)
		*kb = widget_release(*kb);
}

struct widget *keybar_widget(struct keybar *kb)
{
	return &kb->w;
}
