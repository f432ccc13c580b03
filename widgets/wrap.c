#include "widgets/wrap.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"
#include "widgets/widget.h"

static void push_n(struct wrap *w, const char *s, size_t n)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		w->line = xreallocarray(w->line, w->cap, sizeof *w->line);
	}
	w->line[w->n++] = xstrndup(s, n);
}

void wrap_push(struct wrap *w, const char *line)
{
	push_n(w, line, strlen(line));
}

/* Wrap one paragraph (no '\n') of n bytes. */
static void wrap_para(struct wrap *w, const char *p, size_t n, int width)
{
	/* A line is never longer in bytes than its paragraph. */
	char *line = xmalloc(n + 1);
	size_t len = 0;
	int cols = 0;
	const char *end = p + n;

	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		const char *word = p;
		int ww = 0, cw;
		while (p < end && *p != ' ') {
			p += text_next_char(p, &cw);
			ww += cw;
		}
		if (cols > 0 && cols + 1 + ww <= width) {
			line[len++] = ' ';
			cols++;
		} else if (cols > 0) {
			push_n(w, line, len);
			len = 0;
			cols = 0;
		}
		/* Place the word, breaking it where it is wider than a line. */
		for (const char *q = word; q < p;) {
			size_t k = text_next_char(q, &cw);
			if (cols > 0 && cols + cw > width) {
				push_n(w, line, len);
				len = 0;
				cols = 0;
			}
			memcpy(line + len, q, k);
			len += k;
			cols += cw;
			q += k;
		}
	}
	if (len > 0)
		push_n(w, line, len);
	free(line);
}

void wrap_text(struct wrap *w, const char *text, int width)
{
	if (width < 1 || !text)
		return;
	for (;;) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		size_t before = w->n;
		wrap_para(w, text, n, width);
		if (w->n == before)
			push_n(w, "", 0);
		if (!nl)
			break;
		text = nl + 1;
	}
}

void wrap_free(struct wrap *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->line[i]);
	free(w->line);
	*w = (struct wrap){ 0 };
}

int wrap_max_width(const struct wrap *w)
{
	int max = 0;
	for (size_t i = 0; i < w->n; i++) {
		int c = (int)text_width(w->line[i]);
		max = c > max ? c : max;
	}
	return max;
}

char *text_clean_line(const char *s, size_t n, int flags)
{
	if (n > 0 && s[n - 1] == '\r')
		n--;
	char *san = sanitize(s, n, SAN_KEEP_TAB | flags);
	size_t tabs = 0;
	for (const char *c = san; *c; c++)
		tabs += *c == '\t';
	if (!tabs)
		return san;
	char *out = xmalloc(strlen(san) + tabs * TEXT_TAB_STOP + 1), *o = out;
	int col = 0;
	for (const char *c = san; *c;) {
		if (*c == '\t') {
			do {
				*o++ = ' ';
				col++;
			} while (col % TEXT_TAB_STOP);
			c++;
			continue;
		}
		int cw;
		size_t k = text_next_char(c, &cw);
		memcpy(o, c, k);
		o += k;
		c += k;
		col += cw;
	}
	*o = '\0';
	free(san);
	return out;
}

size_t wrap_break(const char *text, size_t len, size_t pos, int width, size_t *next)
{
	size_t i = pos, brk = 0;
	int col = 0;
	bool text_seen = false;
	while (i < len) {
		int cw;
		size_t k = text_next_char(text + i, &cw);
		if (col + cw > width)
			break;
		if (text[i] == ' ') {
			if (text_seen)
				brk = i + 1;
		} else {
			text_seen = true;
		}
		col += cw;
		i += k;
	}
	size_t end = i;
	*next = i;
	if (i >= len) {
		end = *next = len;
	} else if (text[i] == ' ' && text_seen) {
		*next = i + 1;
	} else if (brk > pos) {
		end = brk - 1;
		*next = brk;
	} else if (i == pos) {
		end = *next = pos + text_next_char(text + pos, &col);
	}
	return end;
}

const char *text_find_ci(const char *hay, size_t hlen, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0 || n > hlen)
		return NULL;
	for (size_t i = 0; i + n <= hlen; i++)
		if (strncasecmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

size_t text_skip_cols(const char *s, size_t n, int col, int *skipped)
{
	size_t i = 0;
	int c = 0;
	while (i < n && c < col) {
		int cw;
		size_t k = text_next_char(s + i, &cw);
		if (k == 0)
			break;
		i += k;
		c += cw;
	}
	*skipped = c;
	return i;
}

int text_cols(const char *s, size_t n)
{
	int cols;
	text_skip_cols(s, n, INT_MAX, &cols);
	return cols;
}

void textbuf_add(struct textbuf *o, const char *s, size_t n)
{
	if (o->sz == 0)
		return;
	if (n > o->sz - 1 - o->len)
		n = o->sz - 1 - o->len;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

void textbuf_adds(struct textbuf *o, const char *s)
{
	textbuf_add(o, s, strlen(s));
}

void textbuf_spaces(struct textbuf *o, int n)
{
	while (n-- > 0)
		textbuf_add(o, " ", 1);
}
