/* Path templates, as used to answer 405 for known paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "http/router.h"

static void literal_and_parameter_segments(void **state)
{
	(void)state;
	assert_true(router_path_matches("/healthz", "/healthz"));
	assert_true(router_path_matches("/healthz", "/healthz/"));
	assert_true(router_path_matches("/v1/tenants/:tenant", "/v1/tenants/acme"));
	assert_true(router_path_matches("/v1/tenants/:tenant/staff/login",
	                                "/v1/tenants/acme/staff/login"));
	assert_false(router_path_matches("/v1/tenants/:tenant", "/v1/tenants"));
	assert_false(router_path_matches("/v1/tenants/:tenant", "/v1/tenants/acme/staff"));
	assert_false(router_path_matches("/v1/tenants/:tenant", "/v1/tenant/acme"));
	assert_false(router_path_matches("/healthz", "/health"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(literal_and_parameter_segments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
