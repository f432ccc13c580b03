#include "api/base/sanitize.h"

#include "api/base/xalloc.h"

#include <langinfo.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

/* Returned by utf8_decode for an ill-formed subpart; above any code point. */
#define CP_INVALID UINT32_MAX

static const char replacement[] = "\xEF\xBF\xBD";   /* U+FFFD */

/* Decode one UTF-8 sequence from s (n >= 1 bytes available) into *cp and return the bytes
 * consumed. The byte ranges are Unicode's Table 3-7 (well-formed sequences), so overlongs,
 * surrogates and values above U+10FFFF are rejected at the first byte that rules them out;
 * the bytes consumed then form exactly one "maximal subpart" and *cp is CP_INVALID. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2 || c > 0xF4) {
		*cp = CP_INVALID;
		return 1;
	}
	if (c < 0xE0) {
		need = 1;
		v = c & 0x1F;
	} else if (c < 0xF0) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;          /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F;          /* surrogates */
	} else {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;          /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F;          /* above U+10FFFF */
	}
	for (size_t i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = CP_INVALID;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

/* Characters a reader cannot see or that reorder what they see: every format character
 * (General_Category Cf, Unicode 15), the line and paragraph separators, and the other
 * default-ignorable code points such as the Hangul fillers used to fake blank names.
 * Variation selectors (U+FE00..FE0F, U+E0100..E01EF) and the Mongolian free variation
 * selectors stay out: emoji and CJK text need them, and they only ever follow a base. */
static const struct {
	uint32_t lo, hi;
} hidden[] = {
	{ 0x00AD, 0x00AD }, { 0x034F, 0x034F }, { 0x0600, 0x0605 }, { 0x061C, 0x061C },
	{ 0x06DD, 0x06DD }, { 0x070F, 0x070F }, { 0x0890, 0x0891 }, { 0x08E2, 0x08E2 },
	{ 0x115F, 0x1160 }, { 0x17B4, 0x17B5 }, { 0x180E, 0x180E }, { 0x200B, 0x200F },
	{ 0x2028, 0x202E }, { 0x2060, 0x206F }, { 0x3164, 0x3164 }, { 0xFEFF, 0xFEFF },
	{ 0xFFA0, 0xFFA0 }, { 0xFFF0, 0xFFFB }, { 0x110BD, 0x110BD }, { 0x110CD, 0x110CD },
	{ 0x13430, 0x1343F }, { 0x1BCA0, 0x1BCA3 }, { 0x1D173, 0x1D17A }, { 0xE0000, 0xE00FF },
	{ 0xE01F0, 0xE0FFF },
};

static bool cp_is_hidden(uint32_t cp)
{
	size_t lo = 0, hi = sizeof hidden / sizeof hidden[0];

	if (cp < hidden[0].lo)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < hidden[mid].lo)
			hi = mid;
		else if (cp > hidden[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Output under construction; cap counts the byte kept for the final NUL. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void sbuf_reserve(struct sbuf *b, size_t n)
{
	/* xreallocarray rather than cap * 2 so an absurd size aborts instead of wrapping. */
	while (b->cap - b->len <= n) {
		b->p = xreallocarray(b->p, b->cap, 2);
		b->cap *= 2;
	}
}

static void sbuf_put(struct sbuf *b, const void *s, size_t n)
{
	sbuf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* "<U+XXXX>" with at least four upper-case hex digits, as Unicode writes code points. */
static void sbuf_put_token(struct sbuf *b, uint32_t cp)
{
	static const char hex[] = "0123456789ABCDEF";
	char tmp[16];
	size_t n = 0;
	int digits = cp > 0xFFFFF ? 6 : cp > 0xFFFF ? 5 : 4;

	tmp[n++] = '<';
	tmp[n++] = 'U';
	tmp[n++] = '+';
	for (int i = digits - 1; i >= 0; i--)
		tmp[n++] = hex[(cp >> (4 * i)) & 0xF];
	tmp[n++] = '>';
	sbuf_put(b, tmp, n);
}

static void sbuf_put_caret(struct sbuf *b, unsigned char c)
{
	char tmp[2] = { '^', c == 0x7F ? '?' : (char)(c + 0x40) };
	sbuf_put(b, tmp, 2);
}

bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
}

/* Length of the escape sequence at s (s[0] is ESC), or 0 when it is not a complete one. */
static size_t escape_len(const unsigned char *s, size_t len)
{
	if (len < 2)
		return 0;
	unsigned char k = s[1];
	size_t i = 2;
	if (k == '[') {                                   /* CSI */
		while (i < len && s[i] >= 0x30 && s[i] <= 0x3F)
			i++;
		while (i < len && s[i] >= 0x20 && s[i] <= 0x2F)
			i++;
		return i < len && s[i] >= 0x40 && s[i] <= 0x7E ? i + 1 : 0;
	}
	if (k == ']' || k == 'P' || k == 'X' || k == '^' || k == '_') {   /* control strings */
		for (; i < len; i++) {
			if (s[i] == 0x07 && k == ']')
				return i + 1;
			if (s[i] == 0x1B && i + 1 < len && s[i + 1] == '\\')
				return i + 2;
		}
		return len;   /* unterminated: a terminal would swallow the rest */
	}
	size_t j = 1;   /* ESC intermediates final: charset designations, RIS, DECSC... */
	while (j < len && s[j] >= 0x20 && s[j] <= 0x2F)
		j++;
	return j < len && s[j] >= 0x30 && s[j] <= 0x7E ? j + 1 : 0;
}

char *sanitize(const char *in, size_t len, int flags)
{
	const unsigned char *s = (const unsigned char *)in;
	bool ascii = (flags & SAN_ASCII) || !locale_is_utf8();
	/* Whether the last thing written is a glyph that passed through unchanged, so that a
	 * combining mark lands on it; a mark after a token or U+FFFD would decorate our own
	 * '>' or replacement glyph and make it look like something the engine sent. */
	bool base = false;
	struct sbuf b = { .len = 0, .cap = len + 16 };
	size_t i = 0;

	b.p = xmalloc(b.cap);
	while (i < len) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7F) {
			/* Log lines are mostly ASCII: copy whole runs. */
			size_t j = i + 1;
			while (j < len && s[j] >= 0x20 && s[j] < 0x7F)
				j++;
			sbuf_put(&b, s + i, j - i);
			i = j;
			base = true;
			continue;
		}
		if (c == 0x1B && (flags & SAN_STRIP_ESC)) {
			size_t n = escape_len(s + i, len - i);
			if (n) {
				i += n;
				continue;   /* base stays: nothing was drawn */
			}
		}
		if (c < 0x20 || c == 0x7F) {
			if ((c == '\t' && (flags & SAN_KEEP_TAB)) ||
			    (c == '\n' && (flags & SAN_KEEP_NEWLINE)))
				sbuf_put(&b, s + i, 1);
			else
				sbuf_put_caret(&b, c);
			i++;
			base = false;
			continue;
		}

		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (ascii) {
			sbuf_put(&b, "?", 1);
			base = false;
		} else if (cp == CP_INVALID || cp == 0xFFFD) {
			sbuf_put(&b, replacement, 3);
			base = false;
		} else if (cp < 0xA0 || cp_is_hidden(cp)) {
			sbuf_put_token(&b, cp);
			base = false;
		} else {
			int w = wcwidth((wchar_t)cp);
			if (w > 0 || (w == 0 && base)) {
				sbuf_put(&b, s + i, n);
				base = true;
			} else {
				sbuf_put_token(&b, cp);
				base = false;
			}
		}
		i += n;
	}
	b.p[b.len] = '\0';
	return b.p;
}

char *sanitize_str(const char *in, int flags)
{
	return in ? sanitize(in, strlen(in), flags) : xstrdup("");
}

char *sanitize_utf8(const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = strlen(in);
	struct sbuf b = { .len = 0, .cap = len + 16 };

	b.p = xmalloc(b.cap);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (cp == CP_INVALID)
			sbuf_put(&b, replacement, 3);
		else
			sbuf_put(&b, s + i, n);
		i += n;
	}
	b.p[b.len] = '\0';
	return b.p;
}

/* Columns of one decoded character: a stray ill-formed subpart counts as the U+FFFD that
 * text_fit draws for it, and characters with no width (a kept TAB or newline) as 0. */
static size_t cp_width(uint32_t cp)
{
	if (cp == CP_INVALID)
		return 1;
	if (cp < 0x80)
		return cp >= 0x20 && cp < 0x7F;
	int w = wcwidth((wchar_t)cp);
	return w > 0 ? (size_t)w : 0;
}

size_t text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), cols = 0;

	while (n) {
		if (*p >= 0x20 && *p < 0x7F) {
			cols++;
			p++;
			n--;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_decode(p, n, &cp);
		cols += cp_width(cp);
		p += k;
		n -= k;
	}
	return cols;
}

size_t text_fit(char *out, size_t outsz, const char *s, size_t max_cols, bool pad, bool ascii)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *ell = ascii ? "~" : "\xE2\x80\xA6";   /* U+2026 */
	size_t ell_len = strlen(ell);
	size_t n = strlen(s);

	if (outsz == 0)
		return 0;

	/* Everything fits when both the columns and the bytes do; otherwise keep room for the
	 * ellipsis in both budgets. An ill-formed subpart is drawn as U+FFFD, 3 bytes. */
	size_t room = outsz - 1, total_cols = 0, total_len = 0;
	for (size_t i = 0; i < n && total_cols <= max_cols && total_len <= room;) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);
		total_cols += cp_width(cp);
		total_len += cp == CP_INVALID ? 3 : k;
		i += k;
	}
	bool fits = total_cols <= max_cols && total_len <= room;

	size_t col_budget = max_cols, byte_budget = room;
	if (!fits) {
		if (max_cols == 0 || room == 0) {
			out[0] = '\0';
			return 0;
		}
		/* A buffer too small for "…" still gets a mark that the text was cut. */
		if (room < ell_len) {
			ell = "~";
			ell_len = 1;
		}
		col_budget = max_cols - 1;
		byte_budget = room - ell_len;
	}

	/* A base character and the zero-width marks after it go in or out together, so a cut
	 * never strips an accent off the last glyph. */
	size_t len = 0, cols = 0, cluster_len = 0, cluster_cols = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, n - i, &cp);
		size_t w = cp_width(cp);
		const void *src = cp == CP_INVALID ? (const void *)replacement : (const void *)(p + i);
		size_t srclen = cp == CP_INVALID ? 3 : k;

		if (cols + w > col_budget || len + srclen > byte_budget) {
			if (w == 0) {
				len = cluster_len;
				cols = cluster_cols;
			}
			break;
		}
		if (w > 0) {
			cluster_len = len;
			cluster_cols = cols;
		}
		memcpy(out + len, src, srclen);
		len += srclen;
		cols += w;
		i += k;
	}
	if (!fits) {
		memcpy(out + len, ell, ell_len);
		len += ell_len;
		cols++;
	}
	while (pad && cols < max_cols && len < room) {
		out[len++] = ' ';
		cols++;
	}
	out[len] = '\0';
	return cols;
}
