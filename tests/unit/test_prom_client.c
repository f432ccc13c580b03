/* api/metrics/prom.c and the engine's remotes against a small HTTP server on 127.0.0.1 that
 * this test forks: results delivered through the engine's loop, basic auth sent, a web page
 * refused with one message, the reply cap, the timeout, an unreachable port, and the engine's
 * own unix socket never used for Prometheus. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/base/xalloc.h"
#include "api/engine/engine.h"
#include "api/metrics/prom.h"

static const char vector[] =
	"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
	"{\"metric\":{\"id\":\"/docker/x\"},\"value\":[1765000000,\"1.5\"]}]}}";

static void reply(int fd, const char *status, const char *ctype, const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof head, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                 "Connection: close\r\n\r\n", status, ctype, len);
	if (write(fd, head, (size_t)n) < 0)
		return;
	for (size_t off = 0; off < len;) {
		ssize_t k = write(fd, body + off, len - off);
		if (k <= 0)
			return;
		off += (size_t)k;
	}
}

/* One connection at a time; the query string says how to answer. */
static void serve(int lfd)
{
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		char req[8192] = {0};
		size_t n = 0;
		while (n < sizeof req - 1 && !strstr(req, "\r\n\r\n")) {
			ssize_t k = read(fd, req + n, sizeof req - 1 - n);
			if (k <= 0)
				break;
			n += (size_t)k;
		}
		if (strstr(req, "query=stall")) {
			sleep(2);
		} else if (strstr(req, "query=html")) {
			const char *page = "<html><body>It works!</body></html>";
			reply(fd, "200 OK", "text/html; charset=utf-8", page, strlen(page));
		} else if (strstr(req, "query=big")) {
			size_t len = 2u << 20;
			char *body = xmalloc(len);
			memset(body, ' ', len);
			reply(fd, "200 OK", "application/json", body, len);
			free(body);
		} else if (strstr(req, "query=auth") && !strstr(req, "Authorization: Basic dXNlcjpwdw==")) {
			reply(fd, "401 Unauthorized", "text/plain", "Unauthorized\n", 13);
		} else if (strstr(req, "GET /api/v1/query?query=")) {
			reply(fd, "200 OK", "application/json", vector, strlen(vector));
		} else {
			reply(fd, "404 Not Found", "text/plain", "404 page not found\n", 19);
		}
		close(fd);
	}
}

struct fx {
	pid_t pid;
	int port;
	struct engine *e;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 8) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) != 0)
		return -1;
	f->port = ntohs(a.sin_port);
	f->pid = fork();
	if (f->pid == 0) {
		serve(lfd);
		_exit(0);
	}
	close(lfd);
	/* An engine whose own endpoint does not exist: Prometheus must not go there. */
	struct endpoint ep = {.kind = ENDPOINT_UNIX, .socket_path = (char[]){"/nonexistent/docker.sock"},
	                      .base_url = (char[]){"http://localhost"}, .display = (char[]){"unix:///nonexistent/docker.sock"}};
	char *err = NULL;
	f->e = engine_new(&ep, NULL, &err);
	*state = f;
	return f->e ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	engine_free(&f->e);
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	free(f);
	return 0;
}

struct got {
	bool done, unreachable, has_result;
	size_t n;
	double v;
	char *err;
};

static void on_done(void *ud, const struct prom_result *r, const char *err, bool unreachable)
{
	struct got *g = ud;
	g->done = true;
	g->unreachable = unreachable;
	g->err = err ? xstrdup(err) : NULL;
	if (r) {
		g->has_result = true;
		g->n = r->n;
		g->v = r->n ? r->v[0].points[0].v : 0;
	}
}

static struct got ask(struct fx *f, int port, const char *query, const struct engine_remote *extra)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	struct engine_remote rm = {.name = "Prometheus", .base_url = url};
	if (extra) {
		rm.userpwd = extra->userpwd;
		rm.max_body = extra->max_body;
		rm.timeout_ms = extra->timeout_ms;
	}
	struct prom *p = prom_new(f->e, &rm);
	struct got g = {0};
	prom_query(p, query, "testing", on_done, &g);
	assert_int_equal(engine_run(f->e), 0);
	assert_true(g.done);
	prom_free(&p);
	return g;
}

static void test_vector_through_the_loop(void **state)
{
	struct fx *f = *state;
	struct got g = ask(f, f->port, "up", NULL);
	if (g.err)
		fail_msg("%s", g.err);
	assert_true(g.has_result);
	assert_int_equal(g.n, 1);
	assert_true(g.v == 1.5);
}

static void test_basic_auth(void **state)
{
	struct fx *f = *state;
	struct got g = ask(f, f->port, "auth", NULL);
	assert_non_null(g.err);
	assert_non_null(strstr(g.err, "the credentials were refused (HTTP 401"));
	free(g.err);
	g = ask(f, f->port, "auth", &(struct engine_remote){.userpwd = "user:pw"});
	assert_null(g.err);
	assert_true(g.has_result);
}

static void test_html(void **state)
{
	struct fx *f = *state;
	char want[160];
	snprintf(want, sizeof want, "Prometheus at http://127.0.0.1:%d: the reply does not look like a "
	         "Prometheus API (got text/html, HTTP 200)", f->port);
	struct got g = ask(f, f->port, "html", NULL);
	assert_non_null(g.err);
	if (strncmp(g.err, want, strlen(want)) != 0)
		fail_msg("%s", g.err);
	assert_false(g.unreachable);
	free(g.err);
}

static void test_reply_cap(void **state)
{
	struct fx *f = *state;
	struct got g = ask(f, f->port, "big", &(struct engine_remote){.max_body = 1u << 20});
	assert_non_null(g.err);
	assert_non_null(strstr(g.err, "Prometheus's reply is larger than the 1024 KiB glovebox accepts"));
	free(g.err);
}

static void test_timeout(void **state)
{
	struct fx *f = *state;
	int64_t t0 = mono_ns();
	struct got g = ask(f, f->port, "stall", &(struct engine_remote){.timeout_ms = 300});
	int64_t ms = (mono_ns() - t0) / 1000000;
	assert_non_null(g.err);
	assert_non_null(strstr(g.err, "did not answer in time while testing"));
	assert_true(g.unreachable);
	assert_true(ms < 1500);
	free(g.err);
}

static void test_unreachable(void **state)
{
	struct fx *f = *state;
	/* A port nobody listens on: bind one, close it. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	close(fd);
	struct got g = ask(f, ntohs(a.sin_port), "up", NULL);
	assert_non_null(g.err);
	assert_non_null(strstr(g.err, "cannot reach Prometheus at http://127.0.0.1:"));
	assert_true(g.unreachable);
	free(g.err);
}

static void test_remote_roles(void **state)
{
	struct fx *f = *state;
	assert_null(engine_remote(f->e, "metrics"));
	engine_set_remote(f->e, "metrics", &(struct engine_remote){
		.name = "Prometheus", .base_url = "http://a:1", .userpwd = "u:p", .user_param = 10});
	const struct engine_remote *rm = engine_remote(f->e, "metrics");
	assert_non_null(rm);
	assert_string_equal(rm->base_url, "http://a:1");
	assert_string_equal(rm->userpwd, "u:p");
	assert_int_equal(rm->user_param, 10);
	engine_set_remote(f->e, "metrics", &(struct engine_remote){.base_url = "http://b:2"});
	assert_string_equal(engine_remote(f->e, "metrics")->base_url, "http://b:2");
	assert_null(engine_remote(f->e, "metrics")->userpwd);
	engine_set_remote(f->e, "metrics", NULL);
	assert_null(engine_remote(f->e, "metrics"));
	assert_null(engine_remote(NULL, "metrics"));
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vector_through_the_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_basic_auth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_roles, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
