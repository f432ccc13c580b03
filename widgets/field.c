#include "widgets/field.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "widgets/wrap.h"

#define DEFAULT_MAX 4096
#define CTRL(c) ((c) & 0x1f)

struct field {
	struct widget w;          /* first */
	const struct theme *th;   /* borrowed */
	char *text;               /* owned, valid UTF-8, NUL-terminated */
	size_t len, max, cur;     /* bytes; cur is on a character boundary */
	int scroll;               /* the text column shown first */
	char *placeholder;        /* owned, sanitised, or NULL */
	bool focused;
};

/* wchar_t is UCS-4 on the platforms glovebox runs on; encode it ourselves so the text is UTF-8
 * whatever the locale's charset is. */
static size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

bool field_accepts(const struct field *f, wint_t ch)
{
	if (ch < 0x20 || ch == 0x7F || (ch >= 0x80 && ch <= 0x9F) || ch > 0x10FFFF ||
	    (ch >= 0xD800 && ch <= 0xDFFF))
		return false;
	if (ch < 0x7F)
		return true;
	if (f->th->ascii)
		return false;
	if (wcwidth((wchar_t)ch) <= 0)
		return false;
	/* Whatever the sanitiser would turn into a token (bidi, invisible) is refused. */
	char enc[4];
	size_t n = utf8_encode((uint32_t)ch, enc);
	char *clean = sanitize(enc, n, 0);
	bool same = strlen(clean) == n && memcmp(clean, enc, n) == 0;
	free(clean);
	return same;
}

static int changed(struct field *f)
{
	f->w.dirty = true;
	return WR_HANDLED | WR_REDRAW;
}

static size_t prev_char(const struct field *f, size_t at)
{
	while (at > 0 && ((unsigned char)f->text[--at] & 0xC0) == 0x80)
		;
	return at;
}

static size_t next_char(const struct field *f, size_t at)
{
	if (at >= f->len)
		return f->len;
	int cols;
	return at + text_next_char(f->text + at, &cols);
}

static void delete_range(struct field *f, size_t from, size_t to)
{
	memmove(f->text + from, f->text + to, f->len - to + 1);
	f->len -= to - from;
	if (f->cur > to)
		f->cur -= to - from;
	else if (f->cur > from)
		f->cur = from;
}

static bool insert(struct field *f, wint_t ch)
{
	char enc[4];
	size_t n = utf8_encode((uint32_t)ch, enc);
	if (f->len + n > f->max)
		return false;
	memmove(f->text + f->cur + n, f->text + f->cur, f->len - f->cur + 1);
	memcpy(f->text + f->cur, enc, n);
	f->len += n;
	f->cur += n;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ';
}

/* The start of the word before at (blanks first, then non-blanks), as Ctrl-W and Alt-B see it. */
static size_t word_before(const struct field *f, size_t at)
{
	while (at > 0 && is_blank(f->text[at - 1]))
		at--;
	while (at > 0 && !is_blank(f->text[at - 1]))
		at = prev_char(f, at);
	return at;
}

/* The end of the word after at, as Alt-F and Alt-D see it. */
static size_t word_after(const struct field *f, size_t at)
{
	while (at < f->len && is_blank(f->text[at]))
		at++;
	while (at < f->len && !is_blank(f->text[at]))
		at = next_char(f, at);
	return at;
}

int field_input_meta(struct field *f, wint_t ch, bool is_code)
{
	size_t at;
	if ((is_code && ch == KEY_BACKSPACE) || (!is_code && (ch == 0x7F || ch == CTRL('H')))) {
		at = word_before(f, f->cur);
		if (at == f->cur)
			return WR_HANDLED;
		delete_range(f, at, f->cur);
		return changed(f);
	}
	if (is_code)
		return WR_IGNORED;
	switch (ch) {
	case 'b':
	case 'f':
		at = ch == 'b' ? word_before(f, f->cur) : word_after(f, f->cur);
		if (at == f->cur)
			return WR_HANDLED;
		f->cur = at;
		return changed(f);
	case 'd':
		at = word_after(f, f->cur);
		if (at == f->cur)
			return WR_HANDLED;
		delete_range(f, f->cur, at);
		return changed(f);
	default:
		return WR_IGNORED;
	}
}

int field_input(struct field *f, wint_t ch, bool is_code)
{
	size_t at;
	if (is_code) {
		switch (ch) {
		case KEY_LEFT:      goto left;
		case KEY_RIGHT:     goto right;
		case KEY_HOME:      goto home;
		case KEY_END:       goto end;
		case KEY_BACKSPACE: goto backspace;
		case KEY_DC:        goto del;
		default:            return WR_IGNORED;
		}
	}
	switch (ch) {
	case CTRL('B'): goto left;
	case CTRL('F'): goto right;
	case CTRL('A'): goto home;
	case CTRL('E'): goto end;
	case CTRL('H'): case 0x7F: goto backspace;
	case CTRL('D'): goto del;
	case CTRL('U'):
		if (f->cur == 0)
			return WR_HANDLED;
		delete_range(f, 0, f->cur);
		return changed(f);
	case CTRL('K'):
		if (f->cur == f->len)
			return WR_HANDLED;
		delete_range(f, f->cur, f->len);
		return changed(f);
	case CTRL('W'):
		at = word_before(f, f->cur);
		if (at == f->cur)
			return WR_HANDLED;
		delete_range(f, at, f->cur);
		return changed(f);
	default:
		if (ch < 0x20)
			return WR_IGNORED;   /* Enter, Tab, Esc ...: the owner's */
		if (!field_accepts(f, ch) || !insert(f, ch))
			return WR_HANDLED;
		return changed(f);
	}
left:
	if (f->cur == 0)
		return WR_HANDLED;
	f->cur = prev_char(f, f->cur);
	return changed(f);
right:
	if (f->cur == f->len)
		return WR_HANDLED;
	f->cur = next_char(f, f->cur);
	return changed(f);
home:
	if (f->cur == 0)
		return WR_HANDLED;
	f->cur = 0;
	return changed(f);
end:
	if (f->cur == f->len)
		return WR_HANDLED;
	f->cur = f->len;
	return changed(f);
backspace:
	if (f->cur == 0)
		return WR_HANDLED;
	delete_range(f, prev_char(f, f->cur), f->cur);
	return changed(f);
del:
	if (f->cur == f->len)
		return WR_HANDLED;
	delete_range(f, f->cur, next_char(f, f->cur));
	return changed(f);
}

int field_handle_key(struct field *f, int key)
{
	return field_input(f, (wint_t)key, key >= KEY_MIN);
}

static size_t put_blanks(char *buf, size_t sz, size_t o, int n)
{
	for (int i = 0; i < n && o + 1 < sz; i++)
		buf[o++] = ' ';
	return o;
}

size_t field_render(struct field *f, int width, char *buf, size_t sz, int *cursor_col)
{
	if (cursor_col)
		*cursor_col = 0;
	if (sz == 0)
		return 0;
	buf[0] = '\0';
	if (width <= 0)
		return 0;
	if (f->len == 0) {
		f->scroll = 0;
		text_fit(buf, sz, f->placeholder ? f->placeholder : "", (size_t)width, true, f->th->ascii);
		return strlen(buf);
	}
	int cur_col = text_cols(f->text, f->cur), total = text_cols(f->text, f->len);
	int cur_w = 1;
	if (f->cur < f->len) {
		text_next_char(f->text + f->cur, &cur_w);
		cur_w = cur_w < 1 ? 1 : cur_w;
	}
	/* The cursor's cell in view; no blank space wasted at the end while text is hidden at
	 * the start. */
	if (total + 1 - f->scroll < width)
		f->scroll = total + 1 - width;
	if (cur_col + cur_w > f->scroll + width)
		f->scroll = cur_col + cur_w - width;
	if (cur_col < f->scroll)
		f->scroll = cur_col;
	if (f->scroll < 0)
		f->scroll = 0;

	size_t o = 0;
	int col = 0, shown = 0;
	for (size_t i = 0; i < f->len && shown < width;) {
		int cw;
		size_t n = text_next_char(f->text + i, &cw);
		int start = col;
		col += cw;
		if (start < f->scroll) {
			if (col > f->scroll) {   /* a wide character cut by the left edge */
				o = put_blanks(buf, sz, o, col - f->scroll);
				shown += col - f->scroll;
			}
		} else if (shown + cw > width) {
			break;
		} else {
			if (o + n + 1 > sz)
				break;
			memcpy(buf + o, f->text + i, n);
			o += n;
			shown += cw;
		}
		i += n;
	}
	o = put_blanks(buf, sz, o, width - shown);
	buf[o] = '\0';
	if (cursor_col)
		*cursor_col = cur_col - f->scroll;
	return o;
}

static void field_draw_cb(struct widget *w)
{
	struct field *f = (struct field *)w;
	const struct theme *th = f->th;
	int width = w->area.w;
	size_t sz = (size_t)width * 8 + 16;
	char *buf = xmalloc(sz);
	int cc;
	field_render(f, width, buf, sz, &cc);
	bool empty = f->len == 0;
	attr_t a = theme_attr(th, empty ? THEME_EMPTY : THEME_NORMAL) | A_UNDERLINE;
	widget_put(w->win, w->area.y, w->area.x, width, buf, a, true, th->ascii);
	if (f->focused && cc >= 0 && cc < width) {
		/* The cursor: the character under it (or a blank) in reverse video. */
		char cell[8] = " ";
		/* Over an empty field's placeholder the cursor shows its first character. */
		const char *under = empty ? buf : f->cur < f->len ? f->text + f->cur : "";
		int cw;
		size_t n = text_next_char(under, &cw);
		if (n > 0 && n < sizeof cell && cw > 0 && cc + cw <= width) {
			memcpy(cell, under, n);
			cell[n] = '\0';
		}
		widget_put(w->win, w->area.y, w->area.x + cc, width - cc, cell,
		           theme_attr(th, THEME_NORMAL) | A_REVERSE, false, th->ascii);
	}
	free(buf);
}

static int field_key_cb(struct widget *w, int key)
{
	return field_handle_key((struct field *)w, key);
}

static void field_free_cb(struct widget *w)
{
	struct field *f = (struct field *)w;
	free(f->text);
	free(f->placeholder);
	free(f);
}

static const struct widget_ops field_ops = {
	.name = "field",
	.draw = field_draw_cb,
	.handle_key = field_key_cb,
	.free = field_free_cb,
};

struct field *field_new(const struct theme *th, size_t max_bytes)
{
	struct field *f = widget_new(sizeof *f, &field_ops);
	f->th = th;
	f->max = max_bytes ? max_bytes : DEFAULT_MAX;
	f->text = xcalloc(f->max + 1, 1);
	return f;
}

void field_free(struct field **f)
{
	if (f)
		*f = widget_release(*f);
}

struct widget *field_widget(struct field *f)
{
	return &f->w;
}

const char *field_text(const struct field *f)
{
	return f->text;
}

void field_set_text(struct field *f, const char *text)
{
	f->len = f->cur = 0;
	f->text[0] = '\0';
	f->scroll = 0;
	const char *p = text ? text : "";
	/* Decode UTF-8 by hand for the same reason utf8_encode exists. */
	while (*p) {
		const unsigned char *u = (const unsigned char *)p;
		uint32_t cp;
		size_t n;
		if (u[0] < 0x80) {
			cp = u[0];
			n = 1;
		} else if (u[0] >= 0xC2 && u[0] <= 0xDF && (u[1] & 0xC0) == 0x80) {
			cp = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
			n = 2;
		} else if (u[0] >= 0xE0 && u[0] <= 0xEF && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
			cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
			n = 3;
			if (cp < 0x800)
				cp = 0xFFFFFFFF;
		} else if (u[0] >= 0xF0 && u[0] <= 0xF4 && (u[1] & 0xC0) == 0x80 &&
		           (u[2] & 0xC0) == 0x80 && (u[3] & 0xC0) == 0x80) {
			cp = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
			     (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
			n = 4;
			if (cp < 0x10000)
				cp = 0xFFFFFFFF;
		} else {
			p++;
			continue;
		}
		p += n;
		if (cp <= 0x10FFFF && field_accepts(f, (wint_t)cp) && !insert(f, (wint_t)cp))
			break;
	}
	f->w.dirty = true;
}

void field_set_placeholder(struct field *f, const char *text)
{
	free(f->placeholder);
	f->placeholder = text ? sanitize_str(text, f->th->ascii ? SAN_ASCII : 0) : NULL;
	f->w.dirty = true;
}

void field_set_focus(struct field *f, bool focused)
{
	f->focused = focused;
	f->w.dirty = true;
}

bool field_focused(const struct field *f)
{
	return f->focused;
}

size_t field_cursor(const struct field *f)
{
	return f->cur;
}

void field_set_cursor(struct field *f, size_t at)
{
	if (at > f->len)
		at = f->len;
	while (at > 0 && at < f->len && ((unsigned char)f->text[at] & 0xC0) == 0x80)
		at--;
	f->cur = at;
	f->w.dirty = true;
}
