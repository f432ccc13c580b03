/* libFuzzer target: the log stream decoder (api/logstream.c), multiplexed and raw.
 *
 * Byte 0 holds the options: bit 0 multiplexed, bit 1 timestamps, bits 2-3 the line limit
 * (default, 16, 100 or 4096 bytes, so that cut lines are common). Byte 1 seeds the sizes of
 * the pieces the stream is fed in. The rest is the stream as the engine would send it.
 * The decoder is run twice, on the whole stream at once and in pieces, and both runs must
 * pass on the same lines and come to the same end (logstream.h: headers and payloads may be
 * split anywhere). Every line must keep to the contract: at most line_max bytes, a known
 * stream, a cut line ending on a character boundary. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/logstream.h"
#include "api/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_logstream: broken contract: %s\n", what);
		abort();
	}
}

/* Every line as bytes, so that two runs compare with memcmp. */
struct record {
	struct xbuf b;
	size_t line_max;
	uint64_t lines;
};

/* A cut line must not end inside a character: when the kept text is well-formed (each lead
 * byte followed by the continuation bytes it announces) up to its last bytes, those must not
 * be the start of a character whose rest was cut. Text that is ill-formed before then shows
 * replacement characters anyway, and the decoder cannot see the bytes it did not keep. */
static int ends_on_boundary(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t need = s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : s[i] >= 0xC2 ? 2 : 1;
		if ((s[i] >= 0x80 && s[i] < 0xC2) || s[i] > 0xF4)
			return 1;   /* a byte no character starts with: ill-formed */
		for (size_t k = 1; k < need; k++) {
			if (i + k == len)
				return 0;   /* well-formed so far, and cut inside the last character */
			if ((s[i + k] & 0xC0) != 0x80)
				return 1;
		}
		i += need;
	}
	return 1;
}

static void on_line(void *ud, const struct log_line *l)
{
	struct record *r = ud;
	char ts[64], marker[64];

	require(l->len <= r->line_max, "a line longer than line_max");
	require(l->len == 0 || l->text != NULL, "a line without text");
	require(l->stream == LOG_STDOUT || l->stream == LOG_STDERR || l->stream == LOG_ENGINE,
	        "a line from an unknown stream");
	require(l->cut == 0 || ends_on_boundary((const unsigned char *)l->text, l->len),
	        "a cut line ends inside a character");
	/* What a viewer does with a line. */
	log_format_time(ts, sizeof ts, l->ts_ns);
	if (l->cut)
		log_cut_marker(marker, sizeof marker, l->cut, l->stream == LOG_STDERR);
	r->lines++;
	uint64_t fields[] = { l->len, l->cut, (uint64_t)l->ts_ns, l->stream, l->partial };
	xbuf_add(&r->b, fields, sizeof fields);
	xbuf_add(&r->b, l->text ? l->text : "", l->len);
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
	require(logstream_lines(ls) == r->lines, "lines counted and lines passed on differ");
	require(logstream_engine_errors(ls) <= r->lines && logstream_cut_lines(ls) <= r->lines,
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
	struct record whole = { .line_max = o.line_max ? o.line_max : LOGSTREAM_LINE_MAX };
	struct record pieces = whole;

	int a = decode(&o, s, len, 0, seed, &whole);
	int b = decode(&o, s, len, max, seed, &pieces);
	require(a == b, "whole and in pieces end differently");
	require(whole.lines == pieces.lines && whole.b.len == pieces.b.len &&
	        (whole.b.len == 0 || memcmp(whole.b.p, pieces.b.p, whole.b.len) == 0),
	        "whole and in pieces give different lines");
	free(whole.b.p);
	free(pieces.b.p);
	return 0;
}
