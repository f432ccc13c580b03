/* The refresh schedule, the events stream and the backoff: see watch.h. */
#include "api/swarm/watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/base/xalloc.h"
#include "api/engine/decode.h"

struct watch {
	struct engine *engine;          /* borrowed */
	struct cluster *cluster;        /* borrowed */
	int refresh_ms, sample_ms;
	unsigned rng;                   /* rand_r state of the jitter */

	int64_t next_refresh, next_sample, next_events;
	unsigned attempts;              /* failed refresh rounds in a row */
	bool retry_scheduled;           /* next_refresh is a backoff retry */
	int64_t last_ok_ns;             /* cluster_updated_ns() of the last good refresh seen */
	int64_t last_ok_ms;             /* when it was seen, for "stale for" */

	/* Noted by the engine's callbacks, acted on with the time of the next tick. */
	bool refresh_asked;
	bool events_ended;

	struct engine_req *events;      /* the /events stream while open */
	struct event_lines lines;
	unsigned events_attempts;
};

int64_t watch_backoff_ms(unsigned attempt, unsigned rnd)
{
	int64_t ms = WATCH_BACKOFF_FIRST_MS;
	for (unsigned i = 0; i < attempt && ms < WATCH_BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > WATCH_BACKOFF_MAX_MS)
		ms = WATCH_BACKOFF_MAX_MS;
	int jitter = (int)(rnd % (2 * WATCH_JITTER_PERCENT + 1)) - WATCH_JITTER_PERCENT;
	return ms + ms * jitter / 100;
}

static int64_t backoff(struct watch *w, unsigned attempt)
{
	return watch_backoff_ms(attempt, (unsigned)rand_r(&w->rng));
}

struct watch *watch_new(struct engine *e, struct cluster *c, const struct watch_opts *opts)
{
	struct watch *w = xcalloc(1, sizeof *w);
	w->engine = e;
	w->cluster = c;
	w->refresh_ms = opts && opts->refresh_ms > 0 ? opts->refresh_ms : WATCH_REFRESH_MS;
	w->sample_ms = opts && opts->sample_ms > 0 ? opts->sample_ms : w->refresh_ms;
	/* Per process, so consoles started together still spread their retries. */
	w->rng = opts && opts->seed ? opts->seed : (unsigned)getpid() ^ (unsigned)time(NULL);
	return w;
}

static void events_stop(struct watch *w)
{
	engine_cancel_clear(w->engine, &w->events);   /* calls nothing back; its ud is w */
	w->events_ended = false;
	event_lines_reset(&w->lines);
}

void watch_free(struct watch **pw)
{
	struct watch *w = *pw;
	if (!w)
		return;
	events_stop(w);
	event_lines_clear(&w->lines);
	free(w);
	*pw = NULL;
}

void watch_request_refresh(struct watch *w)
{
	w->refresh_asked = true;
}

/* --- the events stream --- */

static int on_events_data(void *ud, const char *data, size_t len)
{
	struct watch *w = ud;
	size_t dropped = 0;
	/* An oversize line asks too: what it said is lost, a refresh catches up. */
	if (event_lines_feed(&w->lines, data, len, &dropped) > 0 || dropped > 0)
		w->refresh_asked = true;
	w->events_attempts = 0;   /* the stream works */
	return 0;
}

static void on_events_done(void *ud, const struct engine_reply *r)
{
	struct watch *w = ud;
	(void)r;   /* why it ended does not change what to do: open it again later */
	w->events = NULL;
	event_lines_reset(&w->lines);
	w->events_ended = true;
}

static void events_start(struct watch *w)
{
	w->events = engine_stream(w->engine, WATCH_EVENTS_PATH, "following engine events",
	                          on_events_data, on_events_done, w);
}

/* What the callbacks noted, at the time of the tick that follows them. */
static void take_notes(struct watch *w, int64_t now)
{
	if (w->events_ended) {
		w->events_ended = false;
		w->next_events = now + backoff(w, w->events_attempts++);
		w->refresh_asked = true;   /* what happened while it was closed */
	}
	if (w->refresh_asked) {
		w->refresh_asked = false;
		if (w->next_refresh > now + WATCH_COALESCE_MS)
			w->next_refresh = now + WATCH_COALESCE_MS;
	}
}

/* --- the schedule --- */

static bool connected(const struct watch *w)
{
	return cluster_updated_ns(w->cluster) && !cluster_error(w->cluster);
}

void watch_tick(struct watch *w, int64_t now)
{
	take_notes(w, now);
	if (now >= w->next_refresh) {
		w->retry_scheduled = false;
		cluster_refresh(w->cluster);
		w->next_refresh = now + w->refresh_ms;
	}
	if (now >= w->next_sample && connected(w)) {
		cluster_sample(w->cluster, false);
		w->next_sample = now + w->sample_ms;
	}
	if (!w->events && now >= w->next_events && engine_api_minor(w->engine) &&
	    !cluster_error(w->cluster))
		events_start(w);
}

int64_t watch_next_ms(const struct watch *w)
{
	if (w->refresh_asked || w->events_ended)
		return 0;   /* long past: the loop turns at once and watch_tick() takes the notes */
	int64_t t = w->next_refresh;
	/* Samples and the stream wait for a good refresh (watch_tick skips them until then): their
	 * deadlines must not wake the loop meanwhile, or it spins while the engine is away. */
	bool up = connected(w);
	if (up && w->next_sample < t)
		t = w->next_sample;
	if (up && !w->events && engine_api_minor(w->engine) && w->next_events < t)
		t = w->next_events;
	return t;
}

void watch_cluster_changed(struct watch *w, int64_t now)
{
	take_notes(w, now);   /* in the order they happened: a stream's end before this */
	if (cluster_error(w->cluster)) {
		/* Keep the last data; try again later, ever more slowly. */
		events_stop(w);
		engine_reset_version(w->engine);
		if (!cluster_busy(w->cluster) && !w->retry_scheduled) {
			w->next_refresh = now + backoff(w, w->attempts++);
			w->retry_scheduled = true;
		}
	} else if (cluster_updated_ns(w->cluster) != w->last_ok_ns) {
		w->last_ok_ns = cluster_updated_ns(w->cluster);
		w->last_ok_ms = now;
		if (w->attempts) {   /* just recovered: sample and follow events again at once */
			w->next_sample = now;
			w->next_events = now;
		}
		w->attempts = 0;
		w->events_attempts = 0;
	}
}

bool watch_status(const struct watch *w, int64_t now, char *buf, size_t sz)
{
	const char *err = cluster_error(w->cluster);
	if (sz)
		buf[0] = '\0';
	if (!err)
		return false;
	int64_t wait = (w->next_refresh - now + 999) / 1000;
	if (wait < 0)
		wait = 0;
	if (w->last_ok_ns)
		snprintf(buf, sz, "stale for %llds, reconnecting in %llds: %s",
		         (long long)((now - w->last_ok_ms) / 1000), (long long)wait, err);
	else
		snprintf(buf, sz, "reconnecting in %llds: %s", (long long)wait, err);
	return true;
}

void watch_get_state(const struct watch *w, struct watch_state *out)
{
	*out = (struct watch_state){
		.next_refresh = w->next_refresh, .next_sample = w->next_sample,
		.next_events = w->next_events, .attempts = w->attempts,
		.events_attempts = w->events_attempts, .retry_scheduled = w->retry_scheduled,
		.events_open = w->events != NULL, .refresh_asked = w->refresh_asked,
		.last_ok_ms = w->last_ok_ns ? w->last_ok_ms : 0,
	};
}

/* --- line framing --- */

static bool is_event(const char *line, size_t n)
{
	if (n == 0)
		return false;
	struct event ev;
	bool ok = decode_event(line, n, &ev, NULL) == 0;
	event_clear(&ev);
	return ok;
}

size_t event_lines_feed(struct event_lines *l, const char *data, size_t len, size_t *dropped)
{
	size_t events = 0, drops = 0;
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t seg = nl ? (size_t)(nl - data) : len;
		if (l->dropping) {
			/* the rest of a line already dropped */
		} else if (nl && l->len == 0) {
			if (seg <= WATCH_EVENTS_LINE_MAX)
				events += is_event(data, seg);   /* whole in the chunk: no copy */
			else
				drops++;
		} else if (l->len + seg > WATCH_EVENTS_LINE_MAX) {
			l->len = 0;
			l->dropping = true;
			drops++;
		} else {
			if (l->len + seg > l->cap) {
				size_t cap = l->cap ? l->cap : 4096;
				while (cap < l->len + seg)
					cap *= 2;
				if (cap > WATCH_EVENTS_LINE_MAX)
					cap = WATCH_EVENTS_LINE_MAX;
				l->buf = xrealloc(l->buf, cap);
				l->cap = cap;
			}
			memcpy(l->buf + l->len, data, seg);
			l->len += seg;
			if (nl) {
				events += is_event(l->buf, l->len);
				l->len = 0;
			}
		}
		if (nl) {
			l->dropping = false;
			seg++;
		}
		data += seg;
		len -= seg;
	}
	if (dropped)
		*dropped = drops;
	return events;
}

void event_lines_reset(struct event_lines *l)
{
	l->len = 0;
	l->dropping = false;
}

void event_lines_clear(struct event_lines *l)
{
	free(l->buf);
	memset(l, 0, sizeof *l);
}
