/* Phone numbers of text messages: the E.164 shape, and the masked forms logs carry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/phone.h"

static bool valid(const char *s)
{
	return phone_valid(s, s ? strlen(s) : 0);
}

static void e164_numbers_are_accepted(void **state)
{
	(void)state;
	assert_true(valid("+15555550123"));
	assert_true(valid("+442071838750"));
	assert_true(valid("+12345678"));        /* 8 digits */
	assert_true(valid("+123456789012345")); /* 15 digits */
}

static void other_shapes_are_refused(void **state)
{
	(void)state;
	const char *bad[] = {"15555550123", "+1 555 555 0123",   "+1-555-555-0123", "+05555550123",
	                     "+1234567",    "+1234567890123456", "+1555555012a",    "",
	                     "+",           "++15555550123"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(valid(bad[i]));
	assert_false(valid(NULL));
	assert_false(phone_valid("+15555550123", 5)); /* only its first bytes */
}

static void masking_keeps_the_plus_and_the_last_four(void **state)
{
	(void)state;
	char out[24];

	phone_mask(out, sizeof(out), "+15555550123");
	assert_string_equal(out, "+*******0123");
	phone_mask(out, 6, "+15555550123");
	assert_string_equal(out, "+****");
	phone_mask(out, sizeof(out), NULL);
	assert_string_equal(out, "");
}

static void scrubbing_hides_numbers_in_text(void **state)
{
	(void)state;
	char text[] = "The 'To' number +15555550123 is not valid (code 21211, id 2024)";

	phone_scrub(text);
	assert_string_equal(text,
	                    "The 'To' number +*******0123 is not valid (code 21211, id 2024)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(e164_numbers_are_accepted),
	        cmocka_unit_test(other_shapes_are_refused),
	        cmocka_unit_test(masking_keeps_the_plus_and_the_last_four),
	        cmocka_unit_test(scrubbing_hides_numbers_in_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
