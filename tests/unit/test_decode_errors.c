/* decode.h: errors that name the field (malformed fixtures and hand-made bodies, the first
 * error wins, embedded NULs) and decode_time's edge cases. The documents decoded field by field
 * are in test_decode.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/engine/decode.h"
#include "tests/unit/support.h"

/* ---- errors that name the field ---- */

static void expect_services_error(const char *json, size_t len, const char *want)
{
	struct service_list l;
	char *err = NULL;
	if (decode_services(json, len, &l, &err) != -1)
		fail_msg("decode_services should fail with \"%s\"", want);
	assert_non_null(err);
	if (strcmp(err, want) != 0)
		fail_msg("got \"%s\", want \"%s\"", err, want);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	free(err);
}

static void expect_fixture_error(const char *fixture,
                                 int (*decode)(const char *, size_t, char **),
                                 const char *want)
{
	size_t len;
	char *json = fixture_read(fixture, &len), *err = NULL;
	if (decode(json, len, &err) != -1)
		fail_msg("%s should fail with \"%s\"", fixture, want);
	free(json);
	if (!err || strcmp(err, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", fixture, err ? err : "(null)", want);
	free(err);
}

/* Adapters so every decoder fits expect_fixture_error; each checks that a failed decode
 * leaves its output cleared. */
static int services_(const char *j, size_t n, char **err)
{
	struct service_list l;
	int r = decode_services(j, n, &l, err);
	assert_true(r == 0 || (l.n == 0 && l.v == NULL));
	service_list_clear(&l);
	return r;
}

static int tasks_(const char *j, size_t n, char **err)
{
	struct task_list l;
	int r = decode_tasks(j, n, &l, err);
	assert_true(r == 0 || (l.n == 0 && l.v == NULL));
	task_list_clear(&l);
	return r;
}

static int nodes_(const char *j, size_t n, char **err)
{
	struct node_list l;
	int r = decode_nodes(j, n, &l, err);
	assert_true(r == 0 || (l.n == 0 && l.v == NULL));
	node_list_clear(&l);
	return r;
}

static int stats_(const char *j, size_t n, char **err)
{
	struct stats_sample s;
	int r = decode_stats(j, n, &s, err);
	assert_true(r == 0 || (s.id == NULL && s.cpu_total == 0));
	stats_sample_clear(&s);
	return r;
}

static int event_(const char *j, size_t n, char **err)
{
	struct event e;
	int r = decode_event(j, n, &e, err);
	assert_true(r == 0 || (e.type == NULL && e.attributes.n == 0 && e.attributes.v == NULL));
	event_clear(&e);
	return r;
}

static int info_(const char *j, size_t n, char **err)
{
	struct engine_info i;
	int r = decode_info(j, n, &i, err);
	assert_true(r == 0 || (i.name == NULL && i.ncpu == 0));
	engine_info_clear(&i);
	return r;
}

static int container_(const char *j, size_t n, char **err)
{
	struct container_state c;
	int r = decode_container_state(j, n, &c, err);
	assert_true(r == 0 || (c.status == NULL && c.exit_code == 0));
	container_state_clear(&c);
	return r;
}

static void test_fixture_type_errors(void **state)
{
	(void)state;
	expect_fixture_error("json/bad-services-types.json", services_,
	                     "services[1].Spec.Mode.Replicated.Replicas: expected an integer");
	expect_fixture_error("json/bad-tasks-types.json", tasks_,
	                     "tasks[0].Status.ContainerStatus.ExitCode: expected an integer");
	expect_fixture_error("json/bad-nodes-types.json", nodes_,
	                     "nodes[0].Description.Resources.NanoCPUs: expected an integer");
	expect_fixture_error("json/bad-stats-types.json", stats_,
	                     "cpu_stats.cpu_usage.percpu_usage[1]: expected an integer");
	expect_fixture_error("json/bad-event-types.json", event_,
	                     "Actor.Attributes.exitCode: expected a string");
	expect_fixture_error("json/bad-info-types.json", info_, "Swarm: expected an object");
	expect_fixture_error("json/bad-container-types.json", container_,
	                     "State.OOMKilled: expected a boolean");
}

static void test_fixture_shape_errors(void **state)
{
	(void)state;
	expect_fixture_error("json/bad-not-array.json", services_, "services: expected an array");
	expect_fixture_error("json/bad-not-array.json", tasks_, "tasks: expected an array");
	expect_fixture_error("json/bad-not-array.json", nodes_, "nodes: expected an array");
	expect_fixture_error("json/services.json", stats_, "stats: expected an object");
	expect_fixture_error("json/tasks.json", info_, "info: expected an object");

	size_t len;
	char *json = fixture_read("json/bad-truncated.json", &len), *err = NULL;
	const char *prefix = "services: invalid JSON at line 31, column ";
	struct service_list l;
	assert_int_equal(decode_services(json, len, &l, &err), -1);
	free(json);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("got \"%s\"", err);
	assert_int_equal(l.n, 0);
	free(err);

	/* A body cut short inside an element of a real capture. */
	json = fixture_read("json/tasks.json", &len);
	err = NULL;
	assert_int_equal(tasks_(json, len / 2, &err), -1);
	assert_non_null(strstr(err, "tasks: invalid JSON at line "));
	free(err);
	free(json);
}

static void test_inline_type_errors(void **state)
{
	(void)state;
#define S(lit) lit, sizeof lit - 1
	expect_services_error(S("[{\"Spec\":{\"Name\":7}}]"), "services[0].Spec.Name: expected a string");
	expect_services_error(S("[{\"ID\":\"a\"},{\"Spec\":{\"TaskTemplate\":[]}}]"),
	                      "services[1].Spec.TaskTemplate: expected an object");
	expect_services_error(S("[{\"Spec\":{\"Labels\":{\"team\":1}}}]"),
	                      "services[0].Spec.Labels.team: expected a string");
	expect_services_error(S("[{\"Spec\":{\"Labels\":[\"team=lab\"]}}]"),
	                      "services[0].Spec.Labels: expected an object");
	expect_services_error(
		S("[{\"Spec\":{\"TaskTemplate\":{\"Placement\":{\"Constraints\":[\"a==b\",3]}}}}]"),
		"services[0].Spec.TaskTemplate.Placement.Constraints[1]: expected a string");
	expect_services_error(
		S("[{\"Spec\":{\"TaskTemplate\":{\"Placement\":{\"Constraints\":\"a==b\"}}}}]"),
		"services[0].Spec.TaskTemplate.Placement.Constraints: expected an array");
	expect_services_error(S("[{\"Spec\":{\"Mode\":{\"Replicated\":{\"Replicas\":-1}}}}]"),
	                      "services[0].Spec.Mode.Replicated.Replicas: expected a non-negative integer");
	expect_services_error(S("[{\"Spec\":{\"Mode\":{\"Replicated\":{\"Replicas\":1.0}}}}]"),
	                      "services[0].Spec.Mode.Replicated.Replicas: expected an integer");
	expect_services_error(S("[{\"Spec\":{\"Mode\":{\"Replicated\":true}}}]"),
	                      "services[0].Spec.Mode.Replicated: expected an object");
	expect_services_error(
		S("[{\"Spec\":{\"TaskTemplate\":{\"Resources\":{\"Limits\":{\"NanoCPUs\":\"1e9\"}}}}}]"),
		"services[0].Spec.TaskTemplate.Resources.Limits.NanoCPUs: expected an integer");
	expect_services_error(S("[{\"Spec\":{\"TaskTemplate\":{\"ContainerSpec\":{\"TTY\":1}}}}]"),
	                      "services[0].Spec.TaskTemplate.ContainerSpec.TTY: expected a boolean");
	expect_services_error(S("[{\"ServiceStatus\":{\"RunningTasks\":\"1\"}}]"),
	                      "services[0].ServiceStatus.RunningTasks: expected an integer");
	expect_services_error(S("[{\"CreatedAt\":\"yesterday\"}]"),
	                      "services[0].CreatedAt: expected an RFC 3339 time");
	expect_services_error(S("[{\"CreatedAt\":1795335469}]"),
	                      "services[0].CreatedAt: expected an RFC 3339 time string");
	expect_services_error(S("[{\"ID\":\"a\"}, 3]"), "services[1]: expected an object");
	expect_services_error(S("[{\"ID\":\"a\"}, null]"), "services[1]: expected an object");
	expect_services_error(S(""), "services: invalid JSON at line 1, column 0: "
	                             "'[' or '{' expected near end of file");
	/* jansson's json_int_t is long long: bigger numbers are a parse error, not a wrap. */
	struct service_list l;
	char *err = NULL;
	assert_int_equal(decode_services(S("[{\"Version\":{\"Index\":18446744073709551615}}]"), &l, &err), -1);
	assert_non_null(strstr(err, "too big"));
	free(err);

	err = NULL;
	assert_int_equal(tasks_(S("[{\"Status\":{\"ContainerStatus\":{\"ExitCode\":4294967296}}}]"), &err), -1);
	assert_string_equal(err, "tasks[0].Status.ContainerStatus.ExitCode: expected an integer "
	                         "from -2147483648 to 2147483647");
	free(err);

	err = NULL;
	assert_int_equal(stats_(S("{\"cpu_stats\":{\"online_cpus\":-2}}"), &err), -1);
	assert_string_equal(err, "cpu_stats.online_cpus: expected an integer from 0 to 4294967295");
	free(err);

	err = NULL;
	assert_int_equal(stats_(S("{\"memory_stats\":{\"stats\":{\"inactive_file\":\"0\"}}}"), &err), -1);
	assert_string_equal(err, "memory_stats.stats.inactive_file: expected an integer");
	free(err);

	err = NULL;
	assert_int_equal(stats_(S("{\"read\":\"now\"}"), &err), -1);
	assert_string_equal(err, "read: expected an RFC 3339 time");
	free(err);

	err = NULL;
	assert_int_equal(event_(S("{\"Actor\":\"abc\"}"), &err), -1);
	assert_string_equal(err, "Actor: expected an object");
	free(err);

	err = NULL;
	assert_int_equal(event_(S("{\"timeNano\":\"1\"}"), &err), -1);
	assert_string_equal(err, "timeNano: expected an integer");
	free(err);

	err = NULL;
	assert_int_equal(info_(S("{\"Swarm\":{\"ControlAvailable\":\"true\"}}"), &err), -1);
	assert_string_equal(err, "Swarm.ControlAvailable: expected a boolean");
	free(err);

	err = NULL;
	assert_int_equal(container_(S("{\"State\":{\"FinishedAt\":\"2026-13-01T00:00:00Z\"}}"), &err), -1);
	assert_string_equal(err, "State.FinishedAt: expected an RFC 3339 time");
	free(err);

	err = NULL;
	assert_int_equal(event_(S("[]"), &err), -1);
	assert_string_equal(err, "event: expected an object");
	free(err);

	/* A NULL err is allowed: the message is dropped, the result still says -1. */
	assert_int_equal(decode_services(S("[1]"), &l, NULL), -1);
	assert_int_equal(decode_stats(S("{\"id\":1}"), &(struct stats_sample){0}, NULL), -1);
	assert_int_equal(decode_nodes(S("nope"), &(struct node_list){0}, NULL), -1);
#undef S
}

static void test_first_error_wins(void **state)
{
	(void)state;
	/* Both fields are wrong; the message names the first one read, and nothing leaks. */
	const char *json = "[{\"ID\":1,\"Spec\":{\"Name\":2,\"Labels\":{\"a\":3}}}]";
	expect_services_error(json, strlen(json), "services[0].ID: expected a string");
	/* A failure in a later element clears the good earlier ones too. */
	const char *later = "[{\"ID\":\"ok\",\"Spec\":{\"Name\":\"a\",\"Labels\":{\"k\":\"v\"}}},"
	                    "{\"Spec\":{\"Labels\":{\"k\":\"v\",\"bad\":false}}}]";
	expect_services_error(later, strlen(later), "services[1].Spec.Labels.bad: expected a string");
}

static void test_embedded_nul(void **state)
{
	(void)state;
	const char *json = "[{\"Spec\":{\"Name\":\"a\\u0000b\",\"Labels\":{\"k\":\"\\u0000\"}}}]";
	struct service_list l;
	char *err = NULL;
	assert_int_equal(decode_services(json, strlen(json), &l, &err), 0);
	assert_string_equal(l.v[0].name, "a\xef\xbf\xbd" "b");
	assert_string_equal(labels_get(&l.v[0].labels, "k"), "\xef\xbf\xbd");
	service_list_clear(&l);
}

/* ---- decode_time ---- */

static void test_time_valid(void **state)
{
	(void)state;
	struct { const char *text; int64_t ns; } cases[] = {
		{ "1970-01-01T00:00:01Z", INT64_C(1000000000) },
		{ "1970-01-01T00:00:00.000000001Z", 1 },
		{ "1970-01-01T00:00:00.5Z", 500000000 },
		{ "1970-01-01T00:00:00.123456789Z", 123456789 },
		{ "1970-01-01T00:00:00.12345678Z", 123456780 },
		{ "2026-11-22T08:17:49.298991462Z", INT64_C(1795335469298991462) },
		{ "2026-11-22T08:17:49.421864Z", INT64_C(1795335469421864000) },
		{ "2026-11-22T08:17:49.47Z", INT64_C(1795335469470000000) },
		{ "2026-11-22t08:17:49z", INT64_C(1795335469000000000) },
		{ "2026-11-22T09:17:49+01:00", INT64_C(1795335469000000000) },
		{ "2026-11-22T02:47:49.5-05:30", INT64_C(1795335469500000000) },
		{ "2026-11-22T08:17:49+00:00", INT64_C(1795335469000000000) },
		{ "2024-02-29T12:00:00Z", INT64_C(1709208000000000000) },
		{ "2000-02-29T00:00:00Z", INT64_C(951782400000000000) },
		{ "1969-12-31T23:59:59Z", INT64_C(-1000000000) },
		{ "1969-12-31T23:59:59.5Z", INT64_C(-500000000) },
		{ "2262-04-11T23:47:16.854775807Z", INT64_MAX },
		{ "1677-09-21T00:12:43.145224192Z", INT64_MIN },
		/* Go's zero time means "never" and gives 0, as the header promises. */
		{ "0001-01-01T00:00:00Z", 0 },
		{ "0001-01-01T01:00:00+01:00", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t got = decode_time(cases[i].text);
		if (got != cases[i].ns)
			fail_msg("decode_time(\"%s\") = %lld, want %lld", cases[i].text, (long long)got,
			         (long long)cases[i].ns);
	}
}

static void test_time_invalid(void **state)
{
	(void)state;
	const char *bad[] = {
		NULL, "", "2026", "2026-11-22", "2026-11-22T08:17", "2026-11-22T08:17:49",
		"2026-11-22 08:17:49Z", "2026-11-22T08:17:49.Z", "2026-11-22T08:17:49.1234567890Z",
		"2026-11-22T08:17:49ZZ", "2026-11-22T08:17:49Z ", " 2026-11-22T08:17:49Z",
		"2026-11-22T08:17:49+0100", "2026-11-22T08:17:49+01", "2026-11-22T08:17:49+24:00",
		"2026-11-22T08:17:49+01:60", "2026-13-22T08:17:49Z", "2026-00-22T08:17:49Z",
		"2026-11-00T08:17:49Z", "2026-11-31T08:17:49Z", "2023-02-29T00:00:00Z",
		"2100-02-29T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T08:60:00Z",
		"2026-11-22T08:17:60Z", "2026-1-22T08:17:49Z", "+2026-11-22T08:17:49Z",
		"2026-11-22T08:17:49.+01:00", "2262-04-11T23:47:16.854775808Z",
		"1677-09-21T00:12:43.145224191Z", "9999-12-31T23:59:59Z", "2026-11-22T08:17:4\xc3\xa9Z",
		"2026-11-22T08:17:49.12a Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (decode_time(bad[i]) != -1)
			fail_msg("decode_time(\"%s\") should be -1", bad[i] ? bad[i] : "(null)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_type_errors),
		cmocka_unit_test(test_fixture_shape_errors),
		cmocka_unit_test(test_inline_type_errors),
		cmocka_unit_test(test_first_error_wins),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_time_valid),
		cmocka_unit_test(test_time_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
