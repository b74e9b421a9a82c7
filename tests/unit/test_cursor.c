#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/b64url.h"
#include "core/cursor.h"

/* What cursor_encode() in SQL produces for `json`. */
static void encode(char *out, const char *json)
{
	b64url_encode(out, (const unsigned char *)json, strlen(json));
}

static void a_cursor_round_trips(void **state)
{
	char text[256];
	struct cursor c;

	(void)state;
	encode(text, "[\"Acme Waste\", \"3daa9a9b-3814-477a-ad1c-cbd220d14a66\"]");
	assert_int_equal(cursor_decode(&c, text), CS_OK);
	assert_string_equal(c.key, "Acme Waste");
	assert_string_equal(c.id, "3daa9a9b-3814-477a-ad1c-cbd220d14a66");
}

static void anything_else_is_refused(void **state)
{
	char text[256];
	struct cursor c;

	(void)state;
	assert_int_equal(cursor_decode(&c, "not base64!"), CS_EINVALID);
	assert_int_equal(cursor_decode(&c, ""), CS_EINVALID);
	assert_int_equal(cursor_decode(&c, NULL), CS_EINVALID);
	encode(text, "{\"a\": 1}");
	assert_int_equal(cursor_decode(&c, text), CS_EINVALID);
	encode(text, "[\"x\", \"not-a-uuid\"]");
	assert_int_equal(cursor_decode(&c, text), CS_EINVALID);
	encode(text, "[1, \"3daa9a9b-3814-477a-ad1c-cbd220d14a66\"]");
	assert_int_equal(cursor_decode(&c, text), CS_EINVALID);
	encode(text, "[\"x\", \"3daa9a9b-3814-477a-ad1c-cbd220d14a66\", 3]");
	assert_int_equal(cursor_decode(&c, text), CS_EINVALID);
	char longer[CURSOR_MAX_LENGTH + 2];
	memset(longer, 'A', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(cursor_decode(&c, longer), CS_EINVALID);
}

static void an_encoded_cursor_decodes_to_its_key_and_id(void **state)
{
	const char *id = "3daa9a9b-3814-477a-ad1c-cbd220d14a66";
	/* Quotes, a backslash, a control character and UTF-8 survive the JSON inside. */
	const char *keys[] = {"2026-01-31", "O'Brien \"Bins\" \\ Co\t", "Müller Entsorgung", ""};
	char text[CURSOR_MAX_LENGTH + 1];
	struct cursor c;

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		assert_int_equal(cursor_encode(text, keys[i], id), CS_OK);
		assert_int_equal(cursor_decode(&c, text), CS_OK);
		assert_string_equal(c.key, keys[i]);
		assert_string_equal(c.id, id);
	}
}

/* The longest name a customer may have (200 characters) of four-byte characters still makes a
 * cursor that decodes; a longer key is refused rather than cut. */
static void the_longest_key_fits_and_a_longer_one_is_refused(void **state)
{
	const char *id = "3daa9a9b-3814-477a-ad1c-cbd220d14a66";
	char key[CURSOR_MAX_KEY + 8], text[CURSOR_MAX_LENGTH + 1];
	struct cursor c;

	(void)state;
	key[0] = '\0';
	for (int i = 0; i < 200; i++)
		strcat(key, "\xF0\x9F\x9A\x9B"); /* U+1F69B, an articulated lorry */
	assert_int_equal(cursor_encode(text, key, id), CS_OK);
	assert_int_equal(cursor_decode(&c, text), CS_OK);
	assert_string_equal(c.key, key);
	strcat(key, "x");
	assert_int_equal(cursor_encode(text, key, id), CS_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(a_cursor_round_trips),
	        cmocka_unit_test(anything_else_is_refused),
	        cmocka_unit_test(an_encoded_cursor_decodes_to_its_key_and_id),
	        cmocka_unit_test(the_longest_key_fits_and_a_longer_one_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
