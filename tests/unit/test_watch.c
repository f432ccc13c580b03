/* watch.h: the backoff arithmetic, the events stream's line framing, and the schedule the
 * console follows, driven with the times the test gives against an engine that is missing and
 * a scripted one on a unix socket that can go down and come back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/base/xalloc.h"
#include "api/engine/endpoint.h"
#include "api/engine/engine.h"
#include "api/swarm/watch.h"
#include "tests/unit/support.h"

#define SEED 7u

/* ---- the backoff ---- */

static void test_backoff(void **state)
{
	(void)state;
	/* rnd % 41 == 20 is no jitter. */
	const int64_t want[] = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
	for (unsigned a = 0; a < sizeof want / sizeof want[0]; a++)
		assert_int_equal(watch_backoff_ms(a, 20), want[a]);
	/* The ends of the jitter: -20 % and +20 %. */
	assert_int_equal(watch_backoff_ms(0, 0), 400);
	assert_int_equal(watch_backoff_ms(0, 40), 600);
	assert_int_equal(watch_backoff_ms(0, 41), 400);   /* rnd wraps */
	assert_int_equal(watch_backoff_ms(1, 30), 1100);
	assert_int_equal(watch_backoff_ms(9, 0), 24000);
	assert_int_equal(watch_backoff_ms(9, 40), 36000);
	/* Attempts without end stay at the cap, whatever the counter says. */
	assert_int_equal(watch_backoff_ms(1000000, 20), 30000);
	assert_int_equal(watch_backoff_ms(UINT32_MAX, 20), 30000);
	for (unsigned r = 0; r < 200; r++) {
		int64_t ms = watch_backoff_ms(3, r);
		assert_true(ms >= 3200 && ms <= 4800);
	}
}

/* ---- line framing ---- */

static void test_lines_split(void **state)
{
	(void)state;
	size_t len, dropped = 9;
	char *events = fixture_read("json/events.jsonl", &len);   /* 5 events, one per line */
	struct event_lines l = {0};

	/* Whole: five events. */
	assert_int_equal(event_lines_feed(&l, events, len, &dropped), 5);
	assert_int_equal(dropped, 0);
	assert_int_equal(l.len, 0);

	/* A byte at a time: each event counts once, at its newline. */
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += event_lines_feed(&l, events + i, 1, NULL);
	assert_int_equal(n, 5);

	/* Chunks cutting lines anywhere, as curl hands them over. */
	for (size_t step = 7; step < 400; step += 61) {
		n = 0;
		for (size_t i = 0; i < len; i += step)
			n += event_lines_feed(&l, events + i, i + step < len ? step : len - i, NULL);
		assert_int_equal(n, 5);
		assert_int_equal(l.len, 0);
	}

	/* Blank and unreadable lines are no events; a partial line waits for its end. */
	const char *junk = "\n\nnot json\n{\"Type\":";
	assert_int_equal(event_lines_feed(&l, junk, strlen(junk), NULL), 0);
	assert_int_equal(l.len, strlen("{\"Type\":"));
	const char *rest = "\"node\",\"Action\":\"update\"}\n";
	assert_int_equal(event_lines_feed(&l, rest, strlen(rest), NULL), 1);

	/* The stream ended mid-line: what was left is not glued to the next stream's first line. */
	assert_int_equal(event_lines_feed(&l, "{\"Type\":\"ser", 12, NULL), 0);
	event_lines_reset(&l);
	assert_int_equal(event_lines_feed(&l, events, len, NULL), 5);
	event_lines_clear(&l);
	assert_null(l.buf);
	free(events);
}

static void test_lines_oversize(void **state)
{
	(void)state;
	const char *ev = "{\"Type\":\"service\",\"Action\":\"update\"}\n";
	size_t evlen = strlen(ev), big = WATCH_EVENTS_LINE_MAX + 100, dropped = 0;
	char *junk = xmalloc(big);
	memset(junk, 'x', big);
	struct event_lines l = {0};

	/* An event, then a line over the cap in pieces, then an event in the same chunk as its end. */
	assert_int_equal(event_lines_feed(&l, ev, evlen, &dropped), 1);
	assert_int_equal(event_lines_feed(&l, junk, 4096, &dropped), 0);
	assert_int_equal(dropped, 0);
	assert_int_equal(event_lines_feed(&l, junk, big - 4096, &dropped), 0);
	assert_int_equal(dropped, 1);
	assert_true(l.dropping);
	assert_true(l.cap <= WATCH_EVENTS_LINE_MAX);       /* never holds more than the cap */
	assert_int_equal(event_lines_feed(&l, junk, 5000, &dropped), 0);   /* still the same line */
	assert_int_equal(dropped, 0);
	char *tail = xasprintf("xxxx\n%s", ev);
	assert_int_equal(event_lines_feed(&l, tail, strlen(tail), &dropped), 1);
	assert_int_equal(dropped, 0);
	assert_false(l.dropping);
	free(tail);

	/* A whole line over the cap inside one chunk, between two events. */
	char *chunk = xmalloc(big + 2 * evlen + 1);
	memcpy(chunk, ev, evlen);
	memset(chunk + evlen, 'y', big);
	chunk[evlen + big] = '\n';
	memcpy(chunk + evlen + big + 1, ev, evlen);
	assert_int_equal(event_lines_feed(&l, chunk, big + 2 * evlen + 1, &dropped), 2);
	assert_int_equal(dropped, 1);

	/* Exactly at the cap is still a line (not an event, but not dropped). */
	memset(chunk, 'z', WATCH_EVENTS_LINE_MAX);
	chunk[WATCH_EVENTS_LINE_MAX] = '\n';
	assert_int_equal(event_lines_feed(&l, chunk, 10, &dropped), 0);
	assert_int_equal(event_lines_feed(&l, chunk + 10, WATCH_EVENTS_LINE_MAX + 1 - 10, &dropped), 0);
	assert_int_equal(dropped, 0);
	event_lines_clear(&l);
	free(chunk);
	free(junk);
}

/* ---- a scripted engine ---- */

struct fake {
	char dir[64], sock[128];
	int fd;
	pthread_t thread;
	pthread_mutex_t mu;
	bool down;               /* every request but /_ping answers 500 */
	unsigned events, refreshes, stats;
	char *bodies[6];
	volatile bool stop;
};

enum { B_INFO, B_SERVICES, B_TASKS, B_NODES, B_EVENTS, B_STATS };

static void reply(int c, int status, const char *body)
{
	char head[256];
	size_t len = strlen(body);
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\n"
	                 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, len);
	/* The client may be gone (a cancelled stream): no SIGPIPE for the test. */
	if (send(c, head, (size_t)n, MSG_NOSIGNAL) < 0 || (len && send(c, body, len, MSG_NOSIGNAL) < 0))
		return;
}

/* The request line's path; the rest of the request is read and ignored (GETs only). */
static char *read_path(int c)
{
	char buf[8192];
	size_t n = 0;
	while (n < sizeof buf - 1) {
		ssize_t r = read(c, buf + n, sizeof buf - 1 - n);
		if (r <= 0)
			return NULL;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	char *sp1 = strchr(buf, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	return sp2 ? xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1)) : NULL;
}

static void *serve(void *arg)
{
	struct fake *f = arg;
	while (!f->stop) {
		struct pollfd p = {f->fd, POLLIN, 0};
		if (poll(&p, 1, 20) <= 0)
			continue;
		int c = accept(f->fd, NULL, NULL);
		if (c < 0)
			continue;
		char *path = read_path(c);
		const char *p1 = path && strncmp(path, "/v1.41", 6) == 0 ? path + 6 : path;
		pthread_mutex_lock(&f->mu);
		const char *body = NULL;
		int status = 200;
		if (!p1) {
			status = 400, body = "{\"message\":\"bad request\"}";
		} else if (strcmp(p1, "/_ping") == 0) {
			body = "OK";
		} else if (f->down) {
			status = 500, body = "{\"message\":\"the test engine is down\"}";
		} else if (strncmp(p1, "/info", 5) == 0) {
			body = f->bodies[B_INFO];
		} else if (strncmp(p1, "/services", 9) == 0) {
			body = f->bodies[B_SERVICES];
			f->refreshes++;
		} else if (strncmp(p1, "/tasks", 6) == 0) {
			body = f->bodies[B_TASKS];
		} else if (strncmp(p1, "/nodes", 6) == 0) {
			body = f->bodies[B_NODES];
		} else if (strncmp(p1, "/events", 7) == 0) {
			/* The whole stream at once, then its end: the watch opens it again later. */
			body = strstr(p1, "type%22%3A%5B%22service%22%2C%22node%22%2C%22container") ? f->bodies[B_EVENTS] : "";
			f->events++;
		} else if (strncmp(p1, "/containers/", 12) == 0) {
			body = strstr(p1, "/stats") ? f->bodies[B_STATS] : "{\"State\":{\"OOMKilled\":true,\"ExitCode\":137}}";
			f->stats++;
		} else {
			status = 404, body = "{\"message\":\"no such route\"}";
		}
		pthread_mutex_unlock(&f->mu);
		reply(c, status, body);
		free(path);
		close(c);
	}
	return NULL;
}

static struct fake *fake_start(void)
{
	struct fake *f = xcalloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/gbtest-watch-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sock, sizeof f->sock, "%s/engine.sock", f->dir);
	f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->fd >= 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, f->sock);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(f->fd, 16), 0);
	const char *names[] = {"json/info.json", "json/services.json", "json/tasks.json",
	                       "json/nodes.json", "json/events.jsonl", "json/stats-oneshot.json"};
	for (size_t i = 0; i < 6; i++)
		f->bodies[i] = fixture_read(names[i], NULL);
	pthread_mutex_init(&f->mu, NULL);
	assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
	return f;
}

static void fake_set_down(struct fake *f, bool down)
{
	pthread_mutex_lock(&f->mu);
	f->down = down;
	pthread_mutex_unlock(&f->mu);
}

static unsigned fake_count(struct fake *f, const unsigned *what)
{
	pthread_mutex_lock(&f->mu);
	unsigned n = *what;
	pthread_mutex_unlock(&f->mu);
	return n;
}

static void fake_stop(struct fake *f)
{
	f->stop = true;
	pthread_join(f->thread, NULL);
	close(f->fd);
	unlink(f->sock);
	rmdir(f->dir);
	for (size_t i = 0; i < 6; i++)
		free(f->bodies[i]);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* An engine, a cluster whose listener tells the watch, and the watch. */
struct rig {
	struct endpoint ep;
	struct engine *e;
	struct cluster *c;
	struct watch *w;
	bool changed;
	int64_t now;             /* the time the test says it is */
};

static void on_changed(void *ud)
{
	struct rig *r = ud;
	r->changed = true;
}

static void rig_open(struct rig *r, const char *sock)
{
	memset(r, 0, sizeof *r);
	struct endpoint_env env = {0};
	char *err = NULL;
	char *host = xasprintf("unix://%s", sock);
	assert_int_equal(endpoint_resolve(host, &env, &r->ep, &err), 0);
	free(host);
	struct engine_opts opts = {.timeout_ms = 5000};
	r->e = engine_new(&r->ep, &opts, &err);
	assert_non_null(r->e);
	r->c = cluster_new(r->e);
	cluster_set_listener(r->c, on_changed, r);
	r->w = watch_new(r->e, r->c, &(struct watch_opts){.seed = SEED});
}

static void rig_close(struct rig *r)
{
	watch_free(&r->w);
	assert_null(r->w);
	watch_free(&r->w);
	cluster_free(&r->c);
	engine_free(&r->e);
	endpoint_clear(&r->ep);
}

/* Run the transfers until the cluster and the events stream are done, telling the watch of
 * each change as the console's loop does; the test's clock stands still meanwhile. */
static void settle(struct rig *r)
{
	int64_t give_up = mono_ns() + 10 * 1000000000LL;
	struct watch_state st;
	do {
		assert_true(mono_ns() < give_up);
		assert_int_equal(engine_poll(r->e, NULL, 0, 20), 0);
		if (r->changed) {
			r->changed = false;
			watch_cluster_changed(r->w, r->now);
		}
		watch_get_state(r->w, &st);
	} while (cluster_busy(r->c) || st.events_open);
}

static void tick(struct rig *r, int64_t now)
{
	r->now = now;
	watch_tick(r->w, now);
}

static struct watch_state state_of(const struct rig *r)
{
	struct watch_state st;
	watch_get_state(r->w, &st);
	return st;
}

/* ---- the schedule with no engine at all ---- */

static void test_no_engine(void **state)
{
	(void)state;
	char dir[] = "/tmp/gbtest-watch-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *sock = xasprintf("%s/nobody.sock", dir);
	struct rig r;
	rig_open(&r, sock);
	unsigned rng = SEED;   /* the watch's jitter, drawn the same way */
	char buf[512];

	/* Nothing ran yet: the first refresh is due at once; no error, nothing to say. */
	assert_true(watch_next_ms(r.w) <= 0);
	assert_false(watch_status(r.w, 0, buf, sizeof buf));
	assert_string_equal(buf, "");

	int64_t t = 1000;
	for (unsigned attempt = 0; attempt < 9; attempt++) {
		tick(&r, t);
		assert_true(cluster_busy(r.c));
		assert_int_equal(state_of(&r).next_refresh, t + 2000);   /* until the failure says */
		settle(&r);
		assert_non_null(cluster_error(r.c));
		struct watch_state st = state_of(&r);
		int64_t want = watch_backoff_ms(attempt, (unsigned)rand_r(&rng));
		assert_int_equal(st.next_refresh, t + want);
		assert_int_equal(st.attempts, attempt + 1);
		assert_true(st.retry_scheduled);
		assert_false(st.events_open);
		/* Neither samples nor the stream wake the loop while the engine is away. */
		assert_int_equal(watch_next_ms(r.w), st.next_refresh);

		/* The cluster saying so again changes nothing: one retry per failed round. */
		watch_cluster_changed(r.w, t + 5);
		assert_int_equal(state_of(&r).next_refresh, t + want);

		/* Never connected: no "stale for", the seconds rounded up. */
		assert_true(watch_status(r.w, t, buf, sizeof buf));
		char *head = xasprintf("reconnecting in %llds: ", (long long)((want + 999) / 1000));
		if (strncmp(buf, head, strlen(head)) != 0 || !strstr(buf, "cannot reach the engine"))
			fail_msg("status \"%s\", wanted \"%s...cannot reach the engine...\"", buf, head);
		free(head);
		/* Past the deadline it says 0 s, never a negative wait. */
		watch_status(r.w, t + want + 5000, buf, sizeof buf);
		assert_int_equal(strncmp(buf, "reconnecting in 0s: ", 20), 0);

		/* Not due yet: a tick before the deadline starts nothing. */
		tick(&r, t + want - 1);
		assert_false(cluster_busy(r.c));
		t += want;
	}
	assert_int_equal(state_of(&r).attempts, 9);

	/* F5 during a long backoff: a refresh WATCH_COALESCE_MS after the next tick. */
	tick(&r, t);
	settle(&r);
	int64_t retry = state_of(&r).next_refresh;
	assert_true(retry - t >= 24000);
	watch_request_refresh(r.w);
	assert_true(state_of(&r).refresh_asked);
	assert_true(watch_next_ms(r.w) <= 0);   /* the loop turns at once to take it */
	tick(&r, t + 10);
	assert_int_equal(state_of(&r).next_refresh, t + 10 + WATCH_COALESCE_MS);
	assert_false(state_of(&r).refresh_asked);

	rig_close(&r);
	rmdir(dir);
	free(sock);
}

/* ---- the schedule with an engine that answers, goes away and comes back ---- */

static void test_outage_and_back(void **state)
{
	(void)state;
	struct fake *f = fake_start();
	struct rig r;
	rig_open(&r, f->sock);
	char buf[512];

	/* The first refresh: negotiated, every list fetched; connected. */
	tick(&r, 1000);
	settle(&r);
	assert_null(cluster_error(r.c));
	struct watch_state st = state_of(&r);
	assert_int_equal(st.next_refresh, 3000);
	assert_int_equal(st.last_ok_ms, 1000);
	assert_int_equal(st.attempts, 0);
	assert_false(watch_status(r.w, 1000, buf, sizeof buf));
	/* Samples and the stream are due now that it is connected. */
	assert_true(watch_next_ms(r.w) <= 1000);

	/* Samples and the stream start; the stream sends its five events and ends. */
	tick(&r, 1010);
	assert_true(state_of(&r).events_open);
	assert_int_equal(state_of(&r).next_sample, 1010 + WATCH_REFRESH_MS);
	settle(&r);
	assert_int_equal(fake_count(f, &f->events), 1);
	assert_true(fake_count(f, &f->stats) > 0);
	assert_false(state_of(&r).events_open);

	/* What the callbacks noted is taken at the next tick, or at the cluster's next change
	 * (here the samples' replies, whichever came last): still 1010 by the test's clock. One
	 * refresh 150 ms later for the burst, and the stream's own backoff (its first attempt: it
	 * sent data). */
	unsigned rng = SEED;
	tick(&r, 1010);
	st = state_of(&r);
	assert_false(st.refresh_asked);
	assert_int_equal(st.next_refresh, 1010 + WATCH_COALESCE_MS);
	assert_int_equal(st.next_events, 1010 + watch_backoff_ms(0, (unsigned)rand_r(&rng)));
	assert_int_equal(st.events_attempts, 1);
	assert_false(st.events_open);
	/* More asks before it is due do not push it back. */
	watch_request_refresh(r.w);
	assert_true(state_of(&r).refresh_asked);
	assert_true(watch_next_ms(r.w) <= 0);   /* the loop turns at once to take it */
	watch_request_refresh(r.w);
	tick(&r, 1100);
	assert_int_equal(state_of(&r).next_refresh, 1160);
	assert_int_equal(watch_next_ms(r.w), 1160);
	unsigned before = fake_count(f, &f->refreshes);
	tick(&r, 1160);
	settle(&r);
	assert_int_equal(fake_count(f, &f->refreshes), before + 1);
	assert_int_equal(state_of(&r).next_refresh, 1160 + WATCH_REFRESH_MS);
	assert_int_equal(state_of(&r).last_ok_ms, 1160);

	/* The engine goes away: the stream closes, the retry waits a backoff, the data stays. */
	fake_set_down(f, true);
	tick(&r, 3170);
	settle(&r);
	tick(&r, 3170);
	assert_non_null(cluster_error(r.c));
	st = state_of(&r);
	assert_int_equal(st.attempts, 1);
	assert_true(st.retry_scheduled);
	assert_false(st.events_open);
	assert_true(st.next_refresh >= 3170 + 400 && st.next_refresh <= 3170 + 600);
	assert_int_equal(engine_api_minor(r.e), 0);            /* asked again on the way back */
	assert_true(cluster_services(r.c)->n > 0);              /* the last data stays */
	assert_int_equal(watch_next_ms(r.w), st.next_refresh);  /* nothing else wakes the loop */
	assert_true(watch_status(r.w, 3200, buf, sizeof buf));
	assert_int_equal(strncmp(buf, "stale for 2s, reconnecting in 1s: ", 34), 0);   /* since 1160 */
	assert_non_null(strstr(buf, "the test engine is down"));
	watch_status(r.w, 13170, buf, sizeof buf);
	assert_int_equal(strncmp(buf, "stale for 12s, reconnecting in 0s: ", 35), 0);

	/* Still away: the next retry waits twice as long. */
	int64_t t = st.next_refresh;
	tick(&r, t);
	settle(&r);
	st = state_of(&r);
	assert_int_equal(st.attempts, 2);
	assert_true(st.next_refresh >= t + 800 && st.next_refresh <= t + 1200);

	/* Back: the next refresh succeeds; both backoffs reset, samples and the stream at once. */
	fake_set_down(f, false);
	t = st.next_refresh;
	tick(&r, t);
	settle(&r);
	assert_null(cluster_error(r.c));
	st = state_of(&r);
	assert_int_equal(st.attempts, 0);
	assert_int_equal(st.events_attempts, 0);
	assert_false(st.retry_scheduled);
	assert_int_equal(st.next_sample, t);
	assert_int_equal(st.next_events, t);
	assert_int_equal(st.last_ok_ms, t);
	assert_false(watch_status(r.w, t, buf, sizeof buf));
	/* The last round's error stands until the new round ends: a reply that comes in before
	 * the others finds it still there and forgets the version again, as app.c always did. Then
	 * the next refresh asks for it, and the stream opens once it is known. */
	if (!engine_api_minor(r.e)) {
		t = st.next_refresh;
		tick(&r, t);
		settle(&r);
		assert_int_equal(engine_api_minor(r.e), 41);
		assert_null(cluster_error(r.c));
	}
	unsigned streams = fake_count(f, &f->events);
	tick(&r, t + 1);
	assert_true(state_of(&r).events_open);
	settle(&r);
	assert_int_equal(fake_count(f, &f->events), streams + 1);

	/* Freed with the stream open: cancelled, nothing called back later. */
	tick(&r, state_of(&r).next_events + 1);
	tick(&r, state_of(&r).next_events);
	rig_close(&r);
	fake_stop(f);
}

/* A stream that ends without sending anything counts an attempt of its own, which a good
 * refresh resets, as it resets the refresh's: the stream is opened again half a second after
 * the refresh it asked for. */
static void test_events_backoff(void **state)
{
	(void)state;
	struct fake *f = fake_start();
	free(f->bodies[B_EVENTS]);
	f->bodies[B_EVENTS] = xstrdup("");   /* before the server reads it: no lock needed */
	struct rig r;
	rig_open(&r, f->sock);
	unsigned rng = SEED;
	tick(&r, 1000);
	settle(&r);
	int64_t t = 1010;
	for (unsigned k = 0; k < 3; k++) {
		tick(&r, t);                        /* only the stream (and samples) are due */
		assert_true(state_of(&r).events_open);
		settle(&r);
		tick(&r, t);                        /* the notes, at the same time whoever takes them */
		struct watch_state st = state_of(&r);
		assert_int_equal(st.events_attempts, 1);
		assert_int_equal(st.next_events, t + watch_backoff_ms(0, (unsigned)rand_r(&rng)));
		assert_int_equal(st.next_refresh, t + WATCH_COALESCE_MS);
		/* The refresh it asked for, before the stream is due again. */
		tick(&r, st.next_refresh);
		assert_false(state_of(&r).events_open);
		settle(&r);
		assert_int_equal(state_of(&r).events_attempts, 0);
		assert_int_equal(state_of(&r).last_ok_ms, st.next_refresh);
		t = st.next_events;
	}
	assert_int_equal(fake_count(f, &f->events), 3);
	rig_close(&r);
	fake_stop(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_lines_split),
		cmocka_unit_test(test_lines_oversize),
		cmocka_unit_test(test_no_engine),
		cmocka_unit_test(test_outage_and_back),
		cmocka_unit_test(test_events_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
