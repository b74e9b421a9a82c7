/* Login throttling windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "core/throttle.h"

static void locks_after_max_failures_until_the_window_ends(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(3, 900, 64);

	assert_int_equal(throttle_check(t, "acme|jane@example.com", 1000), 0);
	throttle_fail(t, "acme|jane@example.com", 1000);
	throttle_fail(t, "acme|jane@example.com", 1010);
	assert_int_equal(throttle_check(t, "acme|jane@example.com", 1020), 0);
	throttle_fail(t, "acme|jane@example.com", 1020);
	assert_int_equal(throttle_check(t, "acme|jane@example.com", 1030), 870);
	assert_int_equal(throttle_check(t, "acme|joe@example.com", 1030), 0);
	assert_int_equal(throttle_check(t, "acme|jane@example.com", 1900), 0);
	throttle_free(t);
}

static void success_resets(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(2, 60, 64);

	throttle_fail(t, "k", 10);
	throttle_fail(t, "k", 11);
	assert_true(throttle_check(t, "k", 12) > 0);
	throttle_reset(t, "k");
	assert_int_equal(throttle_check(t, "k", 12), 0);
	throttle_free(t);
}

static void a_full_table_recycles_old_windows(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(1, 60, 4);
	char key[16];

	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		throttle_fail(t, key, 1000 + i);
	}
	/* The newest key is still counted. */
	assert_true(throttle_check(t, "k99", 1100) > 0);
	throttle_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(locks_after_max_failures_until_the_window_ends),
	        cmocka_unit_test(success_resets),
	        cmocka_unit_test(a_full_table_recycles_old_windows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
