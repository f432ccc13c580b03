/* Registry credentials never travel in clear: on a plain tcp:// engine the engine refuses a
 * request that carries them (POST /auth, X-Registry-Auth) without connecting at all, and still
 * sends everything else; on a unix socket or TLS the same requests go out.
 *
 * A listening socket of the test's own stands for the engine; whether a connection reached it
 * tells whether anything was sent. No request is ever answered. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/creds/creds.h"
#include "api/engine/endpoint.h"
#include "api/engine/engine.h"

struct listener {
	int fd;
	char host[160];   /* for --host */
	char dir[32];     /* unix only */
	char path[64];
};

static void listen_tcp(struct listener *l, const char *scheme)
{
	memset(l, 0, sizeof *l);
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(l->fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(l->fd, 8), 0);
	socklen_t len = sizeof sa;
	assert_int_equal(getsockname(l->fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(l->host, sizeof l->host, "%s://127.0.0.1:%d", scheme, ntohs(sa.sin_port));
}

static void listen_unix(struct listener *l)
{
	memset(l, 0, sizeof *l);
	strcpy(l->dir, "/tmp/gb-clear.XXXXXX");
	assert_non_null(mkdtemp(l->dir));
	snprintf(l->path, sizeof l->path, "%s/engine.sock", l->dir);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(l->fd >= 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", l->path);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(l->fd, 8), 0);
	snprintf(l->host, sizeof l->host, "unix://%s", l->path);
}

static void listener_close(struct listener *l)
{
	close(l->fd);
	if (l->path[0]) {
		unlink(l->path);
		rmdir(l->dir);
	}
}

/* Whether a connection arrived (accepted and closed again). */
static bool connected(struct listener *l)
{
	int fd = accept(l->fd, NULL, NULL);
	if (fd < 0) {
		assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		return false;
	}
	close(fd);
	return true;
}

static struct engine *engine_at(const char *host)
{
	struct endpoint ep;
	char *err = NULL;
	assert_int_equal(endpoint_resolve(host, NULL, &ep, &err), 0);
	struct engine *e = engine_new(&ep, &(struct engine_opts){.connect_timeout_ms = 2000}, &err);
	assert_non_null(e);
	endpoint_clear(&ep);
	return e;
}

struct got { int calls; long status; bool unreachable; char *error; };

static void on_reply(void *ud, const struct engine_reply *r)
{
	struct got *g = ud;
	g->calls++;
	g->status = r->status;
	g->unreachable = r->unreachable;
	free(g->error);
	g->error = r->error ? strdup(r->error) : NULL;
}

static void assert_refusal(const char *error, const char *host)
{
	assert_non_null(error);
	if (!strstr(error, "refusing to send registry credentials to") || !strstr(error, host) ||
	    !strstr(error, "DOCKER_TLS_VERIFY=1"))
		fail_msg("not the refusal for %s: %s", host, error);
}

/* ---- POST /auth: the login check ---- */

struct check { int calls; bool ok, refused, unreachable; char *error; };

static void on_check(void *ud, struct cred_check_result *r)
{
	struct check *c = ud;
	c->calls++;
	c->ok = r->ok;
	c->refused = r->refused;
	c->unreachable = r->unreachable;
	c->error = r->error ? strdup(r->error) : NULL;
}

static void test_auth_refused_on_plain_tcp(void **state)
{
	(void)state;
	static const char *const schemes[] = {"tcp", "http"};
	for (size_t i = 0; i < 2; i++) {
		struct listener l;
		listen_tcp(&l, schemes[i]);
		struct engine *e = engine_at(l.host);
		struct cred *c = cred_new("127.0.0.1:5999", "alice", "not-on-the-wire");
		struct check chk = {0};
		assert_non_null(cred_check_start(e, c, on_check, &chk));
		/* Never from inside the call: callers are not ready for that. */
		assert_int_equal(chk.calls, 0);
		assert_int_equal(engine_pending(e), 1);
		assert_int_equal(engine_poll(e, NULL, 0, 100), 0);
		assert_int_equal(chk.calls, 1);
		assert_false(chk.ok);
		assert_false(chk.refused);       /* not the registry refusing the password */
		assert_false(chk.unreachable);
		assert_refusal(chk.error, l.host);
		assert_int_equal(engine_pending(e), 0);
		assert_false(connected(&l));
		free(chk.error);
		cred_free(&c);
		engine_free(&e);
		listener_close(&l);
	}
}

/* ---- X-Registry-Auth, whoever sends it and whatever flags they pass ---- */

static void test_registry_auth_header_refused_on_plain_tcp(void **state)
{
	(void)state;
	static const char *const hdrs[] = {"X-Registry-Auth: c2VjcmV0", "x-registry-auth:c2VjcmV0",
	                                   "Authorization: Basic c2VjcmV0"};
	struct listener l;
	listen_tcp(&l, "tcp");
	struct engine *e = engine_at(l.host);
	for (size_t i = 0; i < sizeof hdrs / sizeof hdrs[0]; i++) {
		struct got g = {0};
		engine_request_hdr(e, "GET", "/distribution/r/x/json", NULL, &hdrs[i], 1, "resolving",
		                   on_reply, &g);
		engine_run(e);
		assert_int_equal(g.calls, 1);
		assert_int_equal(g.status, 0);
		assert_false(g.unreachable);
		assert_refusal(g.error, l.host);
		free(g.error);
	}
	struct got g = {0};
	engine_request_flags(e, "POST", "/services/create", "{}", NULL, 0, ENGINE_SECRET, "creating",
	                     on_reply, &g);
	engine_run(e);
	assert_refusal(g.error, l.host);
	free(g.error);
	assert_false(connected(&l));
	engine_free(&e);
	listener_close(&l);
}

/* A refused request cancelled before the next poll: no callback, nothing left behind. */
static void test_refused_then_cancelled(void **state)
{
	(void)state;
	struct listener l;
	listen_tcp(&l, "tcp");
	struct engine *e = engine_at(l.host);
	struct got g = {0};
	struct engine_req *r = engine_request_flags(e, "POST", "/auth", "{}", NULL, 0, ENGINE_SECRET,
	                                            "logging in", on_reply, &g);
	assert_ptr_equal(engine_cancel(e, r), &g);
	assert_int_equal(engine_pending(e), 0);
	engine_request_flags(e, "POST", "/auth", "{}", NULL, 0, ENGINE_SECRET, "logging in", on_reply, &g);
	engine_free(&e);   /* with one still pending */
	assert_int_equal(g.calls, 0);
	assert_false(connected(&l));
	listener_close(&l);
}

/* A callback that tries again at once gets its answer from the next poll, not in a loop. */
static struct engine *retry_engine;
static void on_retry(void *ud, const struct engine_reply *r)
{
	on_reply(ud, r);
	if (((struct got *)ud)->calls < 3)
		engine_request_flags(retry_engine, "POST", "/auth", "{}", NULL, 0, ENGINE_SECRET,
		                     "logging in", on_retry, ud);
}

static void test_refused_retry_waits_for_next_poll(void **state)
{
	(void)state;
	struct listener l;
	listen_tcp(&l, "tcp");
	retry_engine = engine_at(l.host);
	struct got g = {0};
	engine_request_flags(retry_engine, "POST", "/auth", "{}", NULL, 0, ENGINE_SECRET, "logging in",
	                     on_retry, &g);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(engine_poll(retry_engine, NULL, 0, 100), 0);
		assert_int_equal(g.calls, i);
	}
	assert_int_equal(engine_pending(retry_engine), 0);
	free(g.error);
	engine_free(&retry_engine);
	listener_close(&l);
}

/* ---- what is sent: everything without a secret on plain tcp; secrets on unix and TLS ---- */

/* Poll until the listener sees a connection (the request is then cancelled). */
static bool reaches(struct engine *e, struct listener *l, struct engine_req *r)
{
	bool seen = false;
	for (int i = 0; i < 40 && !seen; i++) {
		assert_int_equal(engine_poll(e, NULL, 0, 50), 0);
		seen = connected(l);
	}
	if (engine_pending(e) > 0)
		engine_cancel(e, r);
	return seen;
}

static void test_plain_requests_still_sent(void **state)
{
	(void)state;
	struct listener l;
	listen_tcp(&l, "tcp");
	struct engine *e = engine_at(l.host);
	struct got g = {0};
	struct engine_req *r = engine_request(e, "GET", "/services", NULL, "listing services", on_reply, &g);
	assert_true(reaches(e, &l, r));
	static const char *const other[] = {"X-Custom: 1"};
	r = engine_request_hdr(e, "GET", "/services", NULL, other, 1, "listing services", on_reply, &g);
	assert_true(reaches(e, &l, r));
	free(g.error);
	engine_free(&e);
	listener_close(&l);
}

static void test_secrets_sent_on_unix_and_tls(void **state)
{
	(void)state;
	static const char *const hdr[] = {"X-Registry-Auth: c2VjcmV0"};
	struct listener l;
	for (int k = 0; k < 2; k++) {
		if (k == 0)
			listen_unix(&l);
		else
			listen_tcp(&l, "https");   /* the TLS handshake fails, after connecting */
		struct engine *e = engine_at(l.host);
		struct got g = {0};
		struct engine_req *r = engine_request_hdr(e, "GET", "/distribution/r/x/json", NULL, hdr, 1,
		                                          "resolving", on_reply, &g);
		if (!reaches(e, &l, r))
			fail_msg("%s: the request with X-Registry-Auth was not sent", l.host);
		if (g.error)
			assert_null(strstr(g.error, "refusing"));
		free(g.error);
		engine_free(&e);
		listener_close(&l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_refused_on_plain_tcp),
		cmocka_unit_test(test_registry_auth_header_refused_on_plain_tcp),
		cmocka_unit_test(test_refused_then_cancelled),
		cmocka_unit_test(test_refused_retry_waits_for_next_poll),
		cmocka_unit_test(test_plain_requests_still_sent),
		cmocka_unit_test(test_secrets_sent_on_unix_and_tls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
