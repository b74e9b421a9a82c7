/*
 * Which pool a heavy read uses (http/reads.h over db/read_route.h), without a database: the
 * standby's address is one where nothing listens, so the route's watcher never finds it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "http/env.h"
#include "http/reads.h"

/* Port 1 on loopback: connecting is refused at once. Pools connect lazily: none here does. */
static const char nowhere[] = "postgresql://127.0.0.1:1/nowhere?connect_timeout=1";

struct fixture {
	struct db_pool *primary, *standby;
	struct db_read_route *route;
	struct http_env env;
	struct http_ctx ctx;
};

static int set_up(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || db_pool_open(&f->primary, nowhere, 1, 100) != CS_OK ||
	    db_pool_open(&f->standby, nowhere, 1, 100) != CS_OK ||
	    db_read_route_open(&f->route, f->primary, f->standby, nowhere, 1000) != CS_OK)
		return -1;
	f->env.db = f->primary;
	f->env.reads = f->route;
	f->ctx.env = &f->env;
	f->ctx.principal.kind = PRINCIPAL_PORTAL;
	*state = f;
	return 0;
}

static int tear_down(void **state)
{
	struct fixture *f = *state;

	db_read_route_close(f->route);
	db_pool_close(f->standby);
	db_pool_close(f->primary);
	free(f);
	return 0;
}

/* Without a read URL there is no route: every read is the primary's, and nothing runs again. */
static void without_a_read_url_reads_use_the_primary(void **state)
{
	struct fixture *f = *state;

	f->env.reads = NULL;
	assert_ptr_equal(http_db_for_read(&f->ctx), f->primary);
	assert_false(http_reads_retry(&f->ctx, CS_EUNAVAILABLE));
	http_reads_after_write(&f->ctx); /* returns before looking at the request */
}

/* A standby that was never reached is skipped (no lookup of the session), and counted so. */
static void an_unreachable_standby_is_skipped(void **state)
{
	struct fixture *f = *state;
	struct db_read_route_stats st;

	assert_ptr_equal(http_db_for_read(&f->ctx), f->primary);
	assert_ptr_equal(db_read_route_pick(f->route, ""), f->primary);
	db_read_route_stats(f->route, &st);
	assert_int_equal(st.standby, 0);
	assert_int_equal(st.fallbacks[DB_READ_UNREACHABLE], 2);
	assert_int_equal(st.fallbacks[DB_READ_FAILED], 0);
}

/* A read that went to the standby and found no database runs once more, on the primary. */
static void a_failed_standby_read_runs_again_on_the_primary(void **state)
{
	struct fixture *f = *state;
	struct db_read_route_stats st;

	f->ctx.read_db = f->standby; /* as if the standby had been chosen */
	assert_false(http_reads_retry(&f->ctx, CS_ENOTFOUND));
	assert_true(http_reads_retry(&f->ctx, CS_EUNAVAILABLE));
	assert_true(f->ctx.read_retried);
	assert_ptr_equal(http_db_for_read(&f->ctx), f->primary);
	assert_false(http_reads_retry(&f->ctx, CS_EUNAVAILABLE)); /* once only */
	db_read_route_stats(f->route, &st);
	assert_int_equal(st.fallbacks[DB_READ_FAILED], 1);
	assert_int_equal(st.fallbacks[DB_READ_UNREACHABLE], 0); /* the second try is not a pick */
}

/* A read that failed on the primary is the request's answer: nothing runs again. */
static void a_failed_primary_read_is_not_run_again(void **state)
{
	struct fixture *f = *state;

	f->ctx.read_db = f->primary;
	assert_false(http_reads_retry(&f->ctx, CS_EUNAVAILABLE));
	assert_false(f->ctx.read_retried);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(without_a_read_url_reads_use_the_primary, set_up,
	                                        tear_down),
	        cmocka_unit_test_setup_teardown(an_unreachable_standby_is_skipped, set_up,
	                                        tear_down),
	        cmocka_unit_test_setup_teardown(a_failed_standby_read_runs_again_on_the_primary,
	                                        set_up, tear_down),
	        cmocka_unit_test_setup_teardown(a_failed_primary_read_is_not_run_again, set_up,
	                                        tear_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
