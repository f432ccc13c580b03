/* submit.h's random source for derived job names; the steps themselves are tested against the
 * fault server (tests/fault/faults.sh) and a real engine (tests/integration/submit.sh). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "api/swarm/submit.h"

/* 32 bits from getrandom: 64 draws never all alike, and every bit set in one of them. */
static void test_name_random(void **state)
{
	(void)state;
	uint32_t first = 0, v, all_or = 0;
	size_t same = 0;
	for (int i = 0; i < 64; i++) {
		char *err = NULL;
		assert_int_equal(submit_name_random(&v, &err), 0);
		assert_null(err);
		if (i == 0)
			first = v;
		else
			same += v == first;
		all_or |= v;
	}
	assert_true(same < 63);
	assert_int_equal(all_or, 0xffffffffu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
