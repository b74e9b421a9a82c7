/* Formats the API accepts: emails (rule 4), slugs, URLs, colours, currencies, time zones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/validate.h"

static void email_is_trimmed_and_lowercased(void **state)
{
	(void)state;
	char out[VALIDATE_EMAIL_MAX + 1];
	const char *reason = NULL;

	assert_true(validate_email("  Jane.Doe+bins@Example.COM \t", out, &reason));
	assert_string_equal(out, "jane.doe+bins@example.com");
}

static void email_with_inner_space_is_refused(void **state)
{
	(void)state;
	char out[VALIDATE_EMAIL_MAX + 1];
	const char *reason = NULL;

	assert_false(validate_email("jane doe@example.com", out, &reason));
	assert_string_equal(reason, "The email address contains a space.");
	assert_false(validate_email("jane@exa mple.com", out, &reason));
	assert_string_equal(reason, "The email address contains a space.");
}

static void email_with_invalid_characters_is_refused(void **state)
{
	(void)state;
	char out[VALIDATE_EMAIL_MAX + 1];
	const char *reason = NULL;
	const char *bad[] = {"jane(at)example.com",
	                     "jane@@example.com",
	                     "jane@example",
	                     "jane@example.c",
	                     "jane@-example.com",
	                     "jane@example..com",
	                     ".jane@example.com",
	                     "jane.@example.com",
	                     "ja..ne@example.com",
	                     "jane@exam_ple.com",
	                     "jané@example.com",
	                     "jane,doe@example.com",
	                     "@example.com",
	                     "jane@",
	                     "",
	                     "   "};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reason = NULL;
		assert_false(validate_email(bad[i], out, &reason));
		assert_non_null(reason);
	}
}

static void email_length_is_bounded(void **state)
{
	(void)state;
	char out[VALIDATE_EMAIL_MAX + 1], in[400];
	const char *reason = NULL;

	memset(in, 'a', 65);
	strcpy(in + 65, "@example.com");
	assert_false(validate_email(in, out, &reason)); /* local part over 64 */
	memset(in, 'a', 60);
	in[60] = '@';
	for (int i = 61; i < 300; i += 10)
		memcpy(in + i, "bbbbbbbbb.", 10);
	strcpy(in + 300, "com");
	assert_false(validate_email(in, out, &reason));
	assert_string_equal(reason, "The email address is longer than 254 characters.");
}

static void trim_drops_blanks_at_both_ends_only(void **state)
{
	(void)state;
	size_t len = 0;
	const char *s = validate_trim(" \t Jane  Doe \n", &len);

	assert_int_equal(len, 9);
	assert_memory_equal(s, "Jane  Doe", 9);
	validate_trim("   ", &len);
	assert_int_equal(len, 0);
}

static void slugs(void **state)
{
	(void)state;
	assert_true(validate_slug("acme"));
	assert_true(validate_slug("a"));
	assert_true(validate_slug("acme-waste-2"));
	assert_false(validate_slug(""));
	assert_false(validate_slug("Acme"));
	assert_false(validate_slug("-acme"));
	assert_false(validate_slug("acme-"));
	assert_false(validate_slug("ac_me"));
	assert_false(
	        validate_slug("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void urls_colours_currencies_zones(void **state)
{
	(void)state;
	assert_true(validate_http_url("https://acme.example/logo.png"));
	assert_true(validate_http_url("http://localhost:8080/x"));
	assert_false(validate_http_url("ftp://acme.example"));
	assert_false(validate_http_url("https://"));
	assert_false(validate_http_url("https://acme example"));
	assert_false(validate_http_url("javascript:alert(1)"));
	assert_true(validate_hex_color("#12abEF"));
	assert_false(validate_hex_color("#12abE"));
	assert_false(validate_hex_color("12abEF0"));
	assert_true(validate_currency("USD"));
	assert_false(validate_currency("usd"));
	assert_false(validate_currency("US"));
	assert_true(validate_time_zone_name("America/New_York"));
	assert_true(validate_time_zone_name("UTC"));
	assert_true(validate_time_zone_name("Etc/GMT+5"));
	assert_false(validate_time_zone_name("America//Chicago"));
	assert_false(validate_time_zone_name("../etc/passwd"));
	assert_false(validate_time_zone_name("America/"));
}

static void text_and_lengths(void **state)
{
	(void)state;
	assert_int_equal(validate_utf8_length("héllo"), 5);
	assert_true(validate_plain_text("12 Main St\nSpringfield", true));
	assert_false(validate_plain_text("12 Main St\nSpringfield", false));
	assert_false(validate_plain_text("bell\a", true));
}

static void uuids(void **state)
{
	(void)state;
	assert_true(validate_uuid("3daa9a9b-3814-477a-ad1c-cbd220d14a66"));
	assert_true(validate_uuid("3DAA9A9B-3814-477A-AD1C-CBD220D14A66"));
	assert_false(validate_uuid("3daa9a9b3814477aad1ccbd220d14a66"));
	assert_false(validate_uuid("3daa9a9b-3814-477a-ad1c-cbd220d14a6"));
	assert_false(validate_uuid("3daa9a9b-3814-477a-ad1c-cbd220d14a6g"));
	assert_false(validate_uuid("3daa9a9b-3814-477a-ad1c-cbd220d14a66 "));
	assert_false(validate_uuid(NULL));
}

static void dates(void **state)
{
	(void)state;
	assert_true(validate_date("2026-11-21"));
	assert_true(validate_date("2024-02-29"));
	assert_true(validate_date("2000-02-29"));
	assert_false(validate_date("1900-02-29"));
	assert_false(validate_date("2026-02-29"));
	assert_false(validate_date("2026-04-31"));
	assert_false(validate_date("2026-13-01"));
	assert_false(validate_date("2026-00-10"));
	assert_false(validate_date("2026-1-10"));
	assert_false(validate_date("2026-01-10T00:00"));
	assert_false(validate_date("0999-01-01"));
	assert_false(validate_date("2026/01/10"));
}

static void cursor_instants(void **state)
{
	(void)state;
	assert_true(validate_instant_us("2026-11-21T14:28:31.204123Z"));
	assert_false(validate_instant_us("2026-11-21T14:28:31.204Z"));
	assert_false(validate_instant_us("2026-11-21T24:00:00.000000Z"));
	assert_false(validate_instant_us("2026-02-30T10:00:00.000000Z"));
	assert_false(validate_instant_us("2026-11-21 14:28:31.204123Z"));
	assert_false(validate_instant_us("2026-11-21T14:28:31.20412xZ"));
	assert_false(validate_instant_us("-infinity"));
}

static void utf8_is_well_formed_or_refused(void **state)
{
	(void)state;
	assert_true(validate_utf8(""));
	assert_true(validate_utf8("acme-hauling"));
	assert_true(validate_utf8("M\xc3\xbcller \xe2\x82\xac \xf0\x9f\x9a\x9b"));
	assert_true(validate_utf8("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
	assert_false(validate_utf8("\xc3"));            /* cut short */
	assert_false(validate_utf8("\xe2\x82"));
	assert_false(validate_utf8("\x80"));     /* a lone continuation byte */
	assert_false(validate_utf8("\xc0\xaf")); /* overlong "/" */
	assert_false(validate_utf8("\xe0\x80\xaf"));
	assert_false(validate_utf8("\xed\xa0\x80"));     /* a surrogate */
	assert_false(validate_utf8("\xf4\x90\x80\x80")); /* past U+10FFFF */
	assert_false(validate_utf8("\xff"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(utf8_is_well_formed_or_refused),
	        cmocka_unit_test(email_is_trimmed_and_lowercased),
	        cmocka_unit_test(email_with_inner_space_is_refused),
	        cmocka_unit_test(email_with_invalid_characters_is_refused),
	        cmocka_unit_test(email_length_is_bounded),
	        cmocka_unit_test(trim_drops_blanks_at_both_ends_only),
	        cmocka_unit_test(slugs),
	        cmocka_unit_test(urls_colours_currencies_zones),
	        cmocka_unit_test(text_and_lengths),
	        cmocka_unit_test(uuids),
	        cmocka_unit_test(dates),
	        cmocka_unit_test(cursor_instants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
