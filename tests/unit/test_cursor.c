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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(a_cursor_round_trips),
	        cmocka_unit_test(anything_else_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
