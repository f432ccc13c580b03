#include "api/swarm/logring.h"

#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"

struct logring {
	struct logring_line **v;   /* alloc slots, n used from head on, wrapping */
	size_t alloc, head, n;
	size_t max_lines, max_bytes, bytes;
	uint64_t dropped, next_seq;
};

struct logring *logring_new(size_t max_lines, size_t max_bytes)
{
	struct logring *r = xcalloc(1, sizeof *r);
	r->max_lines = max_lines ? max_lines : LOGRING_MAX_LINES;
	r->max_bytes = max_bytes ? max_bytes : LOGRING_MAX_BYTES;
	return r;
}

void logring_clear(struct logring *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[(r->head + i) % r->alloc]);
	r->head = r->n = r->bytes = 0;
}

void logring_free(struct logring **pr)
{
	struct logring *r = *pr;
	if (!r)
		return;
	logring_clear(r);
	free(r->v);
	free(r);
	*pr = NULL;
}

size_t logring_line_size(size_t text_len)
{
	return sizeof(struct logring_line) + text_len + 1 + sizeof(struct logring_line *);
}

static void drop_oldest(struct logring *r)
{
	struct logring_line *l = r->v[r->head];
	r->bytes -= logring_line_size(l->len);
	free(l);
	r->v[r->head] = NULL;
	r->head = (r->head + 1) % r->alloc;
	r->n--;
	r->dropped++;
}

/* Room for one more slot: grow the array (doubling, up to max_lines) before the ring wraps. */
static void make_slot(struct logring *r)
{
	if (r->n < r->alloc)
		return;
	size_t alloc = r->alloc ? r->alloc * 2 : 64;
	if (alloc > r->max_lines)
		alloc = r->max_lines;
	struct logring_line **v = xcalloc(alloc, sizeof *v);
	for (size_t i = 0; i < r->n; i++)
		v[i] = r->v[(r->head + i) % r->alloc];
	free(r->v);
	r->v = v;
	r->alloc = alloc;
	r->head = 0;
}

void logring_push(struct logring *r, const struct log_line *l)
{
	size_t len = l->len;
	uint64_t cut = l->cut;
	if (len > UINT32_MAX) {
		cut += len - UINT32_MAX;
		len = UINT32_MAX;
	}
	size_t size = logring_line_size(len);
	while (r->n > 0 && (r->n >= r->max_lines || r->bytes + size > r->max_bytes))
		drop_oldest(r);
	make_slot(r);
	struct logring_line *line = xmalloc(sizeof *line + len + 1);
	line->ts_ns = l->ts_ns;
	line->cut = cut;
	line->len = (uint32_t)len;
	line->stream = (uint8_t)l->stream;
	line->partial = l->partial;
	if (len)
		memcpy(line->text, l->text, len);
	line->text[len] = '\0';
	r->v[(r->head + r->n) % r->alloc] = line;
	r->n++;
	r->bytes += size;
	r->next_seq++;
}

size_t logring_count(const struct logring *r) { return r->n; }
size_t logring_bytes(const struct logring *r) { return r->bytes; }
uint64_t logring_dropped(const struct logring *r) { return r->dropped; }
uint64_t logring_first_seq(const struct logring *r) { return r->next_seq - r->n; }
uint64_t logring_next_seq(const struct logring *r) { return r->next_seq; }

const struct logring_line *logring_get(const struct logring *r, size_t i)
{
	return i < r->n ? r->v[(r->head + i) % r->alloc] : NULL;
}

static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

ssize_t log_find_ci(const char *hay, size_t len, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return 0;
	if (nlen > len)
		return -1;
	const unsigned char *h = (const unsigned char *)hay, *n = (const unsigned char *)needle;
	unsigned char first = fold(n[0]);
	for (size_t i = 0; i + nlen <= len; i++) {
		if (fold(h[i]) != first)
			continue;
		size_t k = 1;
		while (k < nlen && fold(h[i + k]) == fold(n[k]))
			k++;
		if (k == nlen)
			return (ssize_t)i;
	}
	return -1;
}

static bool matches(const struct logring *r, size_t i, const char *needle, size_t nlen)
{
	const struct logring_line *l = logring_get(r, i);
	return log_find_ci(l->text, l->len, needle, nlen) >= 0;
}

ssize_t logring_next_match(const struct logring *r, size_t from, const char *needle, bool wrap)
{
	size_t nlen = strlen(needle);
	for (size_t i = from; i < r->n; i++)
		if (matches(r, i, needle, nlen))
			return (ssize_t)i;
	for (size_t i = 0; wrap && i < from && i < r->n; i++)
		if (matches(r, i, needle, nlen))
			return (ssize_t)i;
	return -1;
}

ssize_t logring_prev_match(const struct logring *r, size_t from, const char *needle, bool wrap)
{
	size_t nlen = strlen(needle);
	if (r->n == 0)
		return -1;
	if (from >= r->n)
		from = r->n - 1;
	for (size_t i = from + 1; i-- > 0;)
		if (matches(r, i, needle, nlen))
			return (ssize_t)i;
	for (size_t i = r->n; wrap && i-- > from + 1;)
		if (matches(r, i, needle, nlen))
			return (ssize_t)i;
	return -1;
}
