/* widgets/spark.h: a series in one line, levels, missing samples, peaks kept when squeezed,
 * the scale, ASCII. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "widgets/spark.h"

static const char *render(int width, const double *v, size_t n, double max, bool ascii)
{
	static char buf[256];
	struct spark s = {.v = v, .n = n, .max = max};
	spark_render(buf, sizeof buf, width, &s, ascii);
	return buf;
}

static void test_levels(void **state)
{
	(void)state;
	const double v[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
	assert_string_equal(render(9, v, 9, 0, false), "▁▁▂▃▄▅▆▇█");
	assert_string_equal(render(9, v, 9, 0, true), "__.-:=+*#");
	/* Against a given top: half of it at most. */
	assert_string_equal(render(3, (const double[]){0, 2, 4}, 3, 8, false), "▁▂▄");
}

static void test_missing_and_short(void **state)
{
	(void)state;
	const double v[] = {4, NAN, 8};
	/* A gap is blank, never a zero; fewer samples than cells sit at the right edge. */
	assert_string_equal(render(5, v, 3, 0, false), "  ▄ █");
	assert_string_equal(render(5, v, 3, 0, true), "  : #");
	/* Nothing known: all blank. */
	assert_string_equal(render(4, (const double[]){NAN, NAN}, 2, 0, false), "    ");
	assert_string_equal(render(3, NULL, 0, 0, true), "   ");
	/* A flat series at 0 shows as the lowest level. */
	assert_string_equal(render(3, (const double[]){0, 0, 0}, 3, 0, false), "▁▁▁");
}

static void test_squeezed_keeps_peaks(void **state)
{
	(void)state;
	double v[60];
	for (size_t i = 0; i < 60; i++)
		v[i] = 1;
	v[31] = 10;   /* one spike among 60 samples in 6 cells: its cell shows it */
	assert_string_equal(render(6, v, 60, 0, false), "▁▁▁█▁▁");
	double lo, hi;
	struct spark s = {.v = v, .n = 60};
	assert_true(spark_range(&s, &lo, &hi));
	assert_true(lo == 1 && hi == 10);
}

static void test_width(void **state)
{
	(void)state;
	char small[8];
	const double v[] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct spark s = {.v = v, .n = 8};
	/* A buffer too small for the cells: cut on a whole cell, terminated. */
	size_t n = spark_render(small, sizeof small, 8, &s, false);
	assert_int_equal(n, 6);
	assert_int_equal(strlen(small), 6);
	assert_string_equal(render(0, v, 8, 0, false), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_missing_and_short),
		cmocka_unit_test(test_squeezed_keeps_peaks),
		cmocka_unit_test(test_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
