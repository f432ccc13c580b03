#include "api/swarm/logstream.h"

#include <glib.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/base/chars.h"
#include "api/base/err.h"
#include "api/base/str.h"
#include "api/base/timefmt.h"
#include "api/base/xalloc.h"
#include "api/engine/decode.h"
#include "api/engine/jsonout.h"

/* "2026-11-22T08:11:44.123456789+01:00" is 35 bytes; anything longer is not a timestamp. */
#define TS_MAX 40

/* The line being assembled on one stream. */
struct line_buf {
	char *buf;              /* line_max bytes, allocated on first use */
	size_t len;
	uint64_t cut;           /* bytes not kept */
	bool cut_cr;            /* the last byte not kept was '\r' */
	int64_t ts_ns;          /* of this line */
	int64_t frame_ts;       /* of the message being read (multiplexed) */
	bool want_ts;           /* the next bytes are a timestamp prefix */
	char ts[TS_MAX + 1];
	size_t ts_len;
};

struct logstream {
	struct logstream_opts o;
	logstream_line_fn fn;
	void *ud;
	struct line_buf lb[3];  /* by enum log_stream */
	bool in_payload;        /* else reading a header */
	unsigned char hdr[8];
	size_t hdr_len;
	uint32_t remaining;     /* payload bytes left in the frame */
	enum log_stream cur;
	bool failed, finished;
	uint64_t lines, engine_errors, cut_lines;
};

struct logstream *logstream_new(const struct logstream_opts *opts, logstream_line_fn fn, void *ud)
{
	struct logstream *ls = xcalloc(1, sizeof *ls);
	if (opts)
		ls->o = *opts;
	if (ls->o.line_max == 0)
		ls->o.line_max = LOGSTREAM_LINE_MAX;
	ls->fn = fn;
	ls->ud = ud;
	/* A raw stream has no frames: a timestamp starts every line. */
	if (!ls->o.multiplexed)
		ls->lb[LOG_STDOUT].want_ts = ls->o.timestamps;
	return ls;
}

void logstream_free(struct logstream **pls)
{
	struct logstream *ls = *pls;
	if (!ls)
		return;
	for (int i = 0; i < 3; i++)
		free(ls->lb[i].buf);
	free(ls);
	*pls = NULL;
}

uint64_t logstream_lines(const struct logstream *ls) { return ls->lines; }
uint64_t logstream_engine_errors(const struct logstream *ls) { return ls->engine_errors; }
uint64_t logstream_cut_lines(const struct logstream *ls) { return ls->cut_lines; }

static void append(struct logstream *ls, struct line_buf *lb, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (!lb->buf)
		lb->buf = xmalloc(ls->o.line_max);
	size_t keep = ls->o.line_max - lb->len;
	if (keep > n)
		keep = n;
	memcpy(lb->buf + lb->len, p, keep);
	lb->len += keep;
	if (n > keep) {
		lb->cut += n - keep;
		lb->cut_cr = p[n - 1] == '\r';
	}
}

/* Pass a line on. text/len is what is kept, cut what is not; the end of line is already off. */
static void emit(struct logstream *ls, enum log_stream s, const char *text, size_t len,
                 uint64_t cut, int64_t ts_ns, bool partial)
{
	if (cut > 0 && len > 0) {
		/* Do not keep half a character: back off an incomplete UTF-8 sequence at the cut. */
		size_t i = len, back = 0;
		while (i > 0 && back < 3 && ((unsigned char)text[i - 1] & 0xC0) == 0x80)
			i--, back++;
		unsigned char lead = i > 0 ? (unsigned char)text[i - 1] : 0;
		if (lead >= 0xC0) {
			size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
			size_t have = len - (i - 1);
			if (have < need) {
				cut += have;
				len -= have;
			}
		}
	}
	struct log_line l = {
		.text = text, .len = len, .cut = cut, .ts_ns = ts_ns, .stream = s, .partial = partial,
	};
	ls->lines++;
	if (s == LOG_ENGINE)
		ls->engine_errors++;
	if (cut > 0)
		ls->cut_lines++;
	if (ls->fn)
		ls->fn(ls->ud, &l);
}

static void line_reset(struct logstream *ls, struct line_buf *lb, enum log_stream s)
{
	lb->len = 0;
	lb->cut = 0;
	lb->cut_cr = false;
	/* Further lines of the same message share its timestamp; in a raw stream each line has its own. */
	lb->ts_ns = ls->o.multiplexed ? lb->frame_ts : 0;
	lb->want_ts = !ls->o.multiplexed && ls->o.timestamps && s != LOG_ENGINE;
	lb->ts_len = 0;
}

static bool ts_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == ':' || c == 'T' || c == '.' || c == 'Z' ||
	       c == '+' || c == 't' || c == 'z';
}

/* Read a timestamp prefix from p; returns how many bytes were consumed. What turns out not to
 * be a timestamp becomes text. */
static size_t take_ts(struct logstream *ls, struct line_buf *lb, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == ' ') {
			lb->ts[lb->ts_len] = '\0';
			int64_t t = decode_time(lb->ts);
			lb->want_ts = false;
			if (t < 0) {
				append(ls, lb, lb->ts, lb->ts_len);
				append(ls, lb, " ", 1);
			} else {
				lb->frame_ts = t;
				/* A later message of a line cut into several keeps the first one's time. */
				if (lb->len == 0 && lb->cut == 0)
					lb->ts_ns = t;
			}
			lb->ts_len = 0;
			return i + 1;
		}
		if (!ts_char(c) || lb->ts_len == TS_MAX) {
			append(ls, lb, lb->ts, lb->ts_len);
			lb->ts_len = 0;
			lb->want_ts = false;
			return i;
		}
		lb->ts[lb->ts_len++] = c;
	}
	return n;
}

/* Payload bytes of stream s. */
static void process(struct logstream *ls, enum log_stream s, const char *p, size_t n)
{
	struct line_buf *lb = &ls->lb[s];
	while (n > 0) {
		if (lb->want_ts) {
			size_t k = take_ts(ls, lb, p, n);
			p += k;
			n -= k;
			continue;
		}
		const char *nl = memchr(p, '\n', n);
		if (!nl) {
			append(ls, lb, p, n);
			return;
		}
		size_t k = (size_t)(nl - p);
		if (lb->len == 0 && lb->cut == 0) {
			/* The whole line is here: no copy. */
			if (k > 0 && p[k - 1] == '\r')
				k--;
			size_t keep = k < ls->o.line_max ? k : ls->o.line_max;
			emit(ls, s, p, keep, k - keep, lb->ts_ns, false);
		} else {
			append(ls, lb, p, k);
			if (lb->cut > 0 && lb->cut_cr)
				lb->cut--;
			else if (lb->cut == 0 && lb->len > 0 && lb->buf[lb->len - 1] == '\r')
				lb->len--;
			emit(ls, s, lb->buf, lb->len, lb->cut, lb->ts_ns, false);
		}
		line_reset(ls, lb, s);
		k = (size_t)(nl - p) + 1;
		p += k;
		n -= k;
	}
}

/* A timestamp prefix the frame ended in is text after all. */
static void flush_ts(struct logstream *ls, struct line_buf *lb)
{
	if (lb->want_ts) {
		append(ls, lb, lb->ts, lb->ts_len);
		lb->ts_len = 0;
		lb->want_ts = false;
	}
}

static int logstream_fail(struct logstream *ls, char **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int logstream_fail(struct logstream *ls, char **err, const char *fmt, ...)
{
	ls->failed = true;
	va_list ap;
	va_start(ap, fmt);
	err_vset(err, fmt, ap);
	va_end(ap);
	return -1;
}

int logstream_feed(struct logstream *ls, const char *data, size_t len, char **err)
{
	if (ls->failed || ls->finished)
		return logstream_fail(ls, err, "%s", ls->finished ? "the log stream has ended"
		                                        : "the log stream failed earlier");
	if (!ls->o.multiplexed) {
		process(ls, LOG_STDOUT, data, len);
		return 0;
	}
	while (len > 0) {
		if (!ls->in_payload) {
			size_t k = sizeof ls->hdr - ls->hdr_len;
			if (k > len)
				k = len;
			memcpy(ls->hdr + ls->hdr_len, data, k);
			ls->hdr_len += k;
			data += k;
			len -= k;
			if (ls->hdr_len < sizeof ls->hdr)
				return 0;
			const unsigned char *h = ls->hdr;
			ls->hdr_len = 0;
			if (h[0] > 3 || h[1] || h[2] || h[3])
				return logstream_fail(ls, err,
					"the log stream is not multiplexed as expected (a frame header starts "
					"with %02x %02x %02x %02x): did the job's TTY setting change? Try again",
					h[0], h[1], h[2], h[3]);
			uint32_t size = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
			if (size > LOGSTREAM_FRAME_MAX)
				return logstream_fail(ls, err,
					"the log stream is corrupt: a frame of %" PRIu32 " bytes, where the engine "
					"sends at most a few KiB (glovebox accepts up to %" PRIu32 ")",
					size, LOGSTREAM_FRAME_MAX);
			if (size == 0)
				continue;
			ls->cur = h[0] == 3 ? LOG_ENGINE : h[0] == 2 ? LOG_STDERR : LOG_STDOUT;
			ls->remaining = size;
			ls->in_payload = true;
			/* Every message starts with its timestamp; the daemon's own errors have none. */
			struct line_buf *lb = &ls->lb[ls->cur];
			lb->want_ts = ls->o.timestamps && ls->cur != LOG_ENGINE;
			lb->ts_len = 0;
			lb->frame_ts = 0;
			if (lb->len == 0 && lb->cut == 0)
				lb->ts_ns = 0;
			continue;
		}
		size_t k = ls->remaining < len ? ls->remaining : len;
		process(ls, ls->cur, data, k);
		data += k;
		len -= k;
		ls->remaining -= (uint32_t)k;
		if (ls->remaining == 0) {
			flush_ts(ls, &ls->lb[ls->cur]);
			ls->in_payload = false;
		}
	}
	return 0;
}

int logstream_finish(struct logstream *ls, char **err)
{
	if (ls->failed || ls->finished)
		return logstream_fail(ls, err, "%s", ls->finished ? "the log stream has ended"
		                                        : "the log stream failed earlier");
	ls->finished = true;
	bool truncated = ls->o.multiplexed && (ls->in_payload || ls->hdr_len > 0);
	for (int s = 0; s < 3; s++) {
		struct line_buf *lb = &ls->lb[s];
		flush_ts(ls, lb);
		if (lb->len > 0 || lb->cut > 0)
			emit(ls, (enum log_stream)s, lb->buf, lb->len, lb->cut, lb->ts_ns, true);
		line_reset(ls, lb, (enum log_stream)s);
	}
	if (truncated) {
		if (err)
			*err = xstrdup("the log stream ended in the middle of a frame");
		return -1;
	}
	return 0;
}

void log_cut_marker(char *buf, size_t sz, uint64_t cut, bool ascii)
{
	snprintf(buf, sz, "%s [%" PRIu64 " bytes cut]", ascii ? "..." : "\u2026", cut);
}

void log_format_time(char *buf, size_t sz, int64_t ts_ns)
{
	char t[TIME_ISO8601_NS_SIZE];
	time_iso8601_ns(ts_ns < 0 ? 0 : ts_ns, 9, t);
	snprintf(buf, sz, "%s", t);
}

/* ---- What to ask for, and who may ---- */

char *logs_path(const char *service_id, const struct logs_request *req)
{
	GString *p = g_string_new(req->task_id ? "/tasks/" : "/services/");
	for (const char *c = req->task_id ? req->task_id : service_id; *c; c++) {
		unsigned char u = (unsigned char)*c;
		if (char_is_name(u))
			g_string_append_c(p, (char)u);
		else
			g_string_append_printf(p, "%%%02X", u);
	}
	g_string_append_printf(p, "/logs?stdout=1&stderr=1&timestamps=%d", req->timestamps ? 1 : 0);
	if (req->tail < 0)
		g_string_append(p, "&tail=all");
	else
		g_string_append_printf(p, "&tail=%ld", req->tail);
	g_string_append_printf(p, "&follow=%d", req->follow ? 1 : 0);
	if (req->since_ns > 0)
		g_string_append_printf(p, "&since=%lld.%09lld", (long long)(req->since_ns / 1000000000LL),
		                       (long long)(req->since_ns % 1000000000LL));
	char *out = xstrdup(p->str);
	g_string_free(p, TRUE);
	return out;
}

int logs_authorize(const struct policy *pol, bool admin, const char *user,
                   const struct service *s, struct logs_request *req, char **err)
{
	req->capped = false;
	const char *group = pol ? pol->admin_group : NULL;
	if (admin)
		return 0;
	const char *owner = labels_get(&s->labels, "glovebox.owner");
	if (!owner || !user || strcmp(owner, user) != 0) {
		const char *who = owner ? "this job is not yours" : "this job has no owner (label glovebox.owner)";
		if (group)
			*err = xasprintf("%s: only its owner and the admins (root and the members of group %s) "
			                 "may read its logs", who, group);
		else
			*err = xasprintf("%s: only its owner and root may read its logs (without a policy, "
			                 "root is the only admin)", who);
		return -1;
	}
	switch (pol ? pol->researcher_logs : LOGS_FULL) {
	case LOGS_FULL:
		break;
	case LOGS_TAIL:
		if (req->tail < 0 || req->tail > LOGS_TAIL_LINES) {
			req->tail = LOGS_TAIL_LINES;
			req->capped = true;
		}
		break;
	case LOGS_NONE:
		*err = xasprintf("the platform's policy does not show job logs to researchers "
		                 "(researcher_logs is \"none\"): ask an admin (group %s)", group ? group : "?");
		return -1;
	}
	return 0;
}

/* ---- Streaming ---- */

struct logs_stream {
	struct engine *e;
	struct engine_req *req;     /* the logs */
	struct engine_req *watch;   /* events: the job's removal, when following */
	struct logstream *dec;
	logstream_line_fn line;
	logs_end_fn end;
	void *ud;
	char *error;                /* the decoder's, when it stopped the transfer */
	bool removed;

	/* Reopening a followed stream that the connection cut (see logs_stream_open). */
	char *service_id;
	bool tty;
	char *task_id;              /* rq.task_id points here */
	struct logs_request rq;     /* as opened */
	int64_t last_ts;            /* the newest timestamp passed on */
	unsigned at_last;           /* lines passed on with exactly that timestamp */
	unsigned skip;              /* of those, still to skip after a reopen */
	bool got_data;              /* the current transfer brought bytes */
	unsigned attempts;          /* reopens in a row without data */
	int64_t reopen_at;          /* monotonic ms; 0: not waiting */
	char *cut_error;            /* why the stream was cut, while waiting */
	uint64_t reopens;
};

/* Flush the decoder and tell the owner; the owner may free ls, so nothing touches it after. */
static void stream_end(struct logs_stream *ls, const char *error, bool unreachable)
{
	char *decoder_error = ls->error, *finish_error = NULL;
	ls->error = NULL;
	ls->reopen_at = 0;
	engine_cancel_clear(ls->e, &ls->req);
	engine_cancel_clear(ls->e, &ls->watch);
	/* Lines without a newline yet are shown even when the connection broke. */
	if (!decoder_error)
		logstream_finish(ls->dec, &finish_error);
	struct logs_end how = {
		.error = ls->removed ? NULL : decoder_error ? decoder_error : error ? error : finish_error,
		.unreachable = !decoder_error && unreachable,
		.removed = ls->removed,
	};
	ls->end(ls->ud, &how);
	free(decoder_error);
	free(finish_error);
}

/* Every line on its way to the owner: after a reopen, the lines of the last timestamp that
 * were passed on already come again (since= includes its second's fraction) and are skipped. */
static void stream_line(void *ud, const struct log_line *line)
{
	struct logs_stream *ls = ud;
	if (line->ts_ns > 0 && ls->rq.timestamps) {
		if (line->ts_ns < ls->last_ts)
			return;                       /* older than what was shown: already shown */
		if (line->ts_ns == ls->last_ts && ls->skip > 0) {
			ls->skip--;
			return;
		}
		ls->skip = 0;
		if (line->ts_ns == ls->last_ts) {
			ls->at_last++;
		} else {
			ls->last_ts = line->ts_ns;
			ls->at_last = 1;
		}
	}
	ls->line(ls->ud, line);
}

static int on_log_data(void *ud, const char *data, size_t len)
{
	struct logs_stream *ls = ud;
	ls->got_data = true;
	ls->attempts = 0;
	return logstream_feed(ls->dec, data, len, &ls->error) == 0 ? 0 : -1;
}

static void stream_request(struct logs_stream *ls);

/* The transfer ended. A followed stream that the connection cut (no HTTP error, no decoder
 * error, the job not removed) is opened again later from its last timestamp; anything else
 * ends the stream. */
static void on_log_done(void *ud, const struct engine_reply *r)
{
	struct logs_stream *ls = ud;
	ls->req = NULL;
	bool cut = r->error && (r->status == 0 || r->status < 300);
	if (!ls->rq.follow || !ls->rq.timestamps || !cut || ls->error || ls->removed) {
		stream_end(ls, r->error, r->unreachable);
		return;
	}
	/* What came of an unfinished line comes again, whole, after the reopen. */
	struct logstream_opts o = {.multiplexed = !ls->tty, .timestamps = true};
	logstream_free(&ls->dec);
	ls->dec = logstream_new(&o, stream_line, ls);
	int64_t wait = LOGS_REOPEN_FIRST_MS;
	for (unsigned k = 0; k < ls->attempts && wait < LOGS_REOPEN_MAX_MS; k++)
		wait *= 2;
	ls->attempts++;
	ls->reopen_at = mono_ns() / 1000000 + (wait < LOGS_REOPEN_MAX_MS ? wait : LOGS_REOPEN_MAX_MS);
	free(ls->cut_error);
	ls->cut_error = xstrdup(r->error);
}

/* Only remove events of this service pass the filter: any byte means it is gone. A transfer
 * cannot be cancelled from inside another's data callback, so stop this one and end in done. */
static int on_watch_data(void *ud, const char *data, size_t len)
{
	struct logs_stream *ls = ud;
	(void)data, (void)len;
	ls->removed = true;
	return -1;
}

static void on_watch_done(void *ud, const struct engine_reply *r)
{
	struct logs_stream *ls = ud;
	(void)r;
	ls->watch = NULL;
	/* A watch that failed only means the stream will not end by itself on removal (a reopen
	 * opens it again). */
	if (ls->removed)
		stream_end(ls, NULL, false);
}

static char *removal_watch_path(const char *service_id)
{
	json_t *f = json_pack("{s:{s:b}, s:{s:b}, s:{s:b}}", "type", "service", 1,
	                      "event", "remove", 1, "service", service_id, 1);
	if (!f)
		return NULL;
	char *q = jsonout_query(f);
	/* Replay the last minute, in case the job went between finding it and now. */
	char *path = xasprintf("/events?since=%lld&filters=%s", (long long)time(NULL) - 60, q);
	free(q);
	return path;
}

/* The logs request, and the removal watch when following and none is open; from the last
 * timestamp passed on after a cut. */
static void stream_request(struct logs_stream *ls)
{
	struct logs_request rq = ls->rq;
	if (ls->last_ts > 0) {
		rq.since_ns = ls->last_ts;
		rq.tail = -1;
		ls->skip = ls->at_last;
	}
	ls->got_data = false;
	char *path = logs_path(ls->service_id, &rq);
	ls->req = engine_stream(ls->e, path, "reading the job's logs", on_log_data, on_log_done, ls);
	free(path);
	if (rq.follow && !ls->watch && (path = removal_watch_path(ls->service_id))) {
		ls->watch = engine_stream(ls->e, path, "watching for the job's removal", on_watch_data,
		                          on_watch_done, ls);
		free(path);
	}
}

struct logs_stream *logs_stream_open(struct engine *e, const struct service *s,
                                     const struct logs_request *req, logstream_line_fn line,
                                     logs_end_fn end, void *ud)
{
	struct logs_stream *ls = xcalloc(1, sizeof *ls);
	struct logstream_opts o = {.multiplexed = !s->tty, .timestamps = req->timestamps};
	ls->e = e;
	ls->line = line;
	ls->end = end;
	ls->ud = ud;
	ls->service_id = xstrdup(s->id ? s->id : "");
	ls->tty = s->tty;
	ls->rq = *req;
	ls->task_id = req->task_id ? xstrdup(req->task_id) : NULL;
	ls->rq.task_id = ls->task_id;
	ls->dec = logstream_new(&o, stream_line, ls);
	stream_request(ls);
	return ls;
}

int logs_stream_wait_ms(const struct logs_stream *ls, int64_t now_ms)
{
	if (!ls || !ls->reopen_at)
		return -1;
	return ls->reopen_at <= now_ms ? 0 : (int)(ls->reopen_at - now_ms);
}

void logs_stream_tick(struct logs_stream *ls, int64_t now_ms)
{
	if (!ls || !ls->reopen_at || now_ms < ls->reopen_at)
		return;
	ls->reopen_at = 0;
	ls->reopens++;
	stream_request(ls);
}

const char *logs_stream_cut(const struct logs_stream *ls, int64_t now_ms, int *in_s)
{
	if (!ls || !ls->reopen_at)
		return NULL;
	if (in_s)
		*in_s = (int)((ls->reopen_at - now_ms + 999) / 1000 > 0 ? (ls->reopen_at - now_ms + 999) / 1000 : 0);
	return ls->cut_error;
}

uint64_t logs_stream_reopens(const struct logs_stream *ls)
{
	return ls ? ls->reopens : 0;
}

void logs_stream_free(struct logs_stream **pls)
{
	struct logs_stream *ls = *pls;
	if (!ls)
		return;
	engine_cancel_clear(ls->e, &ls->req);
	engine_cancel_clear(ls->e, &ls->watch);
	free(ls->service_id);
	free(ls->task_id);
	free(ls->cut_error);
	logstream_free(&ls->dec);
	free(ls->error);
	free(ls);
	*pls = NULL;
}

const struct logstream *logs_stream_decoder(const struct logs_stream *ls) { return ls->dec; }

/* ---- Finding the job ---- */

struct resolve {
	logs_resolved_fn fn;
	void *ud;
	char *want;
	const struct actor *actor;  /* borrowed; NULL sees everything */
	int pending;
	bool unreachable;
	char *error;
	struct service_list by_name, by_id;
};

static void resolve_take(struct resolve *rs, struct service_list *dst, const struct engine_reply *r)
{
	char *err = NULL;
	rs->pending--;
	if (r->error) {
		if (!rs->error)
			rs->error = xstrdup(r->error);
		rs->unreachable |= r->unreachable;
	} else if (decode_services(r->body, r->len, dst, &err) != 0) {
		if (!rs->error)
			rs->error = xasprintf("the engine's list of services cannot be read: %s", err);
		free(err);
	}
}

static void resolve_end(struct resolve *rs)
{
	const struct service *found = NULL;
	size_t prefix_hits = 0;
	const struct service *prefix = NULL;
	char *msg = NULL;
	bool not_found = false;

	if (rs->error)
		goto out;
	for (size_t i = 0; !found && i < rs->by_name.n; i++)
		if (str_eq(rs->by_name.v[i].name, rs->want) &&
		    (!rs->actor || actor_sees_service(rs->actor, &rs->by_name.v[i])))
			found = &rs->by_name.v[i];
	for (size_t i = 0; !found && i < rs->by_id.n; i++) {
		const char *id = rs->by_id.v[i].id;
		if (!id || strncmp(id, rs->want, strlen(rs->want)) != 0)
			continue;
		if (rs->actor && !actor_sees_service(rs->actor, &rs->by_id.v[i]))
			continue;
		if (strcmp(id, rs->want) == 0)
			found = &rs->by_id.v[i];
		prefix_hits++;
		prefix = &rs->by_id.v[i];
	}
	if (!found && prefix_hits == 1)
		found = prefix;
	if (!found) {
		not_found = true;
		msg = prefix_hits > 1
		      ? xasprintf("this is the start of the IDs of %zu jobs: give more of the ID", prefix_hits)
		      : xstrdup("no job has this name or ID (glovebox ls lists them)");
	}
out:
	rs->fn(rs->ud, found, found ? NULL : msg ? msg : rs->error, not_found, rs->unreachable);
	free(msg);
	free(rs->error);
	free(rs->want);
	service_list_clear(&rs->by_name);
	service_list_clear(&rs->by_id);
	free(rs);
}

static void on_by_name(void *ud, const struct engine_reply *r)
{
	struct resolve *rs = ud;
	resolve_take(rs, &rs->by_name, r);
	if (rs->pending == 0)
		resolve_end(rs);
}

static void on_by_id(void *ud, const struct engine_reply *r)
{
	struct resolve *rs = ud;
	resolve_take(rs, &rs->by_id, r);
	if (rs->pending == 0)
		resolve_end(rs);
}

/* "/services?filters={"<key>":{"<value>":true}}", URL-encoded. */
static char *services_filter_path(const char *key, const char *value)
{
	/* A value that is not UTF-8 names no service; the caller compares with the original. */
	gchar *valid = g_utf8_make_valid(value, -1);
	char *f = jsonout_query(json_pack("{s:{s:b}}", key, valid, 1));
	g_free(valid);
	char *path = xasprintf("/services?filters=%s", f);
	free(f);
	return path;
}

void logs_resolve(struct engine *e, const char *name_or_id, const struct actor *a,
                  logs_resolved_fn fn, void *ud)
{
	struct resolve *rs = xcalloc(1, sizeof *rs);
	rs->actor = a;
	rs->fn = fn;
	rs->ud = ud;
	rs->want = xstrdup(name_or_id);
	rs->pending = 2;
	char *by_name = services_filter_path("name", name_or_id);
	char *by_id = services_filter_path("id", name_or_id);
	engine_request(e, "GET", by_name, NULL, "looking for the job", on_by_name, rs);
	engine_request(e, "GET", by_id, NULL, "looking for the job", on_by_id, rs);
	free(by_name);
	free(by_id);
}
