/* A job's logs: GET /services/{id}/logs decoded into lines, who may read them, and a stream
 * object that ties the two to the engine (docs/logs.md).
 *
 * The decoder is incremental: it is fed the body in whatever pieces libcurl delivers and calls
 * back once per complete line, so neither a caller's loop nor its memory depends on how much
 * a job prints. Two framings, chosen by the caller from the service's ContainerSpec.TTY
 * (struct service.tty), because the Content-Type header cannot be trusted below API 1.42:
 * - multiplexed (TTY off): frames of an 8-byte header [type,0,0,0,len_be32] and len bytes;
 *   type 0 (stdin, treated as stdout) and 1 are stdout, 2 is stderr, 3 is an error the daemon
 *   reports about the logs themselves ("Error grabbing logs: ..."). Headers and payloads may be
 *   split anywhere across pieces. Each stream has its own line buffer, so stdout and stderr
 *   pieces of long lines cannot mix.
 * - raw (TTY on): the bytes as the terminal produced them, all stdout, lines ending in CRLF.
 *
 * Lines end at '\n'; one '\r' before it is dropped too. With timestamps=1 the engine puts an
 * RFC 3339 time with nanoseconds and a space before every message; the decoder takes it off
 * the text and hands it over separately (ts_ns), so a viewer can show or hide it. The engine
 * splits lines longer than 16 KiB into several messages, each with its own timestamp: in
 * multiplexed streams the decoder sees the message boundaries and removes the inner ones; in
 * raw streams it cannot tell them from text, so they stay in the line.
 *
 * A line keeps at most line_max bytes (64 KiB by default); the rest is counted, not kept, and
 * the line says how much was cut. A line never grows beyond that however long the job writes
 * without a newline, so the decoder holds at most one line_max buffer per stream. */
#ifndef GB_API_SWARM_LOGSTREAM_H
#define GB_API_SWARM_LOGSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/core/policy.h"
#include "api/core/roles.h"
#include "api/engine/engine.h"
#include "api/engine/model.h"

#define LOGSTREAM_LINE_MAX  ((size_t)64 << 10)   /* default bytes kept of one line */
#define LOGSTREAM_FRAME_MAX ((uint32_t)1 << 20)  /* a longer frame means a corrupt stream */
#define LOGS_TAIL_LINES     100                  /* what researcher_logs "tail" shows of the past */
#define LOGS_REOPEN_FIRST_MS 500                 /* a cut followed stream: first wait to reopen */
#define LOGS_REOPEN_MAX_MS   30000               /* doubling up to this */

enum log_stream {
	LOG_STDOUT,
	LOG_STDERR,
	LOG_ENGINE,   /* the daemon's own error about the logs (frame type 3): not the job's output */
};

/* One line. Everything is borrowed and valid only during the callback. */
struct log_line {
	const char *text;      /* the line without its end of line or timestamp; NOT NUL-terminated,
	                        * may contain any byte: sanitise before showing it */
	size_t len;            /* at most line_max; a cut line ends on a UTF-8 character boundary */
	uint64_t cut;          /* bytes of the line that were not kept (0: the line is whole) */
	int64_t ts_ns;         /* the engine's timestamp (unix ns), 0 without timestamps */
	enum log_stream stream;
	bool partial;          /* the stream ended before this line's newline */
};

typedef void (*logstream_line_fn)(void *ud, const struct log_line *line);

struct logstream_opts {
	bool multiplexed;      /* false for TTY services (raw stream) */
	bool timestamps;       /* the request had timestamps=1: take the prefix off every message */
	size_t line_max;       /* bytes kept of one line; 0 = LOGSTREAM_LINE_MAX */
};

struct logstream;

/* A decoder that calls fn(ud, line) for every line. Never NULL. */
struct logstream *logstream_new(const struct logstream_opts *opts, logstream_line_fn fn, void *ud);
void logstream_free(struct logstream **ls);

/* Decode len more bytes. Lines complete within them are passed to fn before this returns
 * (fn must not free the decoder). Returns 0, or -1 with *err (owned by the caller) when the
 * stream is not what it should be: a header with an unknown type or nonzero padding, or a
 * frame longer than LOGSTREAM_FRAME_MAX (usually a raw stream read as multiplexed). After an
 * error every call fails. */
int logstream_feed(struct logstream *ls, const char *data, size_t len, char **err);

/* The stream ended: pass on the lines that have no newline yet (partial). Returns -1 with
 * *err when it ended in the middle of a frame (the lines are passed on all the same). */
int logstream_finish(struct logstream *ls, char **err);

/* Counters since logstream_new: lines passed on (engine errors included), engine error lines,
 * and lines that were cut. */
uint64_t logstream_lines(const struct logstream *ls);
uint64_t logstream_engine_errors(const struct logstream *ls);
uint64_t logstream_cut_lines(const struct logstream *ls);

/* What follows a cut line's text: "… [N bytes cut]" ("... [N bytes cut]" when ascii).
 * Writes at most sz bytes, NUL-terminated. */
void log_cut_marker(char *buf, size_t sz, uint64_t cut, bool ascii);

/* "2026-11-22T08:11:44.123456789Z", as docker logs --timestamps shows it (UTC, 9 digits). */
void log_format_time(char *buf, size_t sz, int64_t ts_ns);

/* ---- What to ask for, and who may ---- */

struct logs_request {
	const char *task_id;   /* NULL: the job's (all its tasks); else this task's only */
	int64_t since_ns;      /* 0: from the start; else lines from this time on (unix ns) */
	long tail;             /* the last N lines of the past, -1 = all of them */
	bool follow;           /* then keep the stream open for new lines */
	bool timestamps;       /* ask for timestamps (the decoder takes them off the text) */
	bool capped;           /* out: logs_authorize lowered tail to LOGS_TAIL_LINES */
};

/* "/services/<id>/logs?stdout=1&stderr=1&timestamps=0|1&tail=all|N&follow=0|1[&since=S.N]",
 * or "/tasks/<task id>/logs?..." when req->task_id is set. The id is percent-encoded. New
 * string. */
char *logs_path(const char *service_id, const struct logs_request *req);

/* Whether user may read the logs of s, and how much. admin is the caller's role as roles.h
 * decides it (role_of(): root, or a member of a trusted policy's admin_group); pol may be NULL
 * (no policy is published or installed: there is no rule to apply beyond ownership).
 * - Admins read the full logs of every job.
 * - Anyone else reads only jobs labelled glovebox.owner=<user>, and as much of them as
 *   pol->researcher_logs says (full without a policy): "full"; "tail": at most the last
 *   LOGS_TAIL_LINES lines of the past (req->tail is lowered and req->capped set), following new
 *   lines is allowed; "none": refused.
 * Returns 0, or -1 with *err (a sentence, owned by the caller) when refused. */
int logs_authorize(const struct policy *pol, bool admin, const char *user,
                   const struct service *s, struct logs_request *req, char **err);

/* ---- Streaming ---- */

/* How a stream ended. Borrowed during the callback. */
struct logs_end {
	const char *error;     /* NULL when the engine ended the stream (without follow: every line
	                        * was sent) or the job was removed; else a sentence */
	bool unreachable;      /* the engine could not be reached */
	bool removed;          /* following, and the job was removed */
};

/* Called once when the stream is over. It may free the stream. */
typedef void (*logs_end_fn)(void *ud, const struct logs_end *end);

struct logs_stream;

/* GET the logs of s (borrowed during the call) as req says, which the caller has authorised,
 * decoding with s->tty. Lines go to line as they arrive, from inside engine_poll(); the
 * caller keeps driving the engine. When following, a second stream watches the engine's
 * events for the job's removal (the engine keeps a follow stream open after the job is gone)
 * and ends the stream then. e is borrowed and must outlive the stream. Never NULL; errors
 * arrive through end. line must not free the stream: set a flag and free it after
 * engine_poll() returns. */
struct logs_stream *logs_stream_open(struct engine *e, const struct service *s,
                                     const struct logs_request *req, logstream_line_fn line,
                                     logs_end_fn end, void *ud);
/* Stops the stream if it still runs (end is not called then). */
void logs_stream_free(struct logs_stream **ls);

/* A followed stream with timestamps whose connection is cut (the engine went away, a proxy or
 * the network dropped it: no HTTP error, the job not removed) does not end: it is opened again
 * from the last timestamp it passed on, after LOGS_REOPEN_FIRST_MS doubling up to
 * LOGS_REOPEN_MAX_MS while reopens bring nothing, and the lines of that last timestamp that
 * were passed on already are skipped, so the owner sees every line once. The owner drives it:
 * logs_stream_tick(now) from its loop, logs_stream_wait_ms(now) in its timeout (-1: nothing
 * to wait for). Times are CLOCK_MONOTONIC ms. A job removed meanwhile ends the stream as
 * "removed"; any HTTP error on the reopen (404: the job is gone) ends it with that error. */
void logs_stream_tick(struct logs_stream *ls, int64_t now_ms);
int logs_stream_wait_ms(const struct logs_stream *ls, int64_t now_ms);
/* While a cut stream waits to reopen: why it was cut (borrowed), and *in_s the seconds until
 * the next try; NULL when it is not waiting. */
const char *logs_stream_cut(const struct logs_stream *ls, int64_t now_ms, int *in_s);
/* How many times it was opened again. */
uint64_t logs_stream_reopens(const struct logs_stream *ls);
/* The decoder's counters (see above). */
const struct logstream *logs_stream_decoder(const struct logs_stream *ls);

/* ---- Finding the job ---- */

/* s is the service found, borrowed during the call; NULL with error (a sentence) when there is
 * none. not_found tells "no such job" apart from a failed request. */
typedef void (*logs_resolved_fn)(void *ud, const struct service *s, const char *error,
                                 bool not_found, bool unreachable);

/* Find a service by exact name, else by full ID, else by a unique ID prefix (as docker does):
 * the engine's name and id filters match prefixes, so the candidates are compared here. Only
 * services a (borrowed; NULL: everyone's) sees are candidates: to a researcher another user's
 * job does not exist, not even as one more match of an ID prefix. Calls fn exactly once, from
 * inside engine_poll(). */
void logs_resolve(struct engine *e, const char *name_or_id, const struct actor *a,
                  logs_resolved_fn fn, void *ud);

#endif
