/* Text for PDF documents: clean UTF-8, money amounts and file names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pdf/pdf_text.h"

static void clean_keeps_every_script(void **state)
{
	(void)state;
	char out[64];

	pdf_text_clean(out, sizeof(out), "Invoice A-1 (Net 30)");
	assert_string_equal(out, "Invoice A-1 (Net 30)");
	/* Polish, Greek, Cyrillic and Vietnamese pass unchanged. */
	pdf_text_clean(out, sizeof(out), "\xC5\x81ukasz \xCE\x93 \xD0\x94 \xE1\xBB\x85");
	assert_string_equal(out, "\xC5\x81ukasz \xCE\x93 \xD0\x94 \xE1\xBB\x85");
}

static void clean_replaces_what_libharu_cannot_take(void **state)
{
	(void)state;
	char out[64];

	/* An emoji (U+1F600) is outside the BMP: U+FFFD. */
	pdf_text_clean(out, sizeof(out),
	               "b\xF0\x9F\x98\x80"
	               "c");
	assert_string_equal(out, "b\xEF\xBF\xBD"
	                         "c");
	/* Control characters (tab, newline, C1) and a thin space become spaces; a no-break space
	 * stays. */
	pdf_text_clean(out, sizeof(out),
	               "1\t2\n3\xE2\x80\x89"
	               "4\xC2\xA0"
	               "5\xC2\x85"
	               "6");
	assert_string_equal(out, "1 2 3 4\xC2\xA0"
	                         "5 6");
}

static void clean_marks_each_malformed_byte(void **state)
{
	(void)state;
	char out[64];

	/* A lone continuation byte, a truncated sequence, an overlong '/' and a surrogate. */
	pdf_text_clean(out, sizeof(out), "x\x80y");
	assert_string_equal(out, "x\xEF\xBF\xBDy");
	pdf_text_clean(out, sizeof(out), "\xC0\xAF");
	assert_string_equal(out, "\xEF\xBF\xBD\xEF\xBF\xBD");
	assert_true(strlen(out) < PDF_TEXT_CLEAN_CAP(2));
}

static void clean_truncates_at_a_character(void **state)
{
	(void)state;
	char out[4] = "zzz";
	uint32_t cp;

	pdf_text_clean(out, sizeof(out), "abcdef");
	assert_string_equal(out, "abc");
	/* Ł is two bytes: "aŁ" fits, "aŁŁ" does not. */
	pdf_text_clean(out, sizeof(out), "a\xC5\x81\xC5\x81");
	assert_string_equal(out, "a\xC5\x81");
	pdf_text_clean(out, sizeof(out), NULL);
	assert_string_equal(out, "");
	pdf_text_clean(out, 1, "abc");
	assert_string_equal(out, "");
	assert_int_equal(pdf_text_next("\xC5\x81x", &cp), 2);
	assert_int_equal(cp, 0x141);
	assert_int_equal(pdf_text_next("", &cp), 0);
}

static void money_in_dollars(void **state)
{
	(void)state;
	char out[64];

	assert_int_equal(pdf_text_money(out, sizeof(out), 123456, "USD"), CS_OK);
	assert_string_equal(out, "$1,234.56");
	assert_int_equal(pdf_text_money(out, sizeof(out), 0, "USD"), CS_OK);
	assert_string_equal(out, "$0.00");
	assert_int_equal(pdf_text_money(out, sizeof(out), 5, "CAD"), CS_OK);
	assert_string_equal(out, "$0.05");
	assert_int_equal(pdf_text_money(out, sizeof(out), -500, "USD"), CS_OK);
	assert_string_equal(out, "-$5.00");
	assert_int_equal(pdf_text_money(out, sizeof(out), 100000000, "USD"), CS_OK);
	assert_string_equal(out, "$1,000,000.00");
	assert_int_equal(pdf_text_money(out, sizeof(out), 99999, "USD"), CS_OK);
	assert_string_equal(out, "$999.99");
}

static void money_in_other_currencies(void **state)
{
	(void)state;
	char out[64];

	assert_int_equal(pdf_text_money(out, sizeof(out), 123456, "EUR"), CS_OK);
	assert_string_equal(out, "\xE2\x82\xAC"
	                         "1,234.56");
	assert_int_equal(pdf_text_money(out, sizeof(out), 250, "GBP"), CS_OK);
	assert_string_equal(out, "\xC2\xA3"
	                         "2.50");
	assert_int_equal(pdf_text_money(out, sizeof(out), -123456, "CHF"), CS_OK);
	assert_string_equal(out, "-CHF 1,234.56");
}

static void money_at_the_limits(void **state)
{
	(void)state;
	char out[64], tiny[6];

	/* INT64_MIN has no positive twin: the magnitude must still be right. */
	assert_int_equal(pdf_text_money(out, sizeof(out), INT64_MIN, "USD"), CS_OK);
	assert_string_equal(out, "-$92,233,720,368,547,758.08");
	assert_int_equal(pdf_text_money(out, sizeof(out), INT64_MAX, "USD"), CS_OK);
	assert_string_equal(out, "$92,233,720,368,547,758.07");
	assert_int_equal(pdf_text_money(tiny, sizeof(tiny), 123456, "USD"), CS_EINVALID);
	assert_int_equal(pdf_text_money(tiny, sizeof(tiny), 100, "USD"), CS_OK);
	assert_string_equal(tiny, "$1.00");
}

static void filename_keeps_safe_characters(void **state)
{
	(void)state;
	char out[32];

	pdf_text_filename(out, sizeof(out), "INV-2026_11.03");
	assert_string_equal(out, "INV-2026_11.03");
	pdf_text_filename(out, sizeof(out), "A/1 \"x\";\r\n\xC3\xA9");
	/* Every byte of a multibyte character is replaced: é is two. */
	assert_string_equal(out, "A_1__x______");
}

static void filename_of_nothing_is_document(void **state)
{
	(void)state;
	char out[32], tiny[4];

	pdf_text_filename(out, sizeof(out), "");
	assert_string_equal(out, "document");
	pdf_text_filename(out, sizeof(out), NULL);
	assert_string_equal(out, "document");
	pdf_text_filename(tiny, sizeof(tiny), "abcdef");
	assert_string_equal(tiny, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(clean_keeps_every_script),
	        cmocka_unit_test(clean_replaces_what_libharu_cannot_take),
	        cmocka_unit_test(clean_marks_each_malformed_byte),
	        cmocka_unit_test(clean_truncates_at_a_character),
	        cmocka_unit_test(money_in_dollars),
	        cmocka_unit_test(money_in_other_currencies),
	        cmocka_unit_test(money_at_the_limits),
	        cmocka_unit_test(filename_keeps_safe_characters),
	        cmocka_unit_test(filename_of_nothing_is_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
