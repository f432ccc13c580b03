/* api/metrics: Prometheus replies decoded (vector, matrix, scalar, errors, pages that are not
 * Prometheus), container IDs from cgroup paths, the usage round's figures and their join to
 * jobs, the settings' precedence and URL checks (tests/fixtures/prom). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/secmem.h"
#include "api/core/jobs.h"
#include "api/core/weburl.h"
#include "api/metrics/prom.h"
#include "api/metrics/promconf.h"
#include "api/metrics/promdecode.h"
#include "api/metrics/promusage.h"
#include "tests/unit/support.h"

#define H  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define H3 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static int decode_fixture(const char *name, long status, const char *ctype,
                          struct prom_result *r, char **err)
{
	size_t len;
	char *body = fixture_read(name, &len);
	int rc = prom_decode(status, ctype, body, len, r, err);
	free(body);
	return rc;
}

/* ---- decoding ---- */

static void test_vector(void **state)
{
	(void)state;
	struct prom_result r;
	char *err = NULL;
	assert_int_equal(decode_fixture("prom/usage-vector.json", 200, "application/json", &r, &err), 0);
	assert_null(err);
	assert_int_equal(r.type, PROM_VECTOR);
	assert_int_equal(r.n, 14);
	assert_string_equal(prom_series_label(&r.v[0], "gb"), "cpu");
	assert_string_equal(prom_series_label(&r.v[0], "id"), "/docker/" H);
	assert_null(prom_series_label(&r.v[0], "instance"));
	assert_int_equal(r.v[0].n_points, 1);
	assert_true(fabs(r.v[0].points[0].t - 1765000000.123) < 1e-6);
	assert_true(fabs(r.v[0].points[0].v - 0.4975) < 1e-12);
	assert_true(isnan(r.v[10].points[0].v));
	prom_result_clear(&r);
}

static void test_matrix(void **state)
{
	(void)state;
	struct prom_result r;
	char *err = NULL;
	assert_int_equal(decode_fixture("prom/matrix.json", 200, "application/json", &r, &err), 0);
	assert_int_equal(r.type, PROM_MATRIX);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[0].n_points, 3);
	assert_true(r.v[0].points[2].t == 1765000030 && r.v[0].points[2].v == 0);
	assert_string_equal(prom_series_label(&r.v[0], "__name__"), "up");
	assert_int_equal(r.v[1].n_points, 0);
	prom_result_clear(&r);
}

static void test_scalar(void **state)
{
	(void)state;
	struct prom_result r;
	char *err = NULL;
	assert_int_equal(decode_fixture("prom/scalar.json", 200, "application/json", &r, &err), 0);
	assert_int_equal(r.type, PROM_SCALAR);
	assert_int_equal(r.n, 1);
	assert_true(r.v[0].points[0].v == 42);
	prom_result_clear(&r);
}

static void test_error_reply(void **state)
{
	(void)state;
	struct prom_result r;
	char *err = NULL;
	/* Prometheus answers 400 with its JSON; the escape in its text is not passed on. */
	assert_int_equal(decode_fixture("prom/error-bad-data.json", 400, "application/json", &r, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "Prometheus refused the query (bad_data): invalid parameter"));
	assert_null(strchr(err, '\033'));
	assert_int_equal(r.n, 0);
	free(err);
}

static void test_html_is_one_clear_message(void **state)
{
	(void)state;
	struct prom_result r;
	char *err = NULL;
	assert_int_equal(decode_fixture("prom/not-prometheus.html", 200, "text/html; charset=utf-8", &r, &err), -1);
	assert_string_equal(err, "the reply does not look like a Prometheus API (got text/html, HTTP 200): "
	                         "the URL must be Prometheus's base URL, e.g. http://HOST:9090, without /api/v1 or /graph");
	free(err);
	/* The same for a 404 page, other JSON, an empty reply. */
	assert_int_equal(prom_decode(404, "text/plain", "404 page not found\n", 19, &r, &err), -1);
	assert_non_null(strstr(err, "does not look like a Prometheus API (got text/plain, HTTP 404)"));
	free(err);
	assert_int_equal(prom_decode(200, "application/json", "{\"message\":\"page not found\"}", 28, &r, &err), -1);
	assert_non_null(strstr(err, "does not look like a Prometheus API (got application/json, HTTP 200)"));
	free(err);
	assert_int_equal(prom_decode(200, NULL, "", 0, &r, &err), -1);
	assert_non_null(strstr(err, "(got no Content-Type, HTTP 200)"));
	free(err);
	assert_int_equal(prom_decode(401, "text/plain", "Unauthorized\n", 13, &r, &err), -1);
	assert_non_null(strstr(err, "the credentials were refused (HTTP 401"));
	free(err);
}

static void test_malformed_success(void **state)
{
	(void)state;
	struct prom_result r;
	char *err = NULL;
	assert_int_equal(decode_fixture("prom/bad-value.json", 200, "application/json", &r, &err), -1);
	assert_non_null(strstr(err, "cannot read: a sample that is not [time, \"value\"]"));
	free(err);
	static const char *const bad[] = {
		"{\"status\":\"success\"}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":{}}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"histogram\",\"result\":[]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":1},\"value\":[1,\"1\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"1x\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1]]}]}}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (prom_decode(200, "application/json", bad[i], strlen(bad[i]), &r, &err) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(err, "Prometheus sent a result glovebox cannot read"));
		free(err);
	}
}

/* A writable copy of a literal: the model's strings are char *. */
#define W(s) ((char[]){s})

/* ---- container IDs ---- */

static void test_container_id(void **state)
{
	(void)state;
	char id[65];
	assert_true(prom_container_id("/docker/" H, id));
	assert_string_equal(id, H);
	assert_true(prom_container_id("/system.slice/docker-" H2 ".scope", id));
	assert_string_equal(id, H2);
	assert_true(prom_container_id("/glovebox-sandbox/" H3, id));
	assert_string_equal(id, H3);
	assert_true(prom_container_id("/kubepods/x/" H, id));
	static const char *const no[] = {
		NULL, "", "/", "/docker", "/docker/", H, "docker/" H, "/docker/" H "/init",
		"/docker/" H "0", "/docker/" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		"/docker/0123456789abcdef", "/system.slice/docker-" H, "/system.slice/crio-" H ".scope",
		"/system.slice/docker-" H ".scope/x", "/docker/" H ".scope", "/user.slice",
	};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		if (prom_container_id(no[i], id))
			fail_msg("took %s", no[i] ? no[i] : "NULL");
		assert_string_equal(id, "");
	}
}

/* ---- the usage round ---- */

static void test_usage_query(void **state)
{
	(void)state;
	char *q = prom_usage_query(0);
	assert_non_null(strstr(q, "rate(container_cpu_usage_seconds_total{id=~\".*[0-9a-f]{64}(\\\\.scope)?\"}[60s])"));
	assert_non_null(strstr(q, "container_memory_working_set_bytes"));
	assert_non_null(strstr(q, "container_spec_memory_limit_bytes"));
	assert_non_null(strstr(q, "max_over_time(container_oom_events_total"));
	assert_non_null(strstr(q, "node_memory_MemAvailable_bytes"));
	assert_non_null(strstr(q, "\"gb\", \"node_cpu\""));
	free(q);
	q = prom_usage_query(120);
	assert_non_null(strstr(q, "[120s]"));
	assert_null(strstr(q, "[60s]"));
	free(q);
	char *enc = prom_urlencode("a b{c=~\"x\"}[1m]/+&é");
	assert_string_equal(enc, "a%20b%7Bc%3D~%22x%22%7D%5B1m%5D%2F%2B%26%C3%A9");
	free(enc);
}

static void test_usage_from(void **state)
{
	(void)state;
	struct prom_result r;
	char *err = NULL;
	assert_int_equal(decode_fixture("prom/usage-vector.json", 200, "application/json", &r, &err), 0);
	struct prom_usage u;
	prom_usage_from(&r, &u);
	prom_result_clear(&r);
	assert_int_equal(u.n, 3);
	assert_int_equal(u.ignored, 3);   /* /docker, .../init, a 65-character id */
	const struct prom_container *c = prom_usage_find(&u, H);
	assert_non_null(c);
	assert_true(c->has_cpu && c->has_mem && c->has_limit);
	assert_true(fabs(c->cpu_percent - 49.75) < 1e-9);
	assert_int_equal(c->mem_used, 40u << 20);
	assert_int_equal(c->mem_limit, 64u << 20);
	assert_int_equal(c->ooms, 0);
	c = prom_usage_find(&u, H2);
	assert_true(c && c->has_cpu && fabs(c->cpu_percent - 125) < 1e-9 && c->mem_used == 1048576 && !c->has_limit);
	c = prom_usage_find(&u, H3);   /* its CPU was NaN: left out; the OOM events stay */
	assert_true(c && !c->has_cpu && !c->has_mem && c->ooms == 2);
	assert_null(prom_usage_find(&u, "0123456789ab"));
	assert_null(prom_usage_find(&u, NULL));
	assert_int_equal(u.n_nodes, 1);
	const struct prom_node *n = prom_usage_node(&u, "n1abc");
	assert_true(n && n->has_cpu && fabs(n->cpu_percent - 150) < 1e-9 && n->has_mem && n->mem_used == 2147483648u);
	assert_null(prom_usage_node(&u, "other"));
	prom_usage_clear(&u);

	/* A matrix (not the round's answer) gives no figures. */
	assert_int_equal(decode_fixture("prom/matrix.json", 200, "application/json", &r, &err), 0);
	prom_usage_from(&r, &u);
	assert_int_equal(u.n + u.n_nodes, 0);
	prom_usage_clear(&u);
	prom_result_clear(&r);
}

/* The figures join tasks on every node by container ID: a job with a replica on another node
 * gets its usage, and OOM events confirm an OOM kill there. */
static void test_join_to_jobs(void **state)
{
	(void)state;
	struct service svc[2] = {
		{.id = W("s1"), .name = W("busy"), .mode = MODE_REPLICATED, .replicas = 2, .limit_memory = 64 << 20},
		{.id = W("s2"), .name = W("hog"), .mode = MODE_REPLICATED, .replicas = 1, .limit_memory = 32 << 20},
	};
	struct task tasks[3] = {
		{.id = W("t1"), .service_id = W("s1"), .slot = 1, .node_id = W("manager"), .state = W("running"),
		 .desired_state = W("running"), .container_id = W(H)},
		{.id = W("t2"), .service_id = W("s1"), .slot = 2, .node_id = W("worker"), .state = W("running"),
		 .desired_state = W("running"), .container_id = W(H2)},
		{.id = W("t3"), .service_id = W("s2"), .slot = 1, .node_id = W("worker"), .state = W("failed"),
		 .desired_state = W("shutdown"), .container_id = W(H3), .has_exit_code = true, .exit_code = 137,
		 .err = W("task: non-zero exit (137)")},
	};
	struct service_list sl = {svc, 2};
	struct task_list tl = {tasks, 3};
	struct usage usage[2] = {{H, 49.75, 40u << 20}, {H2, 125, 1 << 20}};
	struct cstate cs[1] = {{H3, true, 0}};
	struct job_inputs in = {
		.services = &sl, .tasks = &tl, .local_node_id = "manager",
		.usage = usage, .n_usage = 2, .cstates = cs, .n_cstates = 1,
	};
	struct job_list jobs;
	/* Engine figures: only the manager's container counts. */
	jobs_derive(&in, &jobs);
	assert_int_equal(jobs.v[0].sampled, 1);
	assert_true(fabs(jobs.v[0].cpu_percent - 49.75) < 1e-9);
	assert_int_equal(jobs.v[1].state, JOB_FAILED);
	assert_string_equal(jobs.v[0].node_id, "manager");
	job_list_clear(&jobs);
	/* Prometheus's: both replicas, and the worker's OOM. */
	in.figures_everywhere = true;
	jobs_derive(&in, &jobs);
	assert_int_equal(jobs.v[0].sampled, 2);
	assert_true(fabs(jobs.v[0].cpu_percent - 174.75) < 1e-9);
	assert_int_equal(jobs.v[0].mem_used, (40u << 20) + (1u << 20));
	assert_int_equal(jobs.v[1].state, JOB_OOM);
	assert_int_equal(jobs.v[1].ooms, 1);
	assert_string_equal(jobs.v[1].reason, "OOM killed (limit 32 MiB)");
	assert_string_equal(jobs.v[1].node_id, "worker");
	job_list_clear(&jobs);
}

/* ---- settings ---- */

static void test_url_check(void **state)
{
	(void)state;
	char *norm, *err = NULL;
	static const struct { const char *in, *out; } good[] = {
		{"http://127.0.0.1:9090", "http://127.0.0.1:9090"},
		{"https://prom.example.org/", "https://prom.example.org"},
		{"http://prom:9090/prometheus//", "http://prom:9090/prometheus"},
		{"HTTP://[::1]:9091", "HTTP://[::1]:9091"},
		{"http://prom_1.internal", "http://prom_1.internal"},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (weburl_check(good[i].in, "--metrics", &norm, &err) != 0)
			fail_msg("%s: %s", good[i].in, err);
		assert_string_equal(norm, good[i].out);
		free(norm);
	}
	static const struct { const char *in, *why; } bad[] = {
		{"", "it is empty"},
		{"ftp://p", "only http:// and https:// are supported"},
		{"unix:///run/docker.sock", "only http:// and https:// are supported"},
		{"file:///etc/passwd", "only http:// and https:// are supported"},
		{"127.0.0.1:9090", "only http:// and https:// are supported"},
		{"http://user:pw@p:9090", "no user:password@"},
		{"http://p:9090/?x=1", "no query or fragment"},
		{"http://p#f", "no query or fragment"},
		{"http://", "it names no host"},
		{"http://:9090", "it names no host"},
		{"http://p:0", "the port must be a number from 1 to 65535"},
		{"http://p:65536", "the port must be a number from 1 to 65535"},
		{"http://p:x", "the port must be a number from 1 to 65535"},
		{"http://p q", "spaces or control characters"},
		{"http://p\033[31m", "spaces or control characters"},
		{"http://[::1", "closing ]"},
		{"http://[zz]:1", "not an IPv6 address"},
		{"http://pr%6fm", "characters a host name cannot have"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (weburl_check(bad[i].in, "--metrics", &norm, &err) == 0)
			fail_msg("accepted %s", bad[i].in);
		assert_null(norm);
		if (!strstr(err, bad[i].why) || strncmp(err, "--metrics: ", 11) != 0)
			fail_msg("%s: %s", bad[i].in, err);
		assert_null(strchr(err, '\033'));
		free(err);
	}
}

static void test_precedence(void **state)
{
	(void)state;
	struct policy_metrics pm = {
		.prometheus = W("https://prom.site:9090"), .ca_file = W("/etc/glovebox/prom-ca.pem"),
		.credentials_file = W("/etc/glovebox/prom.cred"), .rate_window = 120,
	};
	struct metrics_conf mc;
	char *err = NULL;
	/* Nothing anywhere: the engine's stats. */
	assert_int_equal(metrics_conf_resolve(NULL, "", NULL, NULL, &mc, &err), 0);
	assert_int_equal(mc.from, METRICS_NONE);
	assert_null(mc.url);
	assert_int_equal(mc.window_s, 60);
	metrics_conf_clear(&mc);
	/* The policy alone: its URL, CA, credentials and window. */
	assert_int_equal(metrics_conf_resolve(NULL, NULL, NULL, &pm, &mc, &err), 0);
	assert_int_equal(mc.from, METRICS_POLICY);
	assert_string_equal(mc.url, "https://prom.site:9090");
	assert_string_equal(mc.ca_file, pm.ca_file);
	assert_string_equal(mc.credentials_file, pm.credentials_file);
	assert_int_equal(mc.window_s, 120);
	metrics_conf_clear(&mc);
	/* The variable wins over the policy; another URL gets none of the policy's secrets. */
	assert_int_equal(metrics_conf_resolve(NULL, "http://evil:9090", NULL, &pm, &mc, &err), 0);
	assert_int_equal(mc.from, METRICS_ENV);
	assert_string_equal(mc.url, "http://evil:9090");
	assert_null(mc.ca_file);
	assert_null(mc.credentials_file);
	metrics_conf_clear(&mc);
	/* The flag wins over both; the policy's own URL keeps its CA and credentials. */
	assert_int_equal(metrics_conf_resolve("https://prom.site:9090/", "http://evil:9090", NULL, &pm, &mc, &err), 0);
	assert_int_equal(mc.from, METRICS_FLAG);
	assert_string_equal(mc.url, "https://prom.site:9090");
	assert_string_equal(mc.credentials_file, pm.credentials_file);
	metrics_conf_clear(&mc);
	/* The window from the environment when the policy has none. */
	assert_int_equal(metrics_conf_resolve("http://p", NULL, "30s", NULL, &mc, &err), 0);
	assert_int_equal(mc.window_s, 30);
	metrics_conf_clear(&mc);
	/* Bad values name their setting. */
	assert_int_equal(metrics_conf_resolve("ftp://p", NULL, NULL, &pm, &mc, &err), -1);
	assert_non_null(strstr(err, "--metrics: ftp://p is not a usable URL"));
	assert_int_equal(mc.from, METRICS_NONE);
	free(err);
	assert_int_equal(metrics_conf_resolve(NULL, "p:9090", NULL, NULL, &mc, &err), -1);
	assert_non_null(strstr(err, "GLOVEBOX_METRICS: p:9090"));
	free(err);
	assert_int_equal(metrics_conf_resolve("http://p", NULL, "1s", NULL, &mc, &err), -1);
	assert_non_null(strstr(err, "GLOVEBOX_METRICS_WINDOW"));
	free(err);
	assert_string_equal(metrics_from_name(METRICS_ENV), "GLOVEBOX_METRICS");
}

/* The credentials file: trusted (root's, in root's directories) and closed to others. Runs
 * fully as root only (the file must be root's); elsewhere checks what it can. */
static void test_credentials_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/gbtest-promcred-XXXXXX";
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755);
	char path[128];
	snprintf(path, sizeof path, "%s/cred", dir);
	char *pw = NULL, *err = NULL;
	FILE *f = fopen(path, "w");
	fputs("glovebox:s3cret pass\n", f);
	fclose(f);
	chmod(path, 0640);
	if (getuid() == 0) {
		assert_int_equal(metrics_credentials_load(path, &pw, &err), 0);
		assert_string_equal(pw, "glovebox:s3cret pass");
		secmem_free(&pw);
		chmod(path, 0644);
		assert_int_equal(metrics_credentials_load(path, &pw, &err), -1);
		assert_non_null(strstr(err, "readable by everyone"));
		assert_null(strstr(err, "s3cret"));
		free(err);
		chmod(path, 0660);
		assert_int_equal(metrics_credentials_load(path, &pw, &err), -1);
		assert_non_null(strstr(err, "writable by its group"));
		free(err);
		chmod(path, 0600);
		f = fopen(path, "w");
		fputs("no colon here\n", f);
		fclose(f);
		assert_int_equal(metrics_credentials_load(path, &pw, &err), -1);
		assert_non_null(strstr(err, "must hold one line user:password"));
		assert_null(strstr(err, "colon"));
		free(err);
	} else {
		assert_int_equal(metrics_credentials_load(path, &pw, &err), -1);
		assert_non_null(strstr(err, "not root"));
		free(err);
	}
	assert_null(pw);
	unlink(path);
	assert_int_equal(metrics_credentials_load(path, &pw, &err), -1);
	assert_non_null(strstr(err, "cannot be read"));
	free(err);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_scalar),
		cmocka_unit_test(test_error_reply),
		cmocka_unit_test(test_html_is_one_clear_message),
		cmocka_unit_test(test_malformed_success),
		cmocka_unit_test(test_container_id),
		cmocka_unit_test(test_usage_query),
		cmocka_unit_test(test_usage_from),
		cmocka_unit_test(test_join_to_jobs),
		cmocka_unit_test(test_url_check),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_credentials_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
