/* The routes the router serves (matching itself: test_path_match.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "http/router.h"
#include "routes.h"

static int noop(struct http_ctx *ctx)
{
	(void)ctx;
	return CS_OK;
}

/* A portal route that does not require a selected account is refused at registration. */
static void portal_routes_require_an_account(void **state)
{
	const struct route contact = {"POST", "/v1/portal/contact", AUTH_PORTAL, noop};
	const struct route selected = {"POST", "/v1/portal/contact", AUTH_PORTAL_ACCOUNT, noop};
	const struct route me = {"GET", "/v1/me", AUTH_PORTAL, noop};
	const struct route public = {"GET", "/v1/portal/x", AUTH_PUBLIC, noop};

	(void)state;
	assert_int_equal(router_check_route(&contact), CS_EINVALID);
	assert_int_equal(router_check_route(&public), CS_EINVALID);
	assert_int_equal(router_check_route(&selected), CS_OK);
	assert_int_equal(router_check_route(&me), CS_OK);
}

/* Every route of the served tables passes the registration check. */
static void every_served_route_passes(void **state)
{
	size_t ntables = 0, nroutes = 0;
	const struct route_table *const *tables = app_route_tables(&ntables);

	(void)state;
	for (size_t t = 0; t < ntables; t++)
		for (size_t i = 0; i < tables[t]->count; i++, nroutes++)
			if (router_check_route(&tables[t]->routes[i]) != CS_OK)
				fail_msg("%s %s (module %s) does not require a selected account",
				         tables[t]->routes[i].method, tables[t]->routes[i].path,
				         tables[t]->module);
	assert_true(nroutes > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(portal_routes_require_an_account),
	        cmocka_unit_test(every_served_route_passes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
