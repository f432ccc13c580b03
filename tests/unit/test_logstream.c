/* logstream.h: the log decoder fed in every possible split (frames, timestamps, TTY, CRLF,
 * cut lines, the daemon's error frames, corrupt frames), a randomized comparison of chunked
 * against one-shot decoding, and the request rules (path, who may read how much). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"
#include "api/swarm/logstream.h"

/* ---- Helpers ---- */

struct got_line {
	char *text;
	size_t len;
	uint64_t cut;
	int64_t ts_ns;
	enum log_stream stream;
	bool partial;
};

struct got {
	struct got_line *v;
	size_t n, alloc;
};

static void collect(void *ud, const struct log_line *l)
{
	struct got *g = ud;
	if (g->n == g->alloc) {
		g->alloc = g->alloc ? g->alloc * 2 : 16;
		g->v = xreallocarray(g->v, g->alloc, sizeof *g->v);
	}
	struct got_line *d = &g->v[g->n++];
	d->text = xmalloc(l->len + 1);
	memcpy(d->text, l->text, l->len);
	d->text[l->len] = '\0';
	d->len = l->len;
	d->cut = l->cut;
	d->ts_ns = l->ts_ns;
	d->stream = l->stream;
	d->partial = l->partial;
}

static void got_clear(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].text);
	free(g->v);
	memset(g, 0, sizeof *g);
}

static void assert_same(const struct got *a, const struct got *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].len, b->v[i].len);
		assert_memory_equal(a->v[i].text, b->v[i].text, a->v[i].len);
		assert_int_equal(a->v[i].cut, b->v[i].cut);
		assert_int_equal(a->v[i].ts_ns, b->v[i].ts_ns);
		assert_int_equal(a->v[i].stream, b->v[i].stream);
		assert_int_equal(a->v[i].partial, b->v[i].partial);
	}
}

/* A growing byte buffer for building streams. */
struct buf {
	char *p;
	size_t len, alloc;
};

static void buf_add(struct buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (b->len + len > b->alloc) {
		b->alloc = (b->len + len) * 2 + 64;
		b->p = xrealloc(b->p, b->alloc);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void frame(struct buf *b, unsigned type, const char *payload, size_t len)
{
	unsigned char h[8] = {(unsigned char)type, 0, 0, 0, (unsigned char)(len >> 24),
	                      (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
	buf_add(b, h, 8);
	buf_add(b, payload, len);
}

static void frame_str(struct buf *b, unsigned type, const char *payload)
{
	frame(b, type, payload, strlen(payload));
}

/* Decode data in pieces of the given sizes (cycled; NULL = one piece), then finish. Returns
 * what feed/finish returned (-1 if either failed); *err gets the first error. */
static int decode(const struct logstream_opts *o, const char *data, size_t len,
                  const size_t *pieces, size_t n_pieces, struct got *g, char **err)
{
	struct logstream *ls = logstream_new(o, collect, g);
	int rc = 0;
	size_t off = 0, k = 0;
	while (off < len && rc == 0) {
		size_t n = pieces ? pieces[k++ % n_pieces] : len;
		if (n > len - off)
			n = len - off;
		rc = logstream_feed(ls, data + off, n, err);
		off += n;
	}
	if (rc == 0)
		rc = logstream_finish(ls, err);
	logstream_free(&ls);
	assert_null(ls);
	return rc;
}

static const struct logstream_opts MUX = {.multiplexed = true};
static const struct logstream_opts MUX_TS = {.multiplexed = true, .timestamps = true};
static const struct logstream_opts RAW = {.multiplexed = false};
static const struct logstream_opts RAW_TS = {.multiplexed = false, .timestamps = true};

#define TS1 "2026-11-22T08:11:44.123456789Z"
#define TS1_NS INT64_C(1795335104123456789)
#define TS2 "2026-11-22T08:11:45.000000001Z"
#define TS2_NS INT64_C(1795335105000000001)

/* ---- Multiplexed frames ---- */

static void test_mux_basic(void **state)
{
	(void)state;
	struct buf b = {0};
	struct got g = {0};
	frame_str(&b, 1, "hello\n");
	frame_str(&b, 2, "oops\n");
	frame_str(&b, 0, "stdin counts as stdout\n");
	frame_str(&b, 1, "\n");
	assert_int_equal(decode(&MUX, b.p, b.len, NULL, 0, &g, NULL), 0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.v[0].text, "hello");
	assert_int_equal(g.v[0].stream, LOG_STDOUT);
	assert_string_equal(g.v[1].text, "oops");
	assert_int_equal(g.v[1].stream, LOG_STDERR);
	assert_string_equal(g.v[2].text, "stdin counts as stdout");
	assert_int_equal(g.v[2].stream, LOG_STDOUT);
	assert_string_equal(g.v[3].text, "");
	for (size_t i = 0; i < g.n; i++) {
		assert_int_equal(g.v[i].cut, 0);
		assert_int_equal(g.v[i].ts_ns, 0);
		assert_false(g.v[i].partial);
	}
	got_clear(&g);
	free(b.p);
}

/* Several lines in a frame, a line over several frames, stdout and stderr halves interleaved. */
static void build_mixed(struct buf *b)
{
	frame_str(b, 1, "one\ntwo\nthr");
	frame_str(b, 2, "err-a");
	frame_str(b, 1, "ee\n");
	frame(b, 1, "", 0);
	frame_str(b, 2, "-b\n");
	frame_str(b, 3, "Error grabbing logs: boom\n");
	frame_str(b, 1, "crlf\r\nlone\rcr\n");
	frame_str(b, 2, "no newline at the end");
}

static void check_mixed(const struct got *g)
{
	assert_int_equal(g->n, 8);
	const char *want[] = {"one", "two", "three", "err-a-b", "Error grabbing logs: boom", "crlf",
	                      "lone\rcr", "no newline at the end"};
	const enum log_stream ws[] = {LOG_STDOUT, LOG_STDOUT, LOG_STDOUT, LOG_STDERR, LOG_ENGINE,
	                              LOG_STDOUT, LOG_STDOUT, LOG_STDERR};
	for (size_t i = 0; i < g->n; i++) {
		assert_string_equal(g->v[i].text, want[i]);
		assert_int_equal(g->v[i].stream, ws[i]);
		assert_int_equal(g->v[i].partial, i == 7);
	}
}

static void test_mux_split_at_every_byte(void **state)
{
	(void)state;
	struct buf b = {0};
	build_mixed(&b);
	struct got whole = {0};
	assert_int_equal(decode(&MUX, b.p, b.len, NULL, 0, &whole, NULL), 0);
	check_mixed(&whole);
	/* Two pieces, cut at every position. */
	for (size_t cut = 1; cut < b.len; cut++) {
		struct got g = {0};
		size_t pieces[2] = {cut, b.len - cut};
		assert_int_equal(decode(&MUX, b.p, b.len, pieces, 2, &g, NULL), 0);
		assert_same(&whole, &g);
		got_clear(&g);
	}
	/* One byte at a time, and three bytes at a time (headers split every way). */
	for (size_t step = 1; step <= 3; step++) {
		struct got g = {0};
		assert_int_equal(decode(&MUX, b.p, b.len, &step, 1, &g, NULL), 0);
		assert_same(&whole, &g);
		got_clear(&g);
	}
	got_clear(&whole);
	free(b.p);
}

static void test_mux_engine_error_frames(void **state)
{
	(void)state;
	struct buf b = {0};
	struct got g = {0};
	/* The daemon's errors carry no timestamp even when asked for them; they are not output. */
	frame_str(&b, 1, TS1 " before\n");
	frame_str(&b, 3, "Error grabbing logs: log message is too large (2000000 > 1000000)\n");
	frame_str(&b, 3, TS2 " not a prefix here\n");
	frame_str(&b, 1, TS2 " after\n");
	struct logstream *ls = logstream_new(&MUX_TS, collect, &g);
	assert_int_equal(logstream_feed(ls, b.p, b.len, NULL), 0);
	assert_int_equal(logstream_finish(ls, NULL), 0);
	assert_int_equal(logstream_lines(ls), 4);
	assert_int_equal(logstream_engine_errors(ls), 2);
	logstream_free(&ls);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.v[0].stream, LOG_STDOUT);
	assert_int_equal(g.v[1].stream, LOG_ENGINE);
	assert_string_equal(g.v[1].text, "Error grabbing logs: log message is too large (2000000 > 1000000)");
	assert_int_equal(g.v[1].ts_ns, 0);
	assert_int_equal(g.v[2].stream, LOG_ENGINE);
	assert_string_equal(g.v[2].text, TS2 " not a prefix here");
	assert_string_equal(g.v[3].text, "after");
	assert_int_equal(g.v[3].ts_ns, TS2_NS);
	got_clear(&g);
	free(b.p);
}

static void test_mux_zero_length_frames(void **state)
{
	(void)state;
	struct buf b = {0};
	struct got g = {0};
	frame(&b, 1, "", 0);
	frame(&b, 2, "", 0);
	frame_str(&b, 1, "x\n");
	frame(&b, 3, "", 0);
	assert_int_equal(decode(&MUX, b.p, b.len, NULL, 0, &g, NULL), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.v[0].text, "x");
	got_clear(&g);
	free(b.p);
}

static void test_mux_absurd_frame_length(void **state)
{
	(void)state;
	struct got g = {0};
	char *err = NULL;
	/* 0x7fffffff bytes announced: refused at the header, before any allocation. */
	const char hdr[8] = {1, 0, 0, 0, 0x7f, (char)0xff, (char)0xff, (char)0xff};
	struct logstream *ls = logstream_new(&MUX, collect, &g);
	assert_int_equal(logstream_feed(ls, hdr, 8, &err), -1);
	assert_non_null(strstr(err, "2147483647 bytes"));
	free(err);
	err = NULL;
	/* Dead after an error. */
	assert_int_equal(logstream_feed(ls, "x", 1, &err), -1);
	assert_non_null(err);
	free(err);
	logstream_free(&ls);
	/* Exactly the limit is accepted; one more is not. */
	unsigned char ok[8] = {1, 0, 0, 0, 0, 0x10, 0, 0};
	ls = logstream_new(&MUX, collect, &g);
	assert_int_equal(logstream_feed(ls, (const char *)ok, 8, NULL), 0);
	logstream_free(&ls);
	unsigned char bad[8] = {1, 0, 0, 0, 0, 0x10, 0, 1};
	ls = logstream_new(&MUX, collect, &g);
	assert_int_equal(logstream_feed(ls, (const char *)bad, 8, NULL), -1);
	logstream_free(&ls);
	assert_int_equal(g.n, 0);
}

static void test_mux_bad_headers(void **state)
{
	(void)state;
	char *err = NULL;
	/* A raw (TTY) stream read as multiplexed: "2026-11-..." is no header. */
	struct got g = {0};
	const char *raw = TS1 " hello\r\n";
	assert_int_equal(decode(&MUX, raw, strlen(raw), NULL, 0, &g, &err), -1);
	assert_non_null(strstr(err, "not multiplexed"));
	free(err);
	err = NULL;
	/* Unknown type, then nonzero padding. */
	const char t7[8] = {7, 0, 0, 0, 0, 0, 0, 1};
	assert_int_equal(decode(&MUX, t7, 8, NULL, 0, &g, &err), -1);
	free(err);
	err = NULL;
	const char pad[8] = {1, 0, 1, 0, 0, 0, 0, 1};
	assert_int_equal(decode(&MUX, pad, 8, NULL, 0, &g, &err), -1);
	free(err);
	/* err may be NULL. */
	assert_int_equal(decode(&MUX, pad, 8, NULL, 0, &g, NULL), -1);
	assert_int_equal(g.n, 0);
}

static void test_mux_truncated(void **state)
{
	(void)state;
	struct buf b = {0};
	struct got g = {0};
	char *err = NULL;
	frame_str(&b, 1, "whole\npart");
	/* In the middle of the payload. */
	assert_int_equal(decode(&MUX, b.p, b.len - 2, NULL, 0, &g, &err), -1);
	assert_string_equal(err, "the log stream ended in the middle of a frame");
	free(err);
	err = NULL;
	/* The lines that did arrive are passed on, the unfinished one as partial. */
	assert_int_equal(g.n, 2);
	assert_string_equal(g.v[0].text, "whole");
	assert_string_equal(g.v[1].text, "pa");
	assert_true(g.v[1].partial);
	got_clear(&g);
	/* Half a header. */
	frame_str(&b, 1, "x\n");
	assert_int_equal(decode(&MUX, b.p, b.len - 5, NULL, 0, &g, &err), -1);
	free(err);
	got_clear(&g);
	free(b.p);
}

static void test_finish_twice(void **state)
{
	(void)state;
	struct got g = {0};
	char *err = NULL;
	struct logstream *ls = logstream_new(&RAW, collect, &g);
	assert_int_equal(logstream_feed(ls, "a", 1, NULL), 0);
	assert_int_equal(logstream_finish(ls, NULL), 0);
	assert_int_equal(logstream_finish(ls, &err), -1);
	free(err);
	err = NULL;
	assert_int_equal(logstream_feed(ls, "b\n", 2, &err), -1);
	free(err);
	logstream_free(&ls);
	logstream_free(&ls);   /* NULL is fine */
	assert_int_equal(g.n, 1);
	assert_true(g.v[0].partial);
	got_clear(&g);
}

/* ---- Timestamps ---- */

static void test_mux_timestamps(void **state)
{
	(void)state;
	struct buf b = {0};
	struct got g = {0};
	frame_str(&b, 1, TS1 " first\n");
	frame_str(&b, 2, TS2 " on stderr\n");
	/* A line the engine cut into three messages: each starts with a timestamp, and the line
	 * keeps the first one's. */
	frame_str(&b, 1, TS1 " aaa");
	frame_str(&b, 1, TS2 " bbb");
	frame_str(&b, 1, TS2 " ccc\n");
	/* Two lines in one message share its time. */
	frame_str(&b, 1, TS2 " x\ny\n");
	/* An empty line. */
	frame_str(&b, 1, TS1 " \n");
	for (size_t step = 0; step <= 7; step++) {
		assert_int_equal(decode(&MUX_TS, b.p, b.len, step ? &step : NULL, 1, &g, NULL), 0);
		assert_int_equal(g.n, 6);
		assert_string_equal(g.v[0].text, "first");
		assert_int_equal(g.v[0].ts_ns, TS1_NS);
		assert_string_equal(g.v[1].text, "on stderr");
		assert_int_equal(g.v[1].ts_ns, TS2_NS);
		assert_string_equal(g.v[2].text, "aaabbbccc");
		assert_int_equal(g.v[2].ts_ns, TS1_NS);
		assert_string_equal(g.v[3].text, "x");
		assert_string_equal(g.v[4].text, "y");
		assert_int_equal(g.v[4].ts_ns, TS2_NS);
		assert_string_equal(g.v[5].text, "");
		assert_int_equal(g.v[5].ts_ns, TS1_NS);
		got_clear(&g);
	}
	free(b.p);
}

static void test_timestamps_that_are_not(void **state)
{
	(void)state;
	struct buf b = {0};
	struct got g = {0};
	frame_str(&b, 1, "hello world\n");                         /* no timestamp at all */
	frame_str(&b, 1, "2026-13-45T99:99:99.1Z bad date\n");      /* looks like one, is not */
	frame_str(&b, 1, "2026-11-22T08:11:44.1234567890123456789012345678Z too long\n");
	frame_str(&b, 1, "2026");                                   /* a frame that ends inside */
	frame_str(&b, 1, "\n");
	frame_str(&b, 1, "+08:00\n");
	assert_int_equal(decode(&MUX_TS, b.p, b.len, NULL, 0, &g, NULL), 0);
	assert_int_equal(g.n, 5);
	assert_string_equal(g.v[0].text, "hello world");
	assert_string_equal(g.v[1].text, "2026-13-45T99:99:99.1Z bad date");
	assert_string_equal(g.v[2].text, "2026-11-22T08:11:44.1234567890123456789012345678Z too long");
	assert_string_equal(g.v[3].text, "2026");
	assert_string_equal(g.v[4].text, "+08:00");
	for (size_t i = 0; i < g.n; i++)
		assert_int_equal(g.v[i].ts_ns, 0);
	got_clear(&g);
	/* An offset is a timestamp too. */
	const char *off = "2026-11-22T09:11:44.123456789+01:00 offset\n";
	struct buf c = {0};
	frame_str(&c, 1, off);
	assert_int_equal(decode(&MUX_TS, c.p, c.len, NULL, 0, &g, NULL), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.v[0].text, "offset");
	assert_int_equal(g.v[0].ts_ns, TS1_NS);
	got_clear(&g);
	free(c.p);
	free(b.p);
}

/* ---- Raw (TTY) ---- */

static void test_raw_tty(void **state)
{
	(void)state;
	const char *in = "tty\x1b[1mbold\r\nsecond\r\n\r\nno end";
	struct got whole = {0};
	assert_int_equal(decode(&RAW, in, strlen(in), NULL, 0, &whole, NULL), 0);
	assert_int_equal(whole.n, 4);
	assert_string_equal(whole.v[0].text, "tty\x1b[1mbold");
	assert_string_equal(whole.v[1].text, "second");
	assert_string_equal(whole.v[2].text, "");
	assert_string_equal(whole.v[3].text, "no end");
	assert_true(whole.v[3].partial);
	for (size_t i = 0; i < whole.n; i++)
		assert_int_equal(whole.v[i].stream, LOG_STDOUT);
	for (size_t cut = 1; cut < strlen(in); cut++) {
		struct got g = {0};
		size_t pieces[2] = {cut, strlen(in) - cut};
		assert_int_equal(decode(&RAW, in, strlen(in), pieces, 2, &g, NULL), 0);
		assert_same(&whole, &g);
		got_clear(&g);
	}
	got_clear(&whole);
	/* Header-like bytes mean nothing in a raw stream. */
	const char bin[] = {1, 0, 0, 0, 0, 0, 0, 3, 'a', '\n'};
	struct got g = {0};
	assert_int_equal(decode(&RAW, bin, sizeof bin, NULL, 0, &g, NULL), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].len, 9);
	got_clear(&g);
}

static void test_raw_timestamps(void **state)
{
	(void)state;
	/* As the engine sends a TTY service's logs with timestamps=1. */
	const char *in = TS1 " tty\x1b[1mbold\r\n" TS2 " second\r\n" TS2 " \r\n";
	struct got whole = {0};
	assert_int_equal(decode(&RAW_TS, in, strlen(in), NULL, 0, &whole, NULL), 0);
	assert_int_equal(whole.n, 3);
	assert_string_equal(whole.v[0].text, "tty\x1b[1mbold");
	assert_int_equal(whole.v[0].ts_ns, TS1_NS);
	assert_string_equal(whole.v[1].text, "second");
	assert_int_equal(whole.v[1].ts_ns, TS2_NS);
	assert_string_equal(whole.v[2].text, "");
	for (size_t cut = 1; cut < strlen(in); cut++) {
		struct got g = {0};
		size_t pieces[2] = {cut, strlen(in) - cut};
		assert_int_equal(decode(&RAW_TS, in, strlen(in), pieces, 2, &g, NULL), 0);
		assert_same(&whole, &g);
		got_clear(&g);
	}
	got_clear(&whole);
}

/* ---- Long lines ---- */

static void test_long_line_cut(void **state)
{
	(void)state;
	size_t n = 100000;
	char *line = xmalloc(n + 1);
	memset(line, 'x', n);
	line[n] = '\n';
	struct buf b = {0};
	/* As the engine sends it: messages of at most 16 KiB. */
	for (size_t off = 0; off < n + 1; off += 16384)
		frame(&b, 1, line + off, n + 1 - off < 16384 ? n + 1 - off : 16384);
	frame_str(&b, 1, "next\n");
	size_t pieces[] = {1, 4096, 16384, 7, 100000};
	for (size_t p = 0; p <= 5; p++) {
		struct got g = {0};
		struct logstream *ls = logstream_new(&MUX, collect, &g);
		size_t off = 0, k = 0;
		while (off < b.len) {
			size_t len = p == 5 ? b.len : pieces[k++ % (p + 1)];
			if (len > b.len - off)
				len = b.len - off;
			assert_int_equal(logstream_feed(ls, b.p + off, len, NULL), 0);
			off += len;
		}
		assert_int_equal(logstream_finish(ls, NULL), 0);
		assert_int_equal(logstream_cut_lines(ls), 1);
		logstream_free(&ls);
		assert_int_equal(g.n, 2);
		assert_int_equal(g.v[0].len, LOGSTREAM_LINE_MAX);
		assert_int_equal(g.v[0].cut, n - LOGSTREAM_LINE_MAX);
		assert_int_equal(strspn(g.v[0].text, "x"), LOGSTREAM_LINE_MAX);
		assert_string_equal(g.v[1].text, "next");
		assert_int_equal(g.v[1].cut, 0);
		got_clear(&g);
	}
	/* Raw, in one piece: no copy on the way, still cut. */
	struct got g = {0};
	assert_int_equal(decode(&RAW, line, n + 1, NULL, 0, &g, NULL), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].len, LOGSTREAM_LINE_MAX);
	assert_int_equal(g.v[0].cut, n - LOGSTREAM_LINE_MAX);
	got_clear(&g);
	free(line);
	free(b.p);
}

static void test_small_cap_and_crlf_at_the_cut(void **state)
{
	(void)state;
	struct logstream_opts o = {.multiplexed = false, .line_max = 8};
	struct got g = {0};
	const char *in = "12345678\r\n"     /* exactly the cap, CRLF: whole */
	                 "123456789\r\n"    /* one over: the CR is not counted as cut */
	                 "1234567\r\r\n"    /* a CR that is text, then the line's own */
	                 "abcdefghijklmnop\n";
	for (size_t step = 0; step <= 3; step++) {
		assert_int_equal(decode(&o, in, strlen(in), step ? &step : NULL, 1, &g, NULL), 0);
		assert_int_equal(g.n, 4);
		assert_string_equal(g.v[0].text, "12345678");
		assert_int_equal(g.v[0].cut, 0);
		assert_string_equal(g.v[1].text, "12345678");
		assert_int_equal(g.v[1].cut, 1);
		assert_string_equal(g.v[2].text, "1234567\r");
		assert_int_equal(g.v[2].cut, 0);
		assert_string_equal(g.v[3].text, "abcdefgh");
		assert_int_equal(g.v[3].cut, 8);
		got_clear(&g);
	}
}

static void test_cut_on_a_character_boundary(void **state)
{
	(void)state;
	struct logstream_opts o = {.multiplexed = false, .line_max = 8};
	struct got g = {0};
	/* "abcdef€gh": the euro sign (3 bytes) straddles the 8-byte cap: it goes whole. */
	const char *in = "abcdef\xe2\x82\xac" "gh\n"
	                 "abcde\xe2\x82\xac" "gh\n"          /* fits exactly */
	                 "abcdefg\xf0\x9f\xa7\xaa\n";        /* a 4-byte emoji after 7 bytes */
	for (size_t step = 0; step <= 2; step++) {
		assert_int_equal(decode(&o, in, strlen(in), step ? &step : NULL, 1, &g, NULL), 0);
		assert_int_equal(g.n, 3);
		assert_string_equal(g.v[0].text, "abcdef");
		assert_int_equal(g.v[0].cut, 5);
		assert_string_equal(g.v[1].text, "abcde\xe2\x82\xac");
		assert_int_equal(g.v[1].cut, 2);
		assert_string_equal(g.v[2].text, "abcdefg");
		assert_int_equal(g.v[2].cut, 4);
		got_clear(&g);
	}
	/* Invalid bytes are not the decoder's business: kept as they are for the sanitiser. */
	const char *bad = "abcdefg\x80\x80\x80\x80\n";
	assert_int_equal(decode(&o, bad, strlen(bad), NULL, 0, &g, NULL), 0);
	assert_int_equal(g.v[0].len, 8);
	assert_int_equal(g.v[0].cut, 3);
	got_clear(&g);
}

/* A job that writes forever without a newline: the decoder keeps line_max bytes, no more. */
static void test_endless_line(void **state)
{
	(void)state;
	struct got g = {0};
	struct logstream *ls = logstream_new(&MUX, collect, &g);
	char payload[16384];
	memset(payload, 'y', sizeof payload);
	struct buf b = {0};
	frame(&b, 1, payload, sizeof payload);
	for (int i = 0; i < 640; i++)   /* 10 MiB */
		assert_int_equal(logstream_feed(ls, b.p, b.len, NULL), 0);
	assert_int_equal(g.n, 0);
	b.len = 0;
	frame_str(&b, 1, "\n");
	assert_int_equal(logstream_feed(ls, b.p, b.len, NULL), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].len, LOGSTREAM_LINE_MAX);
	assert_int_equal(g.v[0].cut, (uint64_t)640 * 16384 - LOGSTREAM_LINE_MAX);
	assert_int_equal(logstream_finish(ls, NULL), 0);
	logstream_free(&ls);
	got_clear(&g);
	free(b.p);
}

/* ---- Randomized: any chunking decodes as one piece does ---- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

static void random_text(struct buf *b, size_t n)
{
	static const char *const atoms[] = {"a", "b", "Z", " ", "\n", "\r", "\r\n", "\x1b[31m", "\t",
	                                    "\xe2\x82\xac", "\xf0\x9f\xa7\xaa", "\x80", "\0", TS1 " "};
	for (size_t i = 0; i < n; i++) {
		const char *a = atoms[rnd() % (sizeof atoms / sizeof atoms[0])];
		buf_add(b, a, a[0] ? strlen(a) : 1);
	}
}

static void test_random_chunking(void **state)
{
	(void)state;
	size_t lines = 0, cut = 0, stamped = 0, engine = 0;
	for (unsigned seed = 1; seed <= 300; seed++) {
		rng_state = seed;
		bool mux = seed % 2, ts = seed % 3 == 0;
		struct logstream_opts o = {.multiplexed = mux, .timestamps = ts,
		                           .line_max = seed % 5 == 0 ? 16 : 0};
		struct buf b = {0};
		size_t frames = 1 + rnd() % 40;
		for (size_t f = 0; f < frames; f++) {
			struct buf p = {0};
			if (ts && rnd() % 4)
				buf_add(&p, rnd() % 2 ? TS1 " " : TS2 " ", strlen(TS1) + 1);
			random_text(&p, rnd() % 60);
			if (mux)
				frame(&b, rnd() % 4, p.p ? p.p : "", p.len);
			else
				buf_add(&b, p.p ? p.p : "", p.len);
			free(p.p);
		}
		if (!b.p)
			continue;
		struct got whole = {0};
		char *err = NULL;
		assert_int_equal(decode(&o, b.p, b.len, NULL, 0, &whole, &err), 0);
		for (int round = 0; round < 20; round++) {
			size_t pieces[16];
			for (size_t i = 0; i < 16; i++)
				pieces[i] = 1 + rnd() % (round < 10 ? 9 : 200);
			struct got g = {0};
			assert_int_equal(decode(&o, b.p, b.len, pieces, 16, &g, &err), 0);
			assert_same(&whole, &g);
			got_clear(&g);
		}
		/* Nothing a line says exceeds the cap, and no line has a newline in it. */
		for (size_t i = 0; i < whole.n; i++) {
			assert_true(whole.v[i].len <= (o.line_max ? o.line_max : LOGSTREAM_LINE_MAX));
			assert_null(memchr(whole.v[i].text, '\n', whole.v[i].len));
			cut += whole.v[i].cut > 0;
			stamped += whole.v[i].ts_ns != 0;
			engine += whole.v[i].stream == LOG_ENGINE;
		}
		lines += whole.n;
		got_clear(&whole);
		free(b.p);
	}
	/* The streams did exercise what they should. */
	assert_true(lines > 5000);
	assert_true(cut > 100);
	assert_true(stamped > 500);
	assert_true(engine > 500);
}

/* ---- Formatting ---- */

static void test_format(void **state)
{
	(void)state;
	char buf[64];
	log_cut_marker(buf, sizeof buf, 34464, false);
	assert_string_equal(buf, "\u2026 [34464 bytes cut]");
	log_cut_marker(buf, sizeof buf, 1, true);
	assert_string_equal(buf, "... [1 bytes cut]");
	log_cut_marker(buf, 8, 123456, true);
	assert_string_equal(buf, "... [12");
	log_format_time(buf, sizeof buf, TS1_NS);
	assert_string_equal(buf, TS1);
	log_format_time(buf, sizeof buf, 1);
	assert_string_equal(buf, "1970-01-01T00:00:00.000000001Z");
}

/* ---- The request ---- */

static void test_logs_path(void **state)
{
	(void)state;
	struct logs_request r = {.tail = -1};
	char *p = logs_path("abc123", &r);
	assert_string_equal(p, "/services/abc123/logs?stdout=1&stderr=1&timestamps=0&tail=all&follow=0");
	free(p);
	r = (struct logs_request){.tail = 0, .follow = true, .timestamps = true};
	p = logs_path("abc123", &r);
	assert_string_equal(p, "/services/abc123/logs?stdout=1&stderr=1&timestamps=1&tail=0&follow=1");
	free(p);
	r.tail = 250;
	p = logs_path("a/b?c d", &r);
	assert_string_equal(p, "/services/a%2Fb%3Fc%20d/logs?stdout=1&stderr=1&timestamps=1&tail=250&follow=1");
	free(p);
	/* One task's logs, and a reopen from a time: seconds and nanoseconds, as the engine reads. */
	r = (struct logs_request){.task_id = "t/1", .tail = -1, .follow = true, .timestamps = true,
	                          .since_ns = INT64_C(1795335104000000042)};
	p = logs_path("abc123", &r);
	assert_string_equal(p, "/tasks/t%2F1/logs?stdout=1&stderr=1&timestamps=1&tail=all&follow=1"
	                       "&since=1795335104.000000042");
	free(p);
}

struct people {
	char admins[32];
	struct policy pol;
	char owner_k[32], alice_v[16], carol_v[16], id[8];
	struct label owner, other;
	struct service mine, theirs, nobodys;
};

/* alice, a researcher, owns "mine"; carol owns "theirs"; "nobodys" has no owner label. */
static void people_init(struct people *p, enum researcher_logs level)
{
	memset(p, 0, sizeof *p);
	strcpy(p->admins, "glovebox-admins");
	p->pol.admin_group = p->admins;
	p->pol.researcher_logs = level;
	strcpy(p->owner_k, "glovebox.owner");
	strcpy(p->alice_v, "alice");
	strcpy(p->carol_v, "carol");
	strcpy(p->id, "svc1");
	p->owner = (struct label){.key = p->owner_k, .value = p->alice_v};
	p->other = (struct label){.key = p->owner_k, .value = p->carol_v};
	p->mine = (struct service){.id = p->id, .labels = {&p->owner, 1}};
	p->theirs = (struct service){.id = p->id, .labels = {&p->other, 1}};
	p->nobodys = (struct service){.id = p->id};
}

/* The caller decides the role (roles.h); here bob is the admin. */
static int authorize(const struct policy *pol, const char *user, const struct service *s,
                     struct logs_request *r, char **err)
{
	return logs_authorize(pol, strcmp(user, "bob") == 0, user, s, r, err);
}

static void test_authorize(void **state)
{
	(void)state;
	struct people p;
	char *err = NULL;
	struct logs_request r;

	/* full: a researcher reads all of their own job, nothing of anyone else's. */
	people_init(&p, LOGS_FULL);
	r = (struct logs_request){.tail = -1, .follow = true};
	assert_int_equal(authorize(&p.pol, "alice", &p.mine, &r, &err), 0);
	assert_int_equal(r.tail, -1);
	assert_false(r.capped);
	assert_int_equal(authorize(&p.pol, "alice", &p.theirs, &r, &err), -1);
	assert_string_equal(err, "this job is not yours: only its owner and the admins (root and the "
	                         "members of group glovebox-admins) may read its logs");
	free(err);
	err = NULL;
	assert_int_equal(authorize(&p.pol, "alice", &p.nobodys, &r, &err), -1);
	assert_non_null(strstr(err, "has no owner"));
	free(err);
	err = NULL;
	/* Admins read every job, whole, whatever researcher_logs says. */
	for (int level = LOGS_FULL; level <= LOGS_NONE; level++) {
		people_init(&p, (enum researcher_logs)level);
		r = (struct logs_request){.tail = -1};
		assert_int_equal(authorize(&p.pol, "bob", &p.theirs, &r, &err), 0);
		assert_int_equal(authorize(&p.pol, "bob", &p.nobodys, &r, &err), 0);
		assert_int_equal(r.tail, -1);
		assert_false(r.capped);
	}

	/* tail: at most the last 100 lines of the past; follow stays. */
	people_init(&p, LOGS_TAIL);
	r = (struct logs_request){.tail = -1, .follow = true};
	assert_int_equal(authorize(&p.pol, "alice", &p.mine, &r, &err), 0);
	assert_int_equal(r.tail, LOGS_TAIL_LINES);
	assert_true(r.capped);
	assert_true(r.follow);
	r = (struct logs_request){.tail = 5000};
	assert_int_equal(authorize(&p.pol, "alice", &p.mine, &r, &err), 0);
	assert_int_equal(r.tail, 100);
	assert_true(r.capped);
	r = (struct logs_request){.tail = 20};
	assert_int_equal(authorize(&p.pol, "alice", &p.mine, &r, &err), 0);
	assert_int_equal(r.tail, 20);
	assert_false(r.capped);
	r = (struct logs_request){.tail = 100};
	assert_int_equal(authorize(&p.pol, "alice", &p.mine, &r, &err), 0);
	assert_false(r.capped);

	/* none: refused, with the reason. */
	people_init(&p, LOGS_NONE);
	r = (struct logs_request){.tail = 10};
	assert_int_equal(authorize(&p.pol, "alice", &p.mine, &r, &err), -1);
	assert_string_equal(err, "the platform's policy does not show job logs to researchers "
	                         "(researcher_logs is \"none\"): ask an admin (group glovebox-admins)");
	free(err);
	err = NULL;

	/* No policy: researchers read the full logs of their own jobs, nothing else. */
	people_init(&p, LOGS_NONE);
	r = (struct logs_request){.tail = -1};
	assert_int_equal(authorize(NULL, "alice", &p.mine, &r, &err), 0);
	assert_int_equal(r.tail, -1);
	assert_int_equal(authorize(NULL, "alice", &p.theirs, &r, &err), -1);
	assert_string_equal(err, "this job is not yours: only its owner and root may read its logs "
	                         "(without a policy, root is the only admin)");
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mux_basic),
		cmocka_unit_test(test_mux_split_at_every_byte),
		cmocka_unit_test(test_mux_engine_error_frames),
		cmocka_unit_test(test_mux_zero_length_frames),
		cmocka_unit_test(test_mux_absurd_frame_length),
		cmocka_unit_test(test_mux_bad_headers),
		cmocka_unit_test(test_mux_truncated),
		cmocka_unit_test(test_finish_twice),
		cmocka_unit_test(test_mux_timestamps),
		cmocka_unit_test(test_timestamps_that_are_not),
		cmocka_unit_test(test_raw_tty),
		cmocka_unit_test(test_raw_timestamps),
		cmocka_unit_test(test_long_line_cut),
		cmocka_unit_test(test_small_cap_and_crlf_at_the_cut),
		cmocka_unit_test(test_cut_on_a_character_boundary),
		cmocka_unit_test(test_endless_line),
		cmocka_unit_test(test_random_chunking),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_logs_path),
		cmocka_unit_test(test_authorize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
