/* actions.h: the request sequences against a scripted engine on a unix socket (the real
 * engine cannot be made to answer "update out of sequence" or keep a network busy on demand),
 * and the pure spec rewrites. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api/base/xalloc.h"
#include "api/engine/endpoint.h"
#include "api/engine/engine.h"
#include "api/swarm/actions.h"

#define S(lit) ((char *)(uintptr_t)(lit))

/* ---- a scripted engine ---- */

struct exchange {
	const char *method;
	const char *path;        /* prefix of the request path */
	int status;
	const char *body;
	bool repeat;             /* answers every further request that matches it */
};

#define LOG_MAX 64

struct fake {
	char dir[64], sock[128];
	int fd;
	pthread_t thread;
	pthread_mutex_t mu;
	const struct exchange *script;
	size_t n_script, next;
	char *method[LOG_MAX], *path[LOG_MAX], *body[LOG_MAX];
	size_t n_log;
	char *unexpected;        /* the first request that did not fit the script */
	volatile bool stop;
};

static void reply(int c, int status, const char *body, const char *extra)
{
	char head[512];
	size_t len = body ? strlen(body) : 0;
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\n"
	                 "%sContent-Length: %zu\r\nConnection: close\r\n\r\n", status, extra, len);
	if (write(c, head, (size_t)n) < 0 || (len && write(c, body, len) < 0))
		return;
}

/* One request: headers, then Content-Length bytes of body. */
static bool read_request(int c, char **method, char **path, char **body)
{
	char buf[65536];
	size_t n = 0;
	char *end = NULL;
	while (!end && n < sizeof buf - 1) {
		ssize_t r = read(c, buf + n, sizeof buf - 1 - n);
		if (r <= 0)
			return false;
		n += (size_t)r;
		buf[n] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	if (!end)
		return false;
	size_t want = 0;
	char *cl = strcasestr(buf, "\r\nContent-Length:");
	if (cl && cl < end)
		want = (size_t)strtoul(cl + 17, NULL, 10);
	size_t head = (size_t)(end + 4 - buf);
	while (n - head < want && n < sizeof buf - 1) {
		ssize_t r = read(c, buf + n, sizeof buf - 1 - n);
		if (r <= 0)
			return false;
		n += (size_t)r;
	}
	buf[n] = '\0';
	char *sp1 = strchr(buf, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp2)
		return false;
	*method = xstrndup(buf, (size_t)(sp1 - buf));
	*path = xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	*body = xstrndup(buf + head, want);
	return true;
}

static void *serve(void *arg)
{
	struct fake *f = arg;
	while (!f->stop) {
		struct pollfd p = {f->fd, POLLIN, 0};
		if (poll(&p, 1, 50) <= 0)
			continue;
		int c = accept(f->fd, NULL, NULL);
		if (c < 0)
			continue;
		char *method = NULL, *path = NULL, *body = NULL;
		if (!read_request(c, &method, &path, &body)) {
			close(c);
			continue;
		}
		if (strcmp(path, "/_ping") == 0) {
			reply(c, 200, "OK", "Swarm: active/manager\r\n");
			free(method);
			free(path);
			free(body);
			close(c);
			continue;
		}
		pthread_mutex_lock(&f->mu);
		const struct exchange *x = f->next < f->n_script ? &f->script[f->next] : NULL;
		/* A repeating entry gives way to the next one when that one fits. */
		if (x && x->repeat && f->next + 1 < f->n_script) {
			const struct exchange *y = &f->script[f->next + 1];
			if (strcmp(y->method, method) == 0 && strncmp(path, y->path, strlen(y->path)) == 0) {
				f->next++;
				x = y;
			}
		}
		bool fits = x && strcmp(x->method, method) == 0 && strncmp(path, x->path, strlen(x->path)) == 0;
		if (f->n_log < LOG_MAX) {
			f->method[f->n_log] = method;
			f->path[f->n_log] = path;
			f->body[f->n_log] = body;
			f->n_log++;
		} else {
			free(method);
			free(path);
			free(body);
		}
		if (fits) {
			if (!x->repeat)
				f->next++;
			pthread_mutex_unlock(&f->mu);
			reply(c, x->status, x->body, "");
		} else {
			if (!f->unexpected)
				f->unexpected = xasprintf("%s %s (expected %s %s)", f->method[f->n_log - 1],
				                          f->path[f->n_log - 1], x ? x->method : "nothing",
				                          x ? x->path : "");
			pthread_mutex_unlock(&f->mu);
			reply(c, 599, "{\"message\":\"unexpected request\"}", "");
		}
		close(c);
	}
	return NULL;
}

static struct fake *fake_start(const struct exchange *script, size_t n)
{
	struct fake *f = xcalloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/gbtest-actions-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sock, sizeof f->sock, "%s/engine.sock", f->dir);
	f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->fd >= 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, f->sock);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(f->fd, 16), 0);
	f->script = script;
	f->n_script = n;
	pthread_mutex_init(&f->mu, NULL);
	assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
	return f;
}

static void fake_stop(struct fake *f)
{
	f->stop = true;
	pthread_join(f->thread, NULL);
	close(f->fd);
	unlink(f->sock);
	rmdir(f->dir);
	for (size_t i = 0; i < f->n_log; i++) {
		free(f->method[i]);
		free(f->path[i]);
		free(f->body[i]);
	}
	free(f->unexpected);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* Every step of the script was used, and nothing else was asked. */
static void assert_script_done(struct fake *f)
{
	pthread_mutex_lock(&f->mu);
	char *unexpected = f->unexpected ? xstrdup(f->unexpected) : NULL;
	size_t next = f->next, n = f->n_script;
	bool last_repeats = n > 0 && f->script[n - 1].repeat;
	pthread_mutex_unlock(&f->mu);
	if (unexpected)
		fail_msg("unexpected request: %s", unexpected);
	if (next < n && !(last_repeats && next == n - 1))
		fail_msg("the script stopped at step %zu of %zu", next, n);
}

struct client {
	struct endpoint ep;
	struct engine *e;
};

static void on_ping(void *ud, const struct engine_reply *r)
{
	bool *done = ud;
	assert_null(r->error);
	*done = true;
}

static void client_open(struct client *c, struct fake *f)
{
	struct endpoint_env env = {0};
	char *err = NULL;
	char *host = xasprintf("unix://%s", f->sock);
	assert_int_equal(endpoint_resolve(host, &env, &c->ep, &err), 0);
	free(host);
	struct engine_opts opts = {.timeout_ms = 5000};
	c->e = engine_new(&c->ep, &opts, &err);
	assert_non_null(c->e);
	bool done = false;
	engine_negotiate(c->e, on_ping, &done);
	while (!done)
		engine_poll(c->e, NULL, 0, 50);
	assert_int_equal(engine_api_minor(c->e), 41);
}

static void client_close(struct client *c)
{
	engine_free(&c->e);
	endpoint_clear(&c->ep);
}

/* ---- running an action ---- */

struct result {
	int calls;
	bool ok, not_found;
	char *error, *warning, *audit, *detail;
	unsigned progress;
};

static void on_done(void *ud, const struct action_result *r)
{
	struct result *res = ud;
	res->calls++;
	res->ok = r->ok;
	res->not_found = r->not_found;
	res->error = xstrdup(r->error);
	res->warning = xstrdup(r->warning);
	res->audit = xstrdup(r->audit_config);
	res->detail = xstrdup(r->detail);
}

static void on_progress(void *ud, const char *step)
{
	struct result *res = ud;
	assert_non_null(step);
	res->progress++;
}

static void result_clear(struct result *r)
{
	free(r->error);
	free(r->warning);
	free(r->audit);
	free(r->detail);
	memset(r, 0, sizeof *r);
}

static void run(struct client *c, struct action *a)
{
	int64_t give_up = mono_ns() + 10 * 1000000000LL;
	while (!action_finished(a)) {
		assert_true(mono_ns() < give_up);
		engine_poll(c->e, NULL, 0, 20);
		int ms = action_wait_ms(a, mono_ns());
		assert_true(ms >= -1);
		action_tick(a, mono_ns());
	}
	assert_int_equal(action_wake_at(a), 0);
	assert_int_equal(action_wait_ms(a, mono_ns()), 0);   /* finished: nothing to wait for */
}

static void job_record(struct audit_record *r, enum audit_action act, const char *owner)
{
	*r = (struct audit_record){
		.who = S("carol"), .action = act, .target = S("job"), .target_id = S("svc1"),
		.owner = (char *)(uintptr_t)owner, .reason = S("asked to"), .time = INT64_C(1795335104),
		.host = S("gw"), .glovebox_version = S("0.1.0"),
	};
}

static const struct action_opts fast = {.backoff_ms = 10, .network_timeout_ms = 2000};

#define NETS "[{\"Id\":\"net1\",\"Name\":\"job-net\",\"Labels\":{\"glovebox.job\":\"job\",\"glovebox.owner\":\"alice\"}}," \
             "{\"Id\":\"net2\",\"Name\":\"jobless\",\"Labels\":{\"glovebox.job\":\"job2\",\"glovebox.owner\":\"alice\"}}," \
             "{\"Id\":\"net3\",\"Name\":\"forged\",\"Labels\":{\"glovebox.job\":\"job\",\"glovebox.owner\":\"mallory\"}}]"
#define IN_USE "{\"message\":\"rpc error: code = FailedPrecondition desc = network net1 is in use by task t1\"}"

static void test_remove_sequence(void **state)
{
	(void)state;
	const struct exchange script[] = {
		{"POST", "/v1.41/configs/create", 201, "{\"ID\":\"cfg1\"}", false},
		{"DELETE", "/v1.41/services/svc1", 200, "", false},
		{"GET", "/v1.41/networks?filters=", 200, NETS, false},
		{"DELETE", "/v1.41/networks/net1", 400, IN_USE, false},
		{"DELETE", "/v1.41/networks/net1", 400, IN_USE, false},
		{"DELETE", "/v1.41/networks/net1", 200, "", false},
	};
	struct fake *f = fake_start(script, sizeof script / sizeof script[0]);
	struct client c;
	client_open(&c, f);
	struct audit_record rec;
	job_record(&rec, AUDIT_RM, "alice");
	struct result res = {0};
	struct action *a = action_remove_job(c.e, &rec, &fast, on_progress, on_done, &res);
	run(&c, a);
	action_free(&a);
	assert_null(a);
	assert_int_equal(res.calls, 1);
	assert_true(res.ok);
	assert_null(res.error);
	assert_null(res.warning);
	assert_true(res.progress >= 5);
	assert_script_done(f);

	/* The record went first and is the one asked for. */
	char *name = NULL;
	char *body = audit_config_body(&rec, &name);
	assert_string_equal(f->body[0], body);
	assert_string_equal(res.audit, name);
	free(body);
	free(name);
	/* The network filter names the job and its owner. */
	assert_non_null(strstr(f->path[2], "glovebox.job%3Djob"));
	assert_non_null(strstr(f->path[2], "glovebox.owner%3Dalice"));
	/* Only the job's own network was touched: not another job's, not a forged one. */
	for (size_t i = 3; i < f->n_log; i++)
		assert_string_equal(f->path[i], "/v1.41/networks/net1");
	result_clear(&res);
	client_close(&c);
	fake_stop(f);
}

static void test_remove_network_stuck(void **state)
{
	(void)state;
	const struct exchange script[] = {
		{"POST", "/v1.41/configs/create", 201, "{\"ID\":\"cfg1\"}", false},
		{"DELETE", "/v1.41/services/svc1", 200, "", false},
		{"GET", "/v1.41/networks?filters=", 200, NETS, false},
		{"DELETE", "/v1.41/networks/net1", 400, IN_USE, true},
	};
	struct fake *f = fake_start(script, sizeof script / sizeof script[0]);
	struct client c;
	client_open(&c, f);
	struct audit_record rec;
	job_record(&rec, AUDIT_REAP, "alice");
	struct result res = {0};
	const struct action_opts opts = {.backoff_ms = 10, .network_timeout_ms = 300};
	int64_t t0 = mono_ns();
	struct action *a = action_remove_job(c.e, &rec, &opts, NULL, on_done, &res);
	run(&c, a);
	int64_t ms = (mono_ns() - t0) / 1000000;
	action_free(&a);
	/* The job is gone; the network is left, and the warning says how to remove it. */
	assert_true(res.ok);
	assert_non_null(res.warning);
	assert_non_null(strstr(res.warning, "job-net could not be removed"));
	assert_non_null(strstr(res.warning, "in use"));
	assert_non_null(strstr(res.warning, "docker network rm job-net"));
	/* Time-bounded, with backoff: a few tries, not hundreds. */
	assert_true(ms < 2000);
	size_t tries = f->n_log - 3;
	assert_true(tries >= 3 && tries <= 10);
	assert_script_done(f);
	result_clear(&res);
	client_close(&c);
	fake_stop(f);
}

static void test_remove_not_found(void **state)
{
	(void)state;
	const struct exchange script[] = {
		{"POST", "/v1.41/configs/create", 201, "{\"ID\":\"cfg1\"}", false},
		{"DELETE", "/v1.41/services/svc1", 404, "{\"message\":\"service svc1 not found\"}", false},
	};
	struct fake *f = fake_start(script, 2);
	struct client c;
	client_open(&c, f);
	struct audit_record rec;
	job_record(&rec, AUDIT_RM, "alice");
	struct result res = {0};
	struct action *a = action_remove_job(c.e, &rec, &fast, NULL, on_done, &res);
	run(&c, a);
	action_free(&a);
	assert_false(res.ok);
	assert_true(res.not_found);
	assert_non_null(strstr(res.error, "not found"));
	assert_non_null(res.audit);   /* the record was written first */
	assert_script_done(f);
	assert_int_equal(f->n_log, 2);
	result_clear(&res);
	client_close(&c);
	fake_stop(f);
}

static void test_remove_audit_fails(void **state)
{
	(void)state;
	const struct exchange script[] = {
		{"POST", "/v1.41/configs/create", 500, "{\"message\":\"raft: disk full\"}", false},
	};
	struct fake *f = fake_start(script, 1);
	struct client c;
	client_open(&c, f);
	struct audit_record rec;
	job_record(&rec, AUDIT_RM, "alice");
	struct result res = {0};
	struct action *a = action_remove_job(c.e, &rec, &fast, NULL, on_done, &res);
	run(&c, a);
	action_free(&a);
	/* No record, no removal. */
	assert_false(res.ok);
	assert_non_null(strstr(res.error, "nothing was done"));
	assert_non_null(strstr(res.error, "disk full"));
	assert_int_equal(f->n_log, 1);
	assert_script_done(f);
	result_clear(&res);
	client_close(&c);
	fake_stop(f);
}

static void test_remove_unmanaged_and_conflict(void **state)
{
	(void)state;
	/* 409: the same record exists already; a service not made by glovebox has no network. */
	const struct exchange script[] = {
		{"POST", "/v1.41/configs/create", 409, "{\"message\":\"config exists\"}", false},
		{"DELETE", "/v1.41/services/svc1", 200, "", false},
	};
	struct fake *f = fake_start(script, 2);
	struct client c;
	client_open(&c, f);
	struct audit_record rec;
	job_record(&rec, AUDIT_RM, NULL);
	struct result res = {0};
	struct action *a = action_remove_job(c.e, &rec, &fast, NULL, on_done, &res);
	run(&c, a);
	action_free(&a);
	assert_true(res.ok);
	assert_null(res.warning);
	assert_int_equal(f->n_log, 2);
	assert_script_done(f);
	result_clear(&res);
	client_close(&c);
	fake_stop(f);
}

#define SERVICE(version, mode) \
	"{\"ID\":\"svc1\",\"Version\":{\"Index\":" #version "},\"Spec\":{\"Name\":\"job\"," \
	"\"Labels\":{\"glovebox.owner\":\"alice\",\"glovebox.expires-at\":\"2026-11-23T08:11:44Z\"}," \
	"\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"img@sha256:abc\",\"Args\":[\"--cpu\",\"1\"]}," \
	"\"Resources\":{\"Limits\":{\"NanoCPUs\":1000000000,\"MemoryBytes\":268435456}}}," \
	"\"Mode\":" mode "}}"
#define REPLICATED "{\"Replicated\":{\"Replicas\":1}}"
#define OUT_OF_SEQ "{\"message\":\"rpc error: code = Unknown desc = update out of sequence\"}"

static void test_scale_retries_out_of_sequence(void **state)
{
	(void)state;
	const struct exchange script[] = {
		{"GET", "/v1.41/services/svc1", 200, SERVICE(7, REPLICATED), false},
		{"POST", "/v1.41/configs/create", 201, "{\"ID\":\"cfg1\"}", false},
		{"POST", "/v1.41/services/svc1/update?version=7", 500, OUT_OF_SEQ, false},
		{"GET", "/v1.41/services/svc1", 200, SERVICE(8, REPLICATED), false},
		{"POST", "/v1.41/services/svc1/update?version=8", 200, "{\"Warnings\":null}", false},
	};
	struct fake *f = fake_start(script, sizeof script / sizeof script[0]);
	struct client c;
	client_open(&c, f);
	struct audit_record rec;
	job_record(&rec, AUDIT_SCALE, "alice");
	struct result res = {0};
	struct action *a = action_scale_job(c.e, &rec, 0, &fast, NULL, on_done, &res);
	run(&c, a);
	action_free(&a);
	assert_true(res.ok);
	assert_string_equal(res.detail, "replicas 1 -> 0");
	assert_script_done(f);
	assert_int_equal(f->n_log, 5);   /* one record for two updates */

	/* The record says what changed. */
	json_t *cfg = json_loads(f->body[1], 0, NULL);
	gsize len;
	guchar *data = g_base64_decode(json_string_value(json_object_get(cfg, "Data")), &len);
	struct audit_record back;
	assert_int_equal(audit_from_json((const char *)data, len, &back, NULL), 0);
	assert_string_equal(back.detail, "replicas 1 -> 0");
	audit_clear(&back);
	g_free(data);
	json_decref(cfg);

	/* The full spec goes back with only the replicas changed. */
	json_t *spec = json_loads(f->body[4], 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(spec, "Mode"), "Replicated"), "Replicas")), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(spec, "Labels"), "glovebox.owner")), "alice");
	json_t *cs = json_object_get(json_object_get(spec, "TaskTemplate"), "ContainerSpec");
	assert_string_equal(json_string_value(json_object_get(cs, "Image")), "img@sha256:abc");
	assert_int_equal(json_array_size(json_object_get(cs, "Args")), 2);
	assert_null(json_object_get(spec, "Version"));
	json_decref(spec);
	result_clear(&res);
	client_close(&c);
	fake_stop(f);
}

static void test_scale_gives_up(void **state)
{
	(void)state;
	const struct exchange script[] = {
		{"GET", "/v1.41/services/svc1", 200, SERVICE(7, REPLICATED), false},
		{"POST", "/v1.41/configs/create", 201, "{\"ID\":\"cfg1\"}", false},
		{"POST", "/v1.41/services/svc1/update?version=7", 500, OUT_OF_SEQ, false},
		{"GET", "/v1.41/services/svc1", 200, SERVICE(7, REPLICATED), false},
		{"POST", "/v1.41/services/svc1/update?version=7", 500, OUT_OF_SEQ, false},
	};
	struct fake *f = fake_start(script, sizeof script / sizeof script[0]);
	struct client c;
	client_open(&c, f);
	struct audit_record rec;
	job_record(&rec, AUDIT_SCALE, "alice");
	struct result res = {0};
	const struct action_opts opts = {.update_attempts = 2};
	struct action *a = action_scale_job(c.e, &rec, 0, &opts, NULL, on_done, &res);
	run(&c, a);
	action_free(&a);
	assert_false(res.ok);
	assert_non_null(strstr(res.error, "update out of sequence"));
	assert_script_done(f);
	result_clear(&res);
	client_close(&c);
	fake_stop(f);
}

static void test_scale_refuses_global(void **state)
{
	(void)state;
	const struct exchange script[] = {
		{"GET", "/v1.41/services/svc1", 200, SERVICE(7, "{\"Global\":{}}"), false},
	};
	struct fake *f = fake_start(script, 1);
	struct client c;
	client_open(&c, f);
	struct audit_record rec;
	job_record(&rec, AUDIT_SCALE, "alice");
	struct result res = {0};
	struct action *a = action_scale_job(c.e, &rec, 0, &fast, NULL, on_done, &res);
	run(&c, a);
	action_free(&a);
	/* Refused before any record: nothing was attempted. */
	assert_false(res.ok);
	assert_non_null(strstr(res.error, "only replicated services"));
	assert_null(res.audit);
	assert_int_equal(f->n_log, 1);
	result_clear(&res);
	client_close(&c);
	fake_stop(f);
}

#define NODE(avail) \
	"{\"ID\":\"n1\",\"Version\":{\"Index\":3},\"Spec\":{\"Labels\":{\"glovebox.class\":\"gpu\"}," \
	"\"Role\":\"worker\",\"Availability\":\"" avail "\"},\"Description\":{\"Hostname\":\"gpu-1\"}}"

static void test_node_pause(void **state)
{
	(void)state;
	const struct exchange script[] = {
		{"GET", "/v1.41/nodes/n1", 200, NODE("active"), false},
		{"POST", "/v1.41/configs/create", 201, "{\"ID\":\"cfg1\"}", false},
		{"POST", "/v1.41/nodes/n1/update?version=3", 200, "", false},
	};
	struct fake *f = fake_start(script, 3);
	struct client c;
	client_open(&c, f);
	struct audit_record rec = {
		.who = S("carol"), .action = AUDIT_PAUSE_NODE, .target = S("gpu-1"), .target_id = S("n1"),
		.time = INT64_C(1795335104), .host = S("gw"), .glovebox_version = S("0.1.0"),
	};
	struct result res = {0};
	struct action *a = action_node_availability(c.e, &rec, &fast, NULL, on_done, &res);
	run(&c, a);
	action_free(&a);
	assert_true(res.ok);
	assert_string_equal(res.detail, "availability active -> pause");
	assert_script_done(f);
	json_t *spec = json_loads(f->body[2], 0, NULL);
	assert_string_equal(json_string_value(json_object_get(spec, "Availability")), "pause");
	assert_string_equal(json_string_value(json_object_get(spec, "Role")), "worker");
	assert_string_equal(json_string_value(json_object_get(json_object_get(spec, "Labels"), "glovebox.class")), "gpu");
	json_decref(spec);
	result_clear(&res);
	client_close(&c);
	fake_stop(f);
}

static void test_node_not_a_node_action(void **state)
{
	(void)state;
	struct fake *f = fake_start(NULL, 0);
	struct client c;
	client_open(&c, f);
	struct audit_record rec;
	job_record(&rec, AUDIT_RM, NULL);
	struct result res = {0};
	struct action *a = action_node_availability(c.e, &rec, &fast, NULL, on_done, &res);
	/* Refused at once, before the call returned, without a request. */
	assert_true(action_finished(a));
	assert_int_equal(res.calls, 1);
	assert_false(res.ok);
	action_free(&a);
	assert_int_equal(f->n_log, 0);
	result_clear(&res);
	client_close(&c);
	fake_stop(f);
}

static void test_free_in_flight(void **state)
{
	(void)state;
	const struct exchange script[] = {
		{"GET", "/v1.41/nodes/n1", 200, NODE("active"), false},
	};
	struct fake *f = fake_start(script, 1);
	struct client c;
	client_open(&c, f);
	struct audit_record rec = {
		.who = S("carol"), .action = AUDIT_DRAIN_NODE, .target = S("gpu-1"), .target_id = S("n1"),
		.time = 1, .host = S("gw"), .glovebox_version = S("0.1.0"),
	};
	struct result res = {0};
	struct action *a = action_node_availability(c.e, &rec, &fast, NULL, on_done, &res);
	assert_false(action_finished(a));
	action_free(&a);   /* abandoned: cancelled, no callback, no leak */
	engine_poll(c.e, NULL, 0, 20);
	assert_int_equal(res.calls, 0);
	assert_int_equal(engine_pending(c.e), 0);
	client_close(&c);
	fake_stop(f);
}

/* ---- pure parts ---- */

static void test_spec_rewrites(void **state)
{
	(void)state;
	uint64_t version = 0, old = 9;
	char *err = NULL;
	const char *svc = SERVICE(12, "{\"Replicated\":{}}");
	char *spec = service_spec_scaled(svc, strlen(svc), 1, &version, &old, &err);
	assert_non_null(spec);
	assert_int_equal(version, 12);
	assert_int_equal(old, 1);   /* Replicas left out means one */
	assert_non_null(strstr(spec, "\"Replicas\":1"));
	free(spec);

	const char *broken = "{\"ID\":\"x\",\"Spec\":{}}";
	assert_null(service_spec_scaled(broken, strlen(broken), 0, &version, &old, &err));
	assert_non_null(strstr(err, "Version.Index"));
	free(err);
	err = NULL;
	assert_null(service_spec_scaled("[]", 2, 0, &version, &old, &err));
	assert_non_null(err);
	free(err);
	err = NULL;

	char *before = NULL;
	const char *node = NODE("drain");
	spec = node_spec_with_availability(node, strlen(node), "active", &version, &before, &err);
	assert_non_null(spec);
	assert_int_equal(version, 3);
	assert_string_equal(before, "drain");
	assert_non_null(strstr(spec, "\"Availability\":\"active\""));
	free(spec);
	free(before);

	assert_true(reply_out_of_sequence(500, OUT_OF_SEQ, NULL));
	assert_true(reply_out_of_sequence(500, NULL, "listing: update out of sequence"));
	assert_false(reply_out_of_sequence(409, OUT_OF_SEQ, NULL));
	assert_false(reply_out_of_sequence(500, "{\"message\":\"other\"}", "other"));
	assert_string_equal(node_availability_for(AUDIT_PAUSE_NODE), "pause");
	assert_string_equal(node_availability_for(AUDIT_ACTIVATE_NODE), "active");
	assert_string_equal(node_availability_for(AUDIT_DRAIN_NODE), "drain");
	assert_null(node_availability_for(AUDIT_RM));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remove_sequence),
		cmocka_unit_test(test_remove_network_stuck),
		cmocka_unit_test(test_remove_not_found),
		cmocka_unit_test(test_remove_audit_fails),
		cmocka_unit_test(test_remove_unmanaged_and_conflict),
		cmocka_unit_test(test_scale_retries_out_of_sequence),
		cmocka_unit_test(test_scale_gives_up),
		cmocka_unit_test(test_scale_refuses_global),
		cmocka_unit_test(test_node_pause),
		cmocka_unit_test(test_node_not_a_node_action),
		cmocka_unit_test(test_free_in_flight),
		cmocka_unit_test(test_spec_rewrites),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
