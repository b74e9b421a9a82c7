/* Text for PDF documents: WinAnsi conversion, money amounts and file names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pdf/pdf_text.h"

static void winansi_keeps_ascii_and_latin1(void **state)
{
	(void)state;
	char out[64];

	pdf_text_winansi(out, sizeof(out), "Invoice A-1 (Net 30)");
	assert_string_equal(out, "Invoice A-1 (Net 30)");
	/* é is U+00E9: the same byte in Windows-1252. */
	pdf_text_winansi(out, sizeof(out), "Caf\xC3\xA9 M\xC3\xBCller");
	assert_string_equal(out, "Caf\xE9 M\xFCller");
}

static void winansi_maps_the_0x80_row(void **state)
{
	(void)state;
	char out[64];

	/* € U+20AC → 0x80, – U+2013 → 0x96, ’ U+2019 → 0x92, Š U+0160 → 0x8A. */
	pdf_text_winansi(out, sizeof(out), "\xE2\x82\xAC \xE2\x80\x93 \xE2\x80\x99 \xC5\xA0");
	assert_string_equal(out, "\x80 \x96 \x92 \x8A");
}

static void winansi_replaces_what_it_cannot_show(void **state)
{
	(void)state;
	char out[64];

	/* Cyrillic Д (U+0414) and an emoji (U+1F600) have no WinAnsi byte. */
	pdf_text_winansi(out, sizeof(out),
	                 "a\xD0\x94"
	                 "b\xF0\x9F\x98\x80"
	                 "c");
	assert_string_equal(out, "a?b?c");
	/* Control characters (tab, newline) and a thin space become spaces; a no-break space
	 * keeps its WinAnsi byte. */
	pdf_text_winansi(out, sizeof(out),
	                 "1\t2\n3\xE2\x80\x89"
	                 "4\xC2\xA0"
	                 "5");
	assert_string_equal(out, "1 2 3 4\xA0"
	                         "5");
}

static void winansi_marks_each_malformed_byte(void **state)
{
	(void)state;
	char out[64];

	/* A lone continuation byte, a truncated sequence, an overlong '/' and a surrogate. */
	pdf_text_winansi(out, sizeof(out), "x\x80y");
	assert_string_equal(out, "x?y");
	pdf_text_winansi(out, sizeof(out), "x\xE2\x82");
	assert_string_equal(out, "x??");
	pdf_text_winansi(out, sizeof(out), "\xC0\xAF");
	assert_string_equal(out, "??");
	pdf_text_winansi(out, sizeof(out), "\xED\xA0\x80");
	assert_string_equal(out, "???");
}

static void winansi_truncates_and_terminates(void **state)
{
	(void)state;
	char out[4] = "zzz";

	pdf_text_winansi(out, sizeof(out), "abcdef");
	assert_string_equal(out, "abc");
	pdf_text_winansi(out, sizeof(out), NULL);
	assert_string_equal(out, "");
	pdf_text_winansi(out, 1, "abc");
	assert_string_equal(out, "");
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
	        cmocka_unit_test(winansi_keeps_ascii_and_latin1),
	        cmocka_unit_test(winansi_maps_the_0x80_row),
	        cmocka_unit_test(winansi_replaces_what_it_cannot_show),
	        cmocka_unit_test(winansi_marks_each_malformed_byte),
	        cmocka_unit_test(winansi_truncates_and_terminates),
	        cmocka_unit_test(money_in_dollars),
	        cmocka_unit_test(money_in_other_currencies),
	        cmocka_unit_test(money_at_the_limits),
	        cmocka_unit_test(filename_keeps_safe_characters),
	        cmocka_unit_test(filename_of_nothing_is_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
