/* api/metrics/promhist.h: the queries of a job's and a node's last hour (only IDs go into
 * them), and a range result laid on the grid, summed over series, with gaps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/metrics/promhist.h"

#define A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void test_job_query(void **state)
{
	(void)state;
	const char *ids[] = {A, "not-an-id\"}) or vector(1", B, A "x"};
	char *q = prom_hist_query(ids, 4, false);
	assert_string_equal(q, "sum(rate(container_cpu_usage_seconds_total{id=~\".*/(docker-)?(" A "|" B
	                       ")(\\\\.scope)?\"}[120s])) * 100");
	free(q);
	q = prom_hist_query(ids, 1, true);
	assert_string_equal(q, "sum(container_memory_working_set_bytes{id=~\".*/(docker-)?(" A ")(\\\\.scope)?\"})");
	free(q);
	/* No ID at all: no query. */
	assert_null(prom_hist_query(ids + 1, 1, false));
	assert_null(prom_hist_query(NULL, 0, true));
}

static void test_node_query(void **state)
{
	(void)state;
	char *q = prom_hist_node_query("n1abc", false);
	assert_string_equal(q, "sum(rate(node_cpu_seconds_total{mode!=\"idle\",swarm_node_id=\"n1abc\"}[120s])) * 100");
	free(q);
	q = prom_hist_node_query("n1abc", true);
	assert_string_equal(q, "sum(node_memory_MemTotal_bytes{swarm_node_id=\"n1abc\"}) - "
	                       "sum(node_memory_MemAvailable_bytes{swarm_node_id=\"n1abc\"})");
	free(q);
	assert_null(prom_hist_node_query("n1\"}) or vector(1", false));
	assert_null(prom_hist_node_query("", true));
	assert_null(prom_hist_node_query(NULL, true));
}

static void test_grid(void **state)
{
	(void)state;
	struct prom_point p1[] = {{1000, 1}, {1060, 2}, {1180, NAN}};
	struct prom_point p2[] = {{1060, 10}, {1119, 5}};
	struct prom_series v[] = {{.points = p1, .n_points = 3}, {.points = p2, .n_points = 2}};
	struct prom_result r = {.type = PROM_MATRIX, .v = v, .n = 2};
	double out[4];
	prom_hist_grid(&r, 1000, 60, out, 4);
	assert_true(out[0] == 1);
	assert_true(out[1] == 12);   /* two series summed */
	assert_true(out[2] == 5);    /* a point a second early lands on its step */
	assert_true(isnan(out[3]));  /* NaN is no sample */
	/* Anything but a matrix: all gaps. */
	r.type = PROM_VECTOR;
	prom_hist_grid(&r, 1000, 60, out, 4);
	for (int i = 0; i < 4; i++)
		assert_true(isnan(out[i]));
	prom_hist_grid(NULL, 1000, 60, out, 4);
	assert_true(isnan(out[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_query),
		cmocka_unit_test(test_node_query),
		cmocka_unit_test(test_grid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
