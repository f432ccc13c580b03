/* Meter rendering to strings: ASCII and block forms, widths, values, unknown, two segments. */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/base/sanitize.h"
#include "widgets/meter.h"

#define FULL "\xE2\x96\x88"
#define E2 "\xE2\x96\x8E"    /* 2/8 */
#define E4 "\xE2\x96\x8C"    /* 4/8 */
#define SHADE "\xE2\x96\x91"

static const char *render(int width, const struct meter *m, bool ascii)
{
	static char buf[512];
	struct meter_layout l;
	meter_render(buf, sizeof buf, width, m, ascii, &l);
	assert_int_equal(text_width(buf), width > 0 ? width : 0);
	assert_int_equal(l.width, width > 0 ? width : 0);
	return buf;
}

static struct meter pct(double v)
{
	return (struct meter){ .total = 100, .value = v, .known = true };
}

static void test_ascii_values(void **state)
{
	(void)state;
	struct meter m = pct(0);
	assert_string_equal(render(12, &m, true), "[        0%]");
	m = pct(52);
	assert_string_equal(render(12, &m, true), "[|||||  52%]");
	m = pct(100);
	assert_string_equal(render(12, &m, true), "[||||||100%]");
	m = pct(130);
	assert_string_equal(render(12, &m, true), "[||||||130%]");
	m = pct(52);
	assert_string_equal(render(22, &m, true), "[||||||||||       52%]");
	/* Not 100 as the total. */
	m = (struct meter){ .total = 2048, .value = 512, .known = true };
	assert_string_equal(render(12, &m, true), "[|||    25%]");
}

static void test_unknown(void **state)
{
	(void)state;
	struct meter m = { .total = 100, .value = 52 };   /* known is false */
	assert_string_equal(render(12, &m, true), "[   n/a    ]");
	assert_string_equal(render(12, &m, false), "[   n/a    ]");
	assert_int_equal(meter_level(&m), METER_UNKNOWN);
	m = (struct meter){ .total = 0, .value = 52, .known = true };
	assert_string_equal(render(9, &m, true), "[  n/a  ]");
	m = (struct meter){ .total = 100, .value = NAN, .known = true };
	assert_string_equal(render(9, &m, true), "[  n/a  ]");
	/* Owner text for an unknown value. */
	m = (struct meter){ .total = 100, .text = "no stats" };
	assert_string_equal(render(12, &m, true), "[ no stats ]");
}

static void test_blocks(void **state)
{
	(void)state;
	struct meter m = pct(52);   /* 41.6 eighths of 10 cells: 5 full and 2/8 */
	assert_string_equal(render(12, &m, false), "[" FULL FULL FULL FULL FULL E2 " 52%]");
	m = pct(45);                /* 36 eighths: 4 full and a half */
	assert_string_equal(render(12, &m, false), "[" FULL FULL FULL FULL E4 "  45%]");
	m = pct(0);
	assert_string_equal(render(12, &m, false), "[        0%]");
	m = pct(100);
	assert_string_equal(render(12, &m, false), "[" FULL FULL FULL FULL FULL FULL "100%]");
	m = pct(250);
	assert_string_equal(render(12, &m, false), "[" FULL FULL FULL FULL FULL FULL "250%]");
}

static void test_two_segments(void **state)
{
	(void)state;
	/* Used 30 of a 70 reservation on a 100 capacity. */
	struct meter m = { .total = 100, .value = 30, .value2 = 40, .known = true };
	struct meter_layout l;
	char buf[256];
	meter_render(buf, sizeof buf, 12, &m, true, &l);
	assert_string_equal(buf, "[|||####30%]");
	assert_int_equal(l.fill1, 3);
	assert_int_equal(l.fill2, 7);
	assert_int_equal(l.inner_x, 1);
	assert_int_equal(l.inner_w, 10);
	assert_int_equal(l.text_x, 8);
	assert_int_equal(l.text_w, 3);
	assert_int_equal(l.bar_x, 0);
	assert_int_equal(l.level, METER_OK);
	meter_render(buf, sizeof buf, 22, &m, false, &l);
	assert_string_equal(buf, "[" FULL FULL FULL FULL FULL FULL SHADE SHADE SHADE SHADE SHADE SHADE
	                         SHADE SHADE "   30%]");
	/* The second segment never goes past the end. */
	m = (struct meter){ .total = 100, .value = 80, .value2 = 80, .known = true,
	                    .text = "8G/10G" };
	assert_string_equal(render(16, &m, true), "[||||||||8G/10G]");
	meter_render(buf, sizeof buf, 16, &m, true, &l);
	assert_int_equal(l.fill1, 11);
	assert_int_equal(l.fill2, 14);
	/* A negative second segment is none. */
	m = (struct meter){ .total = 100, .value = 50, .value2 = -20, .known = true };
	assert_string_equal(render(12, &m, true), "[|||||  50%]");
}

static void test_label_and_widths(void **state)
{
	(void)state;
	struct meter m = pct(52);
	m.label = "CPU";
	assert_string_equal(render(15, &m, true), "CPU[|||||  52%]");
	assert_string_equal(render(6, &m, true), "CPU[|]");
	/* The label goes when less than 3 columns would stay for the bar. */
	assert_string_equal(render(5, &m, true), "[52%]");
	m.label = NULL;
	assert_string_equal(render(4, &m, true), "[| ]");
	assert_string_equal(render(3, &m, true), "[|]");
	assert_string_equal(render(2, &m, true), "| ");
	assert_string_equal(render(1, &m, true), "|");
	assert_string_equal(render(0, &m, true), "");
	assert_string_equal(render(-3, &m, true), "");
	struct meter_layout l;
	char buf[8];
	meter_render(buf, sizeof buf, 2, &m, true, &l);
	assert_int_equal(l.bar_x, -1);
	/* A small buffer is cut, not overrun. */
	char tiny[4];
	m = pct(52);
	meter_render(tiny, sizeof tiny, 12, &m, true, NULL);
	assert_string_equal(tiny, "[||");
	meter_render(tiny, 0, 12, &m, true, NULL);
}

static void test_levels(void **state)
{
	(void)state;
	struct meter m = pct(69);
	assert_int_equal(meter_level(&m), METER_OK);
	m = pct(70);
	assert_int_equal(meter_level(&m), METER_WARN);
	m = pct(89.9);
	assert_int_equal(meter_level(&m), METER_WARN);
	m = pct(90);
	assert_int_equal(meter_level(&m), METER_CRIT);
	m = pct(140);
	assert_int_equal(meter_level(&m), METER_CRIT);
	m = pct(50);
	m.warn_pct = 40;
	m.crit_pct = 60;
	assert_int_equal(meter_level(&m), METER_WARN);
	m = pct(60);
	m.crit_pct = 60;
	assert_int_equal(meter_level(&m), METER_CRIT);
	/* The second segment does not count towards the level. */
	m = (struct meter){ .total = 100, .value = 10, .value2 = 85, .known = true };
	assert_int_equal(meter_level(&m), METER_OK);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_values),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_two_segments),
		cmocka_unit_test(test_label_and_widths),
		cmocka_unit_test(test_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
