/* Login throttling windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>

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

/* Attempts in flight count against the budget: the one past it is refused before it runs. */
static void reserved_attempts_count_while_in_flight(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(3, 900, 64);

	for (int i = 0; i < 3; i++)
		assert_int_equal(throttle_reserve(t, "k", 1000), 0);
	assert_int_equal(throttle_reserve(t, "k", 1000), 1); /* in flight: try again shortly */
	throttle_finish(t, "k", 1000, THROTTLE_NEUTRAL);
	assert_int_equal(throttle_reserve(t, "k", 1000), 0); /* a neutral end frees its place */
	for (int i = 0; i < 3; i++)
		throttle_finish(t, "k", 1001, THROTTLE_FAILED);
	assert_int_equal(throttle_reserve(t, "k", 1010), 890); /* three failures: the window */
	assert_int_equal(throttle_check(t, "k", 1010), 890);
	assert_int_equal(throttle_reserve(t, "k", 1900), 0); /* a new window */
	throttle_free(t);
}

static void a_success_forgets_failures_but_not_other_attempts_in_flight(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(2, 60, 64);

	assert_int_equal(throttle_reserve(t, "k", 10), 0);
	throttle_finish(t, "k", 10, THROTTLE_FAILED);
	assert_int_equal(throttle_reserve(t, "k", 11), 0); /* 1 failure + 1 in flight: full */
	assert_int_equal(throttle_reserve(t, "k", 11), 1);
	assert_int_equal(throttle_reserve(t, "other", 11), 0); /* keys are independent */
	throttle_finish(t, "k", 12, THROTTLE_SUCCEEDED);
	assert_int_equal(throttle_reserve(t, "k", 12), 0);
	assert_int_equal(throttle_reserve(t, "k", 12), 0);
	assert_int_equal(throttle_reserve(t, "k", 12), 1);
	throttle_free(t);
}

/* Attempts that end without a failure leave no slot behind: they cannot push failures out. */
static void successes_do_not_push_failures_out(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(1, 60, 4);
	char key[16];

	throttle_fail(t, "guesser", 1000);
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(throttle_reserve(t, key, 1001), 0);
		throttle_finish(t, key, 1001, i % 2 ? THROTTLE_SUCCEEDED : THROTTLE_NEUTRAL);
	}
	assert_true(throttle_check(t, "guesser", 1002) > 0);
	throttle_free(t);
}

enum { RACERS = 32, BUDGET = 5 };

struct race {
	struct throttle *t;
	pthread_barrier_t start, reserved;
	atomic_int granted;
};

/* Reserve at once with every other racer; hold the reservation until all have tried, then fail. */
static void *racer(void *arg)
{
	struct race *r = arg;
	int wait;

	pthread_barrier_wait(&r->start);
	wait = throttle_reserve(r->t, "acme|jane@example.com", 1000);
	if (wait == 0)
		atomic_fetch_add(&r->granted, 1);
	pthread_barrier_wait(&r->reserved);
	if (wait == 0)
		throttle_finish(r->t, "acme|jane@example.com", 1000, THROTTLE_FAILED);
	return NULL;
}

/* 32 threads at once: exactly the budget is reserved, and afterwards the key is locked. */
static void simultaneous_attempts_get_exactly_the_budget(void **state)
{
	(void)state;
	struct race r = {.t = throttle_new(BUDGET, 900, 1024)};
	pthread_t threads[RACERS];

	pthread_barrier_init(&r.start, NULL, RACERS);
	pthread_barrier_init(&r.reserved, NULL, RACERS);
	for (int i = 0; i < RACERS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, racer, &r), 0);
	for (int i = 0; i < RACERS; i++)
		pthread_join(threads[i], NULL);
	assert_int_equal(atomic_load(&r.granted), BUDGET);
	assert_int_equal(throttle_check(r.t, "acme|jane@example.com", 1000), 900);
	assert_int_equal(throttle_reserve(r.t, "acme|jane@example.com", 1000), 900);
	pthread_barrier_destroy(&r.start);
	pthread_barrier_destroy(&r.reserved);
	throttle_free(r.t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(locks_after_max_failures_until_the_window_ends),
	        cmocka_unit_test(a_full_table_recycles_old_windows),
	        cmocka_unit_test(reserved_attempts_count_while_in_flight),
	        cmocka_unit_test(a_success_forgets_failures_but_not_other_attempts_in_flight),
	        cmocka_unit_test(simultaneous_attempts_get_exactly_the_budget),
	        cmocka_unit_test(successes_do_not_push_failures_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
