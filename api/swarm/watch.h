/* What keeps a cluster fresh under a loop that runs for long (the console's): when to refresh
 * and sample, the engine's /events stream, and the backoff while the engine is away.
 *
 * The schedule (docs/architecture.md, "The watch", says why):
 *   - refresh (services, tasks, nodes; /info at most once a minute, cluster.c) every
 *     refresh_ms, default WATCH_REFRESH_MS (`--refresh`): the engine sends no task events, so
 *     tasks are polled;
 *   - usage samples of the connected node's running containers every sample_ms, once a
 *     refresh has succeeded and while no error stands;
 *   - the /events stream (service, node and container events), opened once the version is
 *     negotiated and while no error stands. An event, or a line over WATCH_EVENTS_LINE_MAX,
 *     asks for a refresh WATCH_COALESCE_MS later, so a burst of events makes one refresh. When
 *     the stream ends it asks for a refresh (for what it missed) and opens again after a
 *     backoff of its own; data on it resets that backoff;
 *   - a failed refresh keeps the last data; the stream is closed, the engine's version
 *     forgotten (it may come back another version), and the next refresh waits a backoff:
 *     WATCH_BACKOFF_FIRST_MS doubling up to WATCH_BACKOFF_MAX_MS, +-WATCH_JITTER_PERCENT %
 *     so many consoles do not reconnect in step, one attempt more per failed round. The
 *     first good refresh after failures resets both backoffs and samples and opens the
 *     stream at once.
 *
 * Driving it, each loop turn: watch_tick(now) runs what is due; after the cluster told its
 * listener that something arrived or failed, watch_cluster_changed(now); the loop waits at
 * most until watch_next_ms(). Times are CLOCK_MONOTONIC milliseconds (mono_ns() / 1000000),
 * always passed in: the engine's callbacks only note what happened and the next watch_tick()
 * or watch_cluster_changed() acts on it, so the schedule depends only on the times it is
 * given. Nothing here blocks.
 *
 * Ownership: the engine and the cluster are borrowed and must outlive the watch; the watch
 * owns its events request (cancelled by watch_free) and never sets the cluster's listener,
 * which belongs to the loop's owner. No global state. */
#ifndef GB_API_WATCH_H
#define GB_API_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/engine/engine.h"
#include "api/swarm/cluster.h"

#define WATCH_REFRESH_MS 2000           /* tasks and usage, unless --refresh says otherwise */
#define WATCH_COALESCE_MS 150           /* events to the refresh they ask for */
#define WATCH_BACKOFF_FIRST_MS 500
#define WATCH_BACKOFF_MAX_MS 30000
#define WATCH_JITTER_PERCENT 20
#define WATCH_EVENTS_LINE_MAX (1u << 20) /* bytes; a longer line is dropped, a refresh catches up */
/* {"type":["service","node","container"]}: what changes the picture; tasks have no events. */
#define WATCH_EVENTS_PATH \
	"/events?filters=%7B%22type%22%3A%5B%22service%22%2C%22node%22%2C%22container%22%5D%7D"

struct watch;

struct watch_opts {
	int refresh_ms;     /* <= 0: WATCH_REFRESH_MS */
	int sample_ms;      /* <= 0: refresh_ms */
	unsigned seed;      /* of the jitter; 0: from the process ID and the clock. Tests fix it. */
};

/* e and c are borrowed; opts may be NULL and is copied. Starts nothing: the first
 * watch_tick() refreshes at once. Never NULL. */
struct watch *watch_new(struct engine *e, struct cluster *c, const struct watch_opts *opts);
/* Cancels the events stream; leaves the cluster's own requests to cluster_free(). */
void watch_free(struct watch **w);

/* Run what is due at now: a refresh, a usage sample, opening the events stream. */
void watch_tick(struct watch *w, int64_t now_ms);
/* The nearest deadline of the schedule (monotonic ms), for the loop's wait; in the past when
 * something waits for watch_tick(). Samples and the stream count only while connected, so a
 * loop does not spin while the engine is away. */
int64_t watch_next_ms(const struct watch *w);
/* A refresh WATCH_COALESCE_MS after the next watch_tick(), unless one is due sooner (a key, a
 * job just submitted). */
void watch_request_refresh(struct watch *w);
/* After the cluster reported success or failure (its listener): on an error, close the
 * stream, forget the engine's version and, once the round is over, schedule the retry after a
 * backoff; on a new good refresh, reset the backoffs. */
void watch_cluster_changed(struct watch *w, int64_t now_ms);

/* While the cluster has an error, what the status line says, into buf:
 * "stale for 12s, reconnecting in 3s: <error>" once data arrived, else
 * "reconnecting in 3s: <error>" (the error unsanitised: the status line sanitises). Returns
 * false and "" while there is no error. */
bool watch_status(const struct watch *w, int64_t now_ms, char *buf, size_t sz);

/* The backoff before attempt number attempt (0 = the first retry): WATCH_BACKOFF_FIRST_MS
 * doubled attempt times, at most WATCH_BACKOFF_MAX_MS, plus a jitter of (rnd % 41 - 20) % of
 * it. Pure. */
int64_t watch_backoff_ms(unsigned attempt, unsigned rnd);

/* The schedule as it stands, for tests and for a loop that wants to show it. */
struct watch_state {
	int64_t next_refresh, next_sample, next_events;   /* monotonic ms */
	unsigned attempts;          /* failed refresh rounds in a row */
	unsigned events_attempts;   /* times the stream ended without data since */
	bool retry_scheduled;       /* next_refresh is a backoff retry */
	bool events_open;
	bool refresh_asked;         /* a refresh asked for, applied at the next watch_tick() */
	int64_t last_ok_ms;         /* when a good refresh was last seen, 0 = never */
};
void watch_get_state(const struct watch *w, struct watch_state *out);

/* ---- the events stream's line framing ---- */

/* The stream is JSON, one event per line, in chunks that split lines anywhere. */
struct event_lines {
	char *buf;          /* owned: the line so far */
	size_t len, cap;
	bool dropping;      /* inside a line over WATCH_EVENTS_LINE_MAX: skipped to its end */
};

/* Take a chunk. Returns how many complete lines were events (decode_event() read them); blank
 * and unreadable lines are skipped. *dropped (may be NULL) gets how many lines were over
 * WATCH_EVENTS_LINE_MAX, each dropped whole. */
size_t event_lines_feed(struct event_lines *l, const char *data, size_t len, size_t *dropped);
/* Forget a partial line (the stream ended); keeps the buffer. */
void event_lines_reset(struct event_lines *l);
/* Free the buffer. */
void event_lines_clear(struct event_lines *l);

#endif
