/* Route templates against request paths, and the decoding of path parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "http/path_match.h"

/* Fill `params` from `path` against `pattern`; the status of path_params_fill, or 1 when the
 * path does not match. */
static int params_of(struct path_params *params, const char *pattern, const char *path)
{
	struct path_template t;
	struct path_segments s;

	assert_int_equal(path_template_compile(&t, pattern), CS_OK);
	path_split(&s, path);
	if (!path_template_matches(&t, &s))
		return 1;
	return path_params_fill(params, &t, &s);
}

static void parameters_are_found_by_name(void **state)
{
	struct path_params p;

	(void)state;
	assert_int_equal(params_of(&p, "/v1/platform/tenants/:slug/jobs/:id",
	                           "/v1/platform/tenants/acme/jobs/3daa9a9b"),
	                 CS_OK);
	assert_int_equal(p.count, 2);
	assert_string_equal(path_param(&p, "slug"), "acme");
	assert_string_equal(path_param(&p, "id"), "3daa9a9b");
	assert_null(path_param(&p, "sl"));
	assert_null(path_param(&p, "tenant"));
	assert_null(path_param(NULL, "id"));
}

/* Empty segments are dropped, as Ulfius dropped them; literal segments compare exactly. */
static void segments_are_compared_whole(void **state)
{
	struct path_params p;

	(void)state;
	assert_int_equal(params_of(&p, "/healthz", "//healthz/"), CS_OK);
	assert_int_equal(params_of(&p, "/healthz", "/healthz/x"), 1);
	assert_int_equal(params_of(&p, "/healthz", "/Healthz"), 1);
	assert_int_equal(params_of(&p, "/v1/me", "/v1/mee"), 1);
	assert_int_equal(params_of(&p, "/v1/tenants/:tenant", "/v1/tenants"), 1);
	assert_int_equal(params_of(&p, "/v1/tenants/:tenant", "/v1/tenants/acme/staff"), 1);
	assert_int_equal(params_of(&p, "/v1/tenants/:tenant", "/v1/tenant/acme"), 1);
	assert_int_equal(
	        params_of(&p, "/v1/tenants/:tenant/staff/login", "/v1/tenants/a/staff/login"),
	        CS_OK);
	assert_int_equal(params_of(&p, "/healthz", "/health"), 1);
	assert_int_equal(params_of(&p, "/", "/"), CS_OK);
}

static void values_are_percent_decoded_and_must_be_utf8(void **state)
{
	struct path_params p;

	(void)state;
	assert_int_equal(params_of(&p, "/t/:slug", "/t/a%2Fb+c%C3%BC"), CS_OK);
	assert_string_equal(path_param(&p, "slug"), "a/b+c\xc3\xbc");
	assert_int_equal(params_of(&p, "/t/:slug", "/t/a%00b"), CS_EINVALID);
	assert_int_equal(params_of(&p, "/t/:slug", "/t/a%zzb"), CS_EINVALID);
	assert_int_equal(params_of(&p, "/t/:slug", "/t/ab%4"), CS_EINVALID);
	assert_int_equal(params_of(&p, "/t/:slug", "/t/%C3"), CS_EINVALID);
	assert_int_equal(params_of(&p, "/t/:slug", "/t/%FF"), CS_EINVALID);
}

static void oversized_paths_and_templates_are_refused(void **state)
{
	char path[PATH_PARAM_BYTES + 8] = "/t/";
	struct path_template t;
	struct path_params p;

	(void)state;
	memset(path + 3, 'a', PATH_PARAM_BYTES);
	path[PATH_PARAM_BYTES + 3] = '\0';
	assert_int_equal(params_of(&p, "/t/:slug", path), CS_EINVALID);
	assert_int_equal(path_template_compile(&t, "/:a/:b/:c/:d/:e"), CS_EINVALID);
	assert_int_equal(path_template_compile(&t, "/a/b/c/d/e/f/g/h/i/j/k/l/m"), CS_EINVALID);
	assert_int_equal(params_of(&p, "/a", "/a/b/c/d/e/f/g/h/i/j/k/l/m"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(parameters_are_found_by_name),
	        cmocka_unit_test(segments_are_compared_whole),
	        cmocka_unit_test(values_are_percent_decoded_and_must_be_utf8),
	        cmocka_unit_test(oversized_paths_and_templates_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
