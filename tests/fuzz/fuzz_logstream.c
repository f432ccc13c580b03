/* libFuzzer target: the log stream decoder (api/logstream.c), multiplexed and raw.
 *
 * Byte 0 holds the options: bit 0 multiplexed, bit 1 timestamps, bits 2-3 the line limit
 * (default, 16, 100 or 4096 bytes, so that cut lines are common). Byte 1 seeds the sizes of
 * the pieces the stream is fed in. The rest is the stream as the engine would send it.
 * The decoder runs on the whole stream at once and in pieces, and both runs must pass on the
 * same lines and come to the same end (logstream.h: headers and payloads may be split
 * anywhere). Every line keeps to the contract: at most line_max bytes from a known stream.
 * With a line limit, a third run with the default limit (64 KiB, above max_len, so nothing is
 * cut) gives every line whole: each cut line must be the start of it, count the rest in cut,
 * and not end inside one of its characters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"
#include "api/swarm/logstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_logstream: broken contract: %s\n", what);
		abort();
	}
}

/* The lines one run passed on, copied. */
struct record {
	struct log_line *v;
	size_t n;
	size_t line_max;
};

static void on_line(void *ud, const struct log_line *l)
{
	struct record *r = ud;
	char ts[64], marker[64];

	require(l->len <= r->line_max, "a line longer than line_max");
	require(l->len == 0 || l->text != NULL, "a line without text");
	require(l->stream == LOG_STDOUT || l->stream == LOG_STDERR || l->stream == LOG_ENGINE,
	        "a line from an unknown stream");
	/* What a viewer does with a line. */
	log_format_time(ts, sizeof ts, l->ts_ns);
	if (l->cut)
		log_cut_marker(marker, sizeof marker, l->cut, l->stream == LOG_STDERR);
	r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
	r->v[r->n] = *l;
	char *text = xmalloc(l->len ? l->len : 1);
	if (l->len)
		memcpy(text, l->text, l->len);
	r->v[r->n++].text = text;
}

static void record_clear(struct record *r)
{
	for (size_t i = 0; i < r->n; i++)
		free((char *)r->v[i].text);
	free(r->v);
}

static int same_line(const struct log_line *a, const struct log_line *b)
{
	return a->len == b->len && a->cut == b->cut && a->ts_ns == b->ts_ns &&
	       a->stream == b->stream && a->partial == b->partial &&
	       memcmp(a->text, b->text, a->len) == 0;
}

/* Whether position at of s (n bytes) falls inside a well-formed UTF-8 character: a lead byte
 * before it whose continuation bytes are all there and reach beyond it. */
static int splits_char(const unsigned char *s, size_t n, size_t at)
{
	if (at == 0 || at >= n || (s[at] & 0xC0) != 0x80)
		return 0;
	for (size_t back = 1; back <= 3 && back <= at; back++) {
		unsigned char c = s[at - back];
		if ((c & 0xC0) == 0x80)
			continue;
		size_t need = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 :
		              c >= 0xC2 && c <= 0xDF ? 2 : 0;
		if (need <= back || at - back + need > n)
			return 0;
		for (size_t k = 1; k < need; k++)
			if ((s[at - back + k] & 0xC0) != 0x80)
				return 0;
		return 1;
	}
	return 0;
}

/* xorshift, so that a seed gives the same pieces every time. */
static uint32_t next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Decode in pieces of at most max bytes (whole at once when max is 0). Returns 0, or -1 at
 * the first failure (feed or finish). */
static int decode(const struct logstream_opts *o, const char *s, size_t len, size_t max,
                  uint32_t seed, struct record *r)
{
	struct logstream *ls = logstream_new(o, on_line, r);
	char *err = NULL;
	int rc = 0;

	r->line_max = o->line_max ? o->line_max : LOGSTREAM_LINE_MAX;
	while (len > 0) {
		size_t n = max ? 1 + next(&seed) % max : len;
		if (n > len)
			n = len;
		/* Each piece in a buffer of its own, so that ASan sees a read past it. */
		char *piece = xmalloc(n);
		memcpy(piece, s, n);
		rc = logstream_feed(ls, piece, n, &err);
		free(piece);
		require(rc == 0 ? err == NULL : err != NULL, "feed's result and message disagree");
		if (rc)
			goto out;
		s += n;
		len -= n;
	}
	rc = logstream_finish(ls, &err);
	require(rc == 0 ? err == NULL : err != NULL, "finish's result and message disagree");
out:
	require(logstream_lines(ls) == r->n, "lines counted and lines passed on differ");
	require(logstream_engine_errors(ls) <= r->n && logstream_cut_lines(ls) <= r->n,
	        "more engine errors or cut lines than lines");
	free(err);
	/* After an end, every call fails. */
	err = NULL;
	require(logstream_feed(ls, "x", 1, &err) == -1 && err != NULL, "feed after the end");
	free(err);
	logstream_free(&ls);
	require(ls == NULL, "logstream_free leaves the pointer");
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t line_max[] = { 0, 16, 100, 4096 };

	if (size < 2)
		return 0;
	struct logstream_opts o = {
		.multiplexed = data[0] & 1,
		.timestamps = (data[0] >> 1) & 1,
		.line_max = line_max[(data[0] >> 2) & 3],
	};
	uint32_t seed = data[1] * 2654435761u | 1;
	const char *s = (const char *)data + 2;
	size_t len = size - 2;
	size_t max = 1 + data[1] % 16;   /* pieces of 1 to 16 bytes: every split gets its turn */
	struct record whole = {0}, pieces = {0}, full = {0};

	int a = decode(&o, s, len, 0, seed, &whole);
	int b = decode(&o, s, len, max, seed, &pieces);
	require(a == b, "whole and in pieces end differently");
	require(whole.n == pieces.n, "whole and in pieces give different numbers of lines");
	for (size_t i = 0; i < whole.n; i++)
		require(same_line(&whole.v[i], &pieces.v[i]), "whole and in pieces give different lines");

	if (o.line_max) {
		struct logstream_opts unlimited = o;
		unlimited.line_max = 0;
		int c = decode(&unlimited, s, len, 0, seed, &full);
		require(a == c, "the line limit changes how the stream ends");
		require(whole.n == full.n, "the line limit changes the number of lines");
		for (size_t i = 0; i < whole.n; i++) {
			const struct log_line *l = &whole.v[i], *f = &full.v[i];
			require(f->cut == 0, "a line cut below the default limit");
			require(l->stream == f->stream && l->ts_ns == f->ts_ns && l->partial == f->partial,
			        "the line limit changes a line's stream, time or end");
			require(l->len + l->cut == f->len && memcmp(l->text, f->text, l->len) == 0,
			        "a cut line is not the start of the whole line, or miscounts the rest");
			require(l->cut == 0 || l->len + 3 >= o.line_max, "a line cut more than needed");
			require(l->cut == 0 || !splits_char((const unsigned char *)f->text, f->len, l->len),
			        "a cut line ends inside a character");
		}
	}
	record_clear(&whole);
	record_clear(&pieces);
	record_clear(&full);
	return 0;
}
