/* CSV cells: RFC 4180 quoting, and OWASP's rule against formula injection (a text cell starting
 * with = + - @ tab or CR gets a single quote in front), numbers the code writes left alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"

/* One record of text cells, as csv_field writes them (CRLF dropped). */
static void check_field(const char *text, const char *expected)
{
	struct strbuf b = STRBUF_INIT;
	size_t len = 0;

	csv_field(&b, text, true);
	char *out = strbuf_detach(&b, &len);
	assert_non_null(out);
	assert_string_equal(out, expected);
	free(out);
}

static void check_number(const char *text, const char *expected)
{
	struct strbuf b = STRBUF_INIT;
	size_t len = 0;

	csv_number(&b, text, true);
	char *out = strbuf_detach(&b, &len);
	assert_non_null(out);
	assert_string_equal(out, expected);
	free(out);
}

static void plain_and_quoted_text(void **state)
{
	(void)state;
	check_field("Weekly pickup", "Weekly pickup");
	check_field("a,b", "\"a,b\"");
	check_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	check_field("two\nlines", "\"two\nlines\"");
	/* A semicolon is the separator in some locales: quoted so it cannot start a cell there. */
	check_field("x;=1+1", "\"x;=1+1\"");
	check_field("", "");
	/* Only the first character matters. */
	check_field("Invoice =1+2", "Invoice =1+2");
	check_field(" =1+2", " =1+2");
}

static void formula_leads_are_neutralised(void **state)
{
	(void)state;
	check_field("=1+2", "'=1+2");
	check_field("=HYPERLINK(\"http://x.example\",\"y\")",
	            "\"'=HYPERLINK(\"\"http://x.example\"\",\"\"y\"\")\"");
	check_field("+15555550123", "'+15555550123");
	check_field("-12.50", "'-12.50");
	check_field("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0");
	check_field("@SUM(A1:A9)", "'@SUM(A1:A9)");
	check_field("\t=1", "'\t=1");
	check_field("\r=1", "\"'\r=1\"");
	check_field("=1,2", "\"'=1,2\"");
	/* Full-width = + - @, which some spreadsheets read as formulas too. */
	check_field("\xef\xbc\x9d"
	            "1+1",
	            "'\xef\xbc\x9d"
	            "1+1");
	check_field("\xef\xbc\x8b"
	            "1",
	            "'\xef\xbc\x8b"
	            "1");
	check_field("\xef\xbc\x8d"
	            "1",
	            "'\xef\xbc\x8d"
	            "1");
	check_field("\xef\xbc\xa0"
	            "SUM",
	            "'\xef\xbc\xa0"
	            "SUM");
	assert_true(csv_is_formula_like("=x"));
	assert_false(csv_is_formula_like("x="));
	assert_false(csv_is_formula_like(""));
	assert_false(csv_is_formula_like(NULL));
}

static void numbers_the_code_writes_stay_numbers(void **state)
{
	(void)state;
	check_number("-12.50", "-12.50");
	check_number("0.00", "0.00");
	check_number("1234", "1234");
	/* Anything that is not a plain decimal is text, and neutralised as text. */
	check_number("-1+2", "'-1+2");
	check_number("=1", "'=1");
	check_number("-", "'-");
	check_number("1.", "1.");
	check_number("-.5", "'-.5");
}

static void a_record(void **state)
{
	(void)state;
	struct strbuf b = STRBUF_INIT;
	size_t len = 0;

	csv_field(&b, "2026-01-02", true);
	csv_field(&b, NULL, false);
	csv_field(&b, "@ref", false);
	csv_number(&b, "-5.00", false);
	csv_end_record(&b);
	char *out = strbuf_detach(&b, &len);
	assert_non_null(out);
	assert_string_equal(out, "2026-01-02,,'@ref,-5.00\r\n");
	assert_int_equal(len, strlen(out));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(plain_and_quoted_text),
	        cmocka_unit_test(formula_leads_are_neutralised),
	        cmocka_unit_test(numbers_the_code_writes_stay_numbers),
	        cmocka_unit_test(a_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
