/* engine_poll failing: no request stays in flight with callback data its owner drops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/engine/endpoint.h"
#include "api/engine/engine.h"

/* An engine on a unix socket that listens and never answers: requests stay in flight. */
struct silent {
	char dir[64], path[128];
	int fd;
	struct engine *e;
};

static int silent_setup(void **state)
{
	struct silent *s = calloc(1, sizeof *s);
	strcpy(s->dir, "/tmp/gbtest-engine-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof s->path, "%s/engine.sock", s->dir);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, s->path);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s->fd, 8), 0);
	char host[160], *err = NULL;
	snprintf(host, sizeof host, "unix://%s", s->path);
	struct endpoint ep;
	struct endpoint_env env = {0};
	assert_int_equal(endpoint_resolve(host, &env, &ep, &err), 0);
	struct engine_opts opts = {.timeout_ms = 5000};
	s->e = engine_new(&ep, &opts, &err);
	assert_non_null(s->e);
	endpoint_clear(&ep);
	*state = s;
	return 0;
}

static int silent_teardown(void **state)
{
	struct silent *s = *state;
	engine_free(&s->e);
	close(s->fd);
	unlink(s->path);
	rmdir(s->dir);
	free(s);
	return 0;
}

struct seen {
	int calls;
	char error[256];
};

static void on_done(void *ud, const struct engine_reply *r)
{
	struct seen *seen = ud;
	seen->calls++;
	snprintf(seen->error, sizeof seen->error, "%s", r->error ? r->error : "");
}

/* A command's frame: its callback data on the stack, given up when the poll fails. */
static int wait_in_a_frame(struct engine *e, struct seen *out)
{
	struct seen seen = {0};
	engine_negotiate(e, on_done, &seen);
	engine_fail_next_poll(e);
	int rc = 0;
	while (!seen.calls)
		if (engine_poll(e, NULL, 0, 100) != 0) {
			rc = -1;
			break;
		}
	*out = seen;
	return rc;
}

static void test_failed_poll_finishes_requests(void **state)
{
	struct silent *s = *state;
	struct seen seen;
	assert_int_equal(wait_in_a_frame(s->e, &seen), -1);
	/* The request was finished with an error before the frame went away. */
	assert_int_equal(seen.calls, 1);
	assert_non_null(strstr(seen.error, "libcurl failed"));
	assert_int_equal(engine_pending(s->e), 0);
	/* The engine goes on: later polls touch nothing of the dead frame (ASan would say). */
	for (int i = 0; i < 3; i++)
		assert_int_equal(engine_poll(s->e, NULL, 0, 10), 0);
}

static void test_engine_call_cancels(void **state)
{
	struct silent *s = *state;
	char *body = NULL, *err = NULL;
	bool unreachable = false;
	engine_fail_next_poll(s->e);
	assert_int_equal(engine_call(s->e, "GET", "/_ping", NULL, "pinging", &body, NULL, &unreachable, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "libcurl failed"));
	free(err);
	assert_null(body);
	assert_int_equal(engine_pending(s->e), 0);
}

/* Requests submitted by the callbacks of failed ones stay for the caller. */
static void on_done_resubmit(void *ud, const struct engine_reply *r)
{
	(void)r;
	struct engine *e = ud;
	engine_negotiate(e, NULL, NULL);
}

static void test_callbacks_may_submit(void **state)
{
	struct silent *s = *state;
	engine_negotiate(s->e, on_done_resubmit, s->e);
	engine_negotiate(s->e, on_done_resubmit, s->e);
	engine_fail_next_poll(s->e);
	assert_int_equal(engine_poll(s->e, NULL, 0, 10), -1);
	assert_int_equal(engine_pending(s->e), 2);   /* the two new ones */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failed_poll_finishes_requests, silent_setup, silent_teardown),
		cmocka_unit_test_setup_teardown(test_engine_call_cancels, silent_setup, silent_teardown),
		cmocka_unit_test_setup_teardown(test_callbacks_may_submit, silent_setup, silent_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
