/* Bytes as hex and back (how bytea travels as text to and from PostgreSQL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/hex.h"

static void encodes_lower_case(void **state)
{
	(void)state;
	char out[9];

	hex_encode(out, (const unsigned char *)"\x00\x1f\xa0\xff", 4);
	assert_string_equal(out, "001fa0ff");
	hex_encode(out, (const unsigned char *)"", 0);
	assert_string_equal(out, "");
}

static void decodes_what_it_encodes_in_any_case(void **state)
{
	(void)state;
	unsigned char raw[256], *back = NULL;
	char text[513];
	size_t n = 0;

	for (int i = 0; i < 256; i++)
		raw[i] = (unsigned char)i;
	hex_encode(text, raw, sizeof(raw));
	assert_int_equal(hex_decode(&back, &n, text), 0);
	assert_int_equal(n, sizeof(raw));
	assert_memory_equal(back, raw, sizeof(raw));
	free(back);
	assert_int_equal(hex_decode(&back, &n, "ABcd"), 0);
	assert_int_equal(n, 2);
	assert_int_equal(back[0], 0xab);
	assert_int_equal(back[1], 0xcd);
	free(back);
}

static void refuses_odd_counts_and_other_characters(void **state)
{
	(void)state;
	unsigned char *out = (unsigned char *)"untouched";
	size_t n = 7;

	assert_int_equal(hex_decode(&out, &n, "abc"), -1);
	assert_null(out);
	assert_int_equal(n, 0);
	assert_int_equal(hex_decode(&out, &n, "0g"), -1);
	assert_null(out);
	assert_int_equal(hex_decode(&out, &n, "\\x00"), -1);
	assert_int_equal(hex_digit('f'), 15);
	assert_int_equal(hex_digit('F'), 15);
	assert_int_equal(hex_digit('/'), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(encodes_lower_case),
	        cmocka_unit_test(decodes_what_it_encodes_in_any_case),
	        cmocka_unit_test(refuses_odd_counts_and_other_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
