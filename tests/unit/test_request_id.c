/* Request ids: sane client ids are kept, others replaced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/request_id.h"

static void sanity(void **state)
{
	(void)state;
	assert_true(request_id_is_sane("abc-123_X.y"));
	assert_false(request_id_is_sane(""));
	assert_false(request_id_is_sane(NULL));
	assert_false(request_id_is_sane("has space"));
	assert_false(request_id_is_sane("line\nbreak"));
	assert_false(request_id_is_sane(
	        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void generated_ids_are_sane_and_distinct(void **state)
{
	(void)state;
	char a[REQUEST_ID_SIZE], b[REQUEST_ID_SIZE];

	request_id_generate(a);
	request_id_generate(b);
	assert_true(request_id_is_sane(a));
	assert_int_equal(strlen(a), 22);
	assert_string_not_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(sanity),
	        cmocka_unit_test(generated_ids_are_sane_and_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
