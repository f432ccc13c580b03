/* stats.h: the docker CLI's formulas (cli/command/container/stats_helpers.go), on hand-built
 * samples and on decoded captures (tests/fixtures/json/README.md). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "api/engine/decode.h"
#include "api/engine/stats.h"
#include "tests/unit/support.h"

#define MiB (UINT64_C(1) << 20)

static void assert_near(double got, double want)
{
	if (fabs(got - want) > 1e-9 * (fabs(want) > 1 ? fabs(want) : 1))
		fail_msg("got %.12f, want %.12f", got, want);
}

static void load(const char *fixture, struct stats_sample *s)
{
	size_t len;
	char *json = fixture_read(fixture, &len), *err = NULL;
	if (decode_stats(json, len, s, &err) != 0)
		fail_msg("%s: %s", fixture, err);
	free(json);
}

/* ---- CPU ---- */

static void test_cpu_online_cpus(void **state)
{
	(void)state;
	/* 0.5 s of CPU over a 1 s window on a 4-CPU host (system usage advances 4 s): 50 %. */
	struct stats_sample s = {
		.cpu_total = 1500000000, .precpu_total = 1000000000,
		.system_cpu = 104000000000, .presystem_cpu = 100000000000,
		.online_cpus = 4, .percpu_count = 4,
	};
	assert_near(stats_cpu_percent(&s), 50.0);
	/* online_cpus wins over the per-CPU count. */
	s.percpu_count = 8;
	assert_near(stats_cpu_percent(&s), 50.0);
}

static void test_cpu_falls_back_to_percpu_count(void **state)
{
	(void)state;
	struct stats_sample s = {
		.cpu_total = 200000000, .precpu_total = 100000000,
		.system_cpu = 400000000, .presystem_cpu = 0,
		.online_cpus = 0, .percpu_count = 4,
	};
	assert_near(stats_cpu_percent(&s), 100.0);  /* 0.1 / 0.4 * 4 * 100 */
	/* cgroup v2 without online_cpus has no per-CPU list either: ncpu 0 gives 0. */
	s.percpu_count = 0;
	assert_near(stats_cpu_percent(&s), 0.0);
}

static void test_cpu_needs_both_deltas_positive(void **state)
{
	(void)state;
	struct stats_sample s = {
		.cpu_total = 100, .precpu_total = 100,
		.system_cpu = 2000, .presystem_cpu = 1000, .online_cpus = 2,
	};
	assert_near(stats_cpu_percent(&s), 0.0);    /* no CPU used */
	s.cpu_total = 200;
	s.system_cpu = 1000;
	assert_near(stats_cpu_percent(&s), 0.0);    /* no system time passed */
	s.cpu_total = 50;
	s.system_cpu = 2000;
	assert_near(stats_cpu_percent(&s), 0.0);    /* counter went back: container restarted */
	s.cpu_total = 200;
	s.system_cpu = 500;
	assert_near(stats_cpu_percent(&s), 0.0);    /* system counter went back */
	struct stats_sample zero = {0};
	assert_near(stats_cpu_percent(&zero), 0.0);
}

/* ---- memory ---- */

static void test_mem_v1_total_inactive_file(void **state)
{
	(void)state;
	struct stats_sample s = {
		.mem_usage = 100 * MiB, .mem_limit = 200 * MiB,
		.has_total_inactive_file = true, .total_inactive_file = 30 * MiB,
		.has_inactive_file = true, .inactive_file = 5 * MiB,
	};
	assert_int_equal(stats_mem_used(&s), 70 * MiB);
	assert_near(stats_mem_percent(&s), 35.0);
	/* Not smaller than usage: the CLI falls through to inactive_file. */
	s.total_inactive_file = 100 * MiB;
	assert_int_equal(stats_mem_used(&s), 95 * MiB);
	s.has_inactive_file = false;
	s.inactive_file = 0;
	assert_int_equal(stats_mem_used(&s), 100 * MiB);
}

static void test_mem_v2_inactive_file(void **state)
{
	(void)state;
	struct stats_sample s = {
		.mem_usage = 50 * MiB, .mem_limit = 64 * MiB,
		.has_inactive_file = true, .inactive_file = 10 * MiB,
	};
	assert_int_equal(stats_mem_used(&s), 40 * MiB);
	assert_near(stats_mem_percent(&s), 62.5);
	s.inactive_file = 50 * MiB;                 /* not smaller than usage */
	assert_int_equal(stats_mem_used(&s), 50 * MiB);
	s.inactive_file = 60 * MiB;
	assert_int_equal(stats_mem_used(&s), 50 * MiB);
}

static void test_mem_missing_keys_and_zero_limit(void **state)
{
	(void)state;
	struct stats_sample s = { .mem_usage = 12345, .mem_limit = 0 };
	assert_int_equal(stats_mem_used(&s), 12345);
	assert_near(stats_mem_percent(&s), 0.0);
	/* The present-but-zero key of a fresh v1 container leaves usage unchanged. */
	s.has_total_inactive_file = true;
	assert_int_equal(stats_mem_used(&s), 12345);
	struct stats_sample zero = {0};
	assert_int_equal(stats_mem_used(&zero), 0);
	assert_near(stats_mem_percent(&zero), 0.0);
}

/* ---- against a limit ---- */

static void test_percent_of_limit(void **state)
{
	(void)state;
	assert_near(stats_cpu_percent_of_limit(50.0, 1000000000), 50.0);   /* 0.5 CPU of 1 */
	assert_near(stats_cpu_percent_of_limit(50.0, 500000000), 100.0);   /* of 0.5 */
	assert_near(stats_cpu_percent_of_limit(150.0, 2000000000), 75.0);
	assert_near(stats_cpu_percent_of_limit(0.0, 1000000000), 0.0);
	assert_near(stats_cpu_percent_of_limit(50.0, 0), -1.0);            /* no limit */
	assert_near(stats_cpu_percent_of_limit(50.0, -1), -1.0);

	assert_near(stats_mem_percent_of_limit(40 * MiB, (int64_t)(64 * MiB)), 62.5);
	assert_near(stats_mem_percent_of_limit(80 * MiB, (int64_t)(64 * MiB)), 125.0);
	assert_near(stats_mem_percent_of_limit(0, (int64_t)(64 * MiB)), 0.0);
	assert_near(stats_mem_percent_of_limit(40 * MiB, 0), -1.0);
	assert_near(stats_mem_percent_of_limit(40 * MiB, -5), -1.0);
}

/* ---- decoded captures ---- */

static void test_real_v1_sample(void **state)
{
	(void)state;
	struct stats_sample s;
	load("json/stats-v1.json", &s);
	/* (1767709175 - 1710871628) / (3475940000000 - 3473930000000) * 2 * 100 */
	assert_near(stats_cpu_percent(&s), 56837547.0 / 2010000000.0 * 200.0);
	assert_near(stats_cpu_percent(&s), 5.655477313432836);
	assert_int_equal(stats_mem_used(&s), 4710400);     /* total_inactive_file is 0 */
	assert_near(stats_mem_percent(&s), 4710400.0 / 67108864.0 * 100.0);
	/* The service's own limits: 1 CPU, 64 MiB. */
	assert_near(stats_cpu_percent_of_limit(stats_cpu_percent(&s), 1000000000),
	            5.655477313432836);
	assert_near(stats_mem_percent_of_limit(stats_mem_used(&s), 64 << 20), 7.01904296875);
	stats_sample_clear(&s);
}

static void test_synthetic_v2_sample(void **state)
{
	(void)state;
	struct stats_sample s;
	load("json/stats-v2.json", &s);
	assert_near(stats_cpu_percent(&s), 50.0);           /* 0.5 s of 2 CPUs over 1 s */
	assert_int_equal(stats_mem_used(&s), 40 * MiB);
	assert_near(stats_mem_percent(&s), 62.5);
	assert_near(stats_cpu_percent_of_limit(stats_cpu_percent(&s), 1000000000), 50.0);
	assert_near(stats_mem_percent_of_limit(stats_mem_used(&s), (int64_t)(64 * MiB)), 62.5);
	stats_sample_clear(&s);
}

static void test_stopped_sample_gives_zeros(void **state)
{
	(void)state;
	struct stats_sample s;
	load("json/stats-stopped.json", &s);
	assert_true(s.empty);
	assert_near(stats_cpu_percent(&s), 0.0);
	assert_int_equal(stats_mem_used(&s), 0);
	assert_near(stats_mem_percent(&s), 0.0);
	stats_sample_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_online_cpus),
		cmocka_unit_test(test_cpu_falls_back_to_percpu_count),
		cmocka_unit_test(test_cpu_needs_both_deltas_positive),
		cmocka_unit_test(test_mem_v1_total_inactive_file),
		cmocka_unit_test(test_mem_v2_inactive_file),
		cmocka_unit_test(test_mem_missing_keys_and_zero_limit),
		cmocka_unit_test(test_percent_of_limit),
		cmocka_unit_test(test_real_v1_sample),
		cmocka_unit_test(test_synthetic_v2_sample),
		cmocka_unit_test(test_stopped_sample_gives_zeros),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
