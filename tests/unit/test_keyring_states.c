/* keyring.h without a keyring: the states that need no Secret Service (no bus, a bus that
 * cannot be reached, a bus that never answers), the asynchronous machinery (fd, dispatch,
 * deadlines, cancel, free with requests in flight). The states with a real gnome-keyring are
 * in tests/integration/keyring.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api/creds/keyring.h"

static void no_session(void)
{
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	unsetenv("DISPLAY");
	unsetenv("WAYLAND_DISPLAY");
	/* GLib also tries $XDG_RUNTIME_DIR/bus. */
	setenv("XDG_RUNTIME_DIR", "/nonexistent-gb-test", 1);
}

static int64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_no_bus(void **state)
{
	(void)state;
	no_session();
	char *err = NULL;
	struct keyring *kr = keyring_new(NULL, &err);
	assert_non_null(kr);
	char *msg = NULL;
	assert_int_equal(keyring_status_sync(kr, &msg), KEYRING_NO_BUS);
	assert_non_null(strstr(msg, "no D-Bus session"));
	assert_non_null(strstr(msg, "DBUS_SESSION_BUS_ADDRESS"));
	free(msg);
	struct cred *c = (struct cred *)1;
	assert_int_equal(keyring_lookup_sync(kr, "127.0.0.1:5001", &c, &msg), KEYRING_NO_BUS);
	assert_null(c);
	free(msg);
	bool removed = true;
	assert_int_equal(keyring_erase_sync(kr, "127.0.0.1:5001", &removed, NULL), KEYRING_NO_BUS);
	assert_false(removed);
	struct cred *in = cred_new("127.0.0.1:5001", "u", "p");
	assert_int_equal(keyring_store_sync(kr, in, NULL), KEYRING_NO_BUS);
	cred_free(&in);
	assert_int_equal(keyring_pending(kr), 0);
	assert_int_equal(keyring_timeout_ms(kr), -1);
	keyring_free(&kr);
	assert_null(kr);
}

static void test_unreachable_bus(void **state)
{
	(void)state;
	no_session();
	setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent-gb-test/bus", 1);
	char *err = NULL, *msg = NULL;
	struct keyring *kr = keyring_new(NULL, &err);
	assert_int_equal(keyring_status_sync(kr, &msg), KEYRING_NO_BUS);
	assert_non_null(strstr(msg, "cannot be reached"));
	free(msg);
	keyring_free(&kr);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

struct seen {
	int calls;
	enum keyring_state state;
	enum keyring_op op;
	char server[64];
	char message[256];
};

static void on_done(void *ud, struct keyring_result *r)
{
	struct seen *s = ud;
	s->calls++;
	s->state = r->state;
	s->op = r->op;
	snprintf(s->server, sizeof s->server, "%s", r->server ? r->server : "");
	snprintf(s->message, sizeof s->message, "%s", r->message ? r->message : "");
}

/* Drive the asynchronous API the way an event loop does. */
static void loop_until(struct keyring *kr, const int *calls, int want, int limit_ms)
{
	int64_t end = ms_now() + limit_ms;
	while (*calls < want && ms_now() < end) {
		struct pollfd p = {.fd = keyring_fd(kr), .events = POLLIN};
		int t = keyring_timeout_ms(kr);
		poll(&p, 1, t < 0 || t > 100 ? 100 : t);
		keyring_dispatch(kr);
	}
}

static void test_async_and_cancel(void **state)
{
	(void)state;
	no_session();
	char *err = NULL;
	struct keyring *kr = keyring_new(NULL, &err);
	struct seen a = {0}, b = {0}, c = {0};
	keyring_lookup(kr, "https://Reg.Example.org/v2/", on_done, &a);
	struct keyring_req *rb = keyring_status(kr, on_done, &b);
	keyring_erase(kr, "docker.io", on_done, &c);
	keyring_cancel(kr, rb);
	loop_until(kr, &a.calls, 1, 5000);
	loop_until(kr, &c.calls, 1, 5000);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.op, KEYRING_OP_LOOKUP);
	assert_int_equal(a.state, KEYRING_NO_BUS);
	assert_string_equal(a.server, "reg.example.org");
	assert_int_equal(c.calls, 1);
	assert_string_equal(c.server, "https://index.docker.io/v1/");
	/* The cancelled one never calls back. */
	usleep(100 * 1000);
	keyring_dispatch(kr);
	assert_int_equal(b.calls, 0);
	assert_int_equal(keyring_pending(kr), 0);
	keyring_free(&kr);
}

/* A "bus" that accepts connections and never says a word: the D-Bus handshake hangs, as it
 * does with a stopped daemon. */
struct silent_bus {
	int listener;
	char path[108];
	char addr[160];
};

static void silent_bus_start(struct silent_bus *sb)
{
	snprintf(sb->path, sizeof sb->path, "/tmp/gb-silent-bus-%d", (int)getpid());
	unlink(sb->path);
	sb->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sb->path);
	assert_int_equal(bind(sb->listener, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(sb->listener, 8), 0);
	snprintf(sb->addr, sizeof sb->addr, "unix:path=%s", sb->path);
}

static void silent_bus_stop(struct silent_bus *sb)
{
	/* Accepted connections close with the listener's backlog; the hung threads then fail and
	 * clean up after themselves. */
	close(sb->listener);
	unlink(sb->path);
}

static void test_timeout(void **state)
{
	(void)state;
	no_session();
	struct silent_bus sb;
	silent_bus_start(&sb);
	setenv("DBUS_SESSION_BUS_ADDRESS", sb.addr, 1);
	char *err = NULL, *msg = NULL;
	struct keyring_opts o = {.timeout_ms = 300};
	struct keyring *kr = keyring_new(&o, &err);

	int64_t t0 = ms_now();
	assert_int_equal(keyring_status_sync(kr, &msg), KEYRING_TIMEOUT);
	int64_t took = ms_now() - t0;
	assert_true(took >= 280 && took < 2000);
	assert_non_null(strstr(msg, "did not answer"));
	free(msg);

	/* Asynchronously: the deadline shows in keyring_timeout_ms and the answer comes in time. */
	struct seen s = {0};
	keyring_lookup(kr, "127.0.0.1:5001", on_done, &s);
	int t = keyring_timeout_ms(kr);
	assert_true(t > 0 && t <= 300);
	loop_until(kr, &s.calls, 1, 2000);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.state, KEYRING_TIMEOUT);
	assert_non_null(strstr(s.message, "the keyring service did not answer"));

	/* Freed with a request in flight: no callback, no crash when its thread returns. */
	struct seen never = {0};
	struct cred *in = cred_new("r", "u", "p");
	keyring_store(kr, in, on_done, &never);
	cred_free(&in);
	keyring_free(&kr);
	silent_bus_stop(&sb);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	usleep(300 * 1000);
	assert_int_equal(never.calls, 0);
}

static void test_state_texts(void **state)
{
	(void)state;
	assert_string_equal(keyring_state_name(KEYRING_OK), "unlocked");
	assert_string_equal(keyring_state_name(KEYRING_NO_BUS), "no D-Bus session");
	assert_string_equal(keyring_state_name(KEYRING_NO_PROVIDER), "no Secret Service");
	assert_string_equal(keyring_state_name(KEYRING_LOCKED), "locked");
	assert_string_equal(keyring_state_name(KEYRING_TIMEOUT), "not answering");
	assert_string_equal(keyring_state_help(KEYRING_OK), "");
	assert_non_null(strstr(keyring_state_help(KEYRING_NO_BUS), "dbus-run-session"));
	assert_non_null(strstr(keyring_state_help(KEYRING_NO_BUS), "gnome-keyring-daemon --unlock"));
	assert_non_null(strstr(keyring_state_help(KEYRING_LOCKED), "password"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_bus),
		cmocka_unit_test(test_unreachable_bus),
		cmocka_unit_test(test_async_and_cancel),
		cmocka_unit_test(test_state_texts),
		/* Last: the threads it leaves hanging hold GLib's bus lock until the socket closes. */
		cmocka_unit_test(test_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
